// (a) Register with a passkey, then (e) log in with that same passkey and sign out.
// Serial: (e) uses the credential that (a) created (exported from (a)'s virtual authenticator and imported into
// (e)'s, as a synced passkey would be), so (e) is skipped, not falsely failed, when (a) fails.

import * as crypto from 'node:crypto';
import * as path from 'node:path';

import type { Page } from '@playwright/test';

import { authCookie, expect, test } from '../harness/fixtures';
import type { VirtualCredential } from '../harness/authenticator';
import { tokenSubject } from '../harness/backend-data';
import { docsDir } from '../harness/stack';

interface Registered {
  name: string;
  email: string;
  userId: string;
  credentials: VirtualCredential[];
}

let registered: Registered | undefined;

/** A README screenshot under docs/: animations settled, so the file only changes when the page does. */
async function docsScreenshot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: path.join(docsDir(), file), animations: 'disabled', caret: 'hide' });
}

test.describe.configure({ mode: 'serial' });

test('a: register with a passkey', async ({ page, registerPage, dashboardPage, authenticator, backendData }, testInfo) => {
  const name = 'Ada Lovelace';
  // A fixed address keeps the README screenshots the same from run to run (each worker has a fresh database);
  // repeated runs in one worker (--repeat-each) get their own.
  const email =
    testInfo.repeatEachIndex === 0 ? 'ada@example.com' : `ada+${crypto.randomBytes(4).toString('hex')}@example.com`;
  const element = registerPage.element;

  await registerPage.goto();
  // The email view: the name field belongs to it.
  await expect(registerPage.nameInput).toBeVisible();
  await expect(registerPage.loginLink).toBeVisible();
  await docsScreenshot(page, 'register.png');

  await registerPage.start(name, email);
  // The passkey prompt: the name field is hidden on every later view.
  await expect(element.registerDeviceView).toBeVisible();
  await expect(element.emailView).toHaveCount(0);
  await expect(registerPage.nameInput).toBeHidden();
  await expect(registerPage.loginLink).toBeHidden();
  await docsScreenshot(page, 'register-passkey.png');

  // "Change email" returns to the email view, and the name field comes back with what was typed.
  await element.changeEmailButton.click();
  await expect(element.emailView).toBeVisible();
  await expect(registerPage.nameInput).toBeVisible();
  await expect(registerPage.nameInput).toHaveValue(name);
  await expect(element.identifierInput).toBeVisible();

  await element.submitEmail(email);
  await expect(element.registerDeviceView).toBeVisible();
  await expect(registerPage.nameInput).toBeHidden();
  await element.registerWithPasskeyButton.click();

  // What the user sees.
  await dashboardPage.expectWelcome(name, email);
  await docsScreenshot(page, 'dashboard.png');

  // What was stored: the cookie, the backend's view of the user, and exactly one profile row.
  const token = await authCookie(page);
  const userId = tokenSubject(token);
  const stored = await backendData.currentUser(token);
  expect(stored.status).toBe(200);
  expect(stored.body).toEqual({ id: userId, name, email });
  const rows = backendData.profileRows(userId);
  expect(rows).toHaveLength(1);
  expect(rows[0].name).toBe(name);

  const credentials = await authenticator.credentials();
  expect(credentials, 'one passkey on the authenticator').toHaveLength(1);
  expect(credentials[0].rpId).toBe('localhost');
  registered = { name, email, userId, credentials };
});

test('e: log in with the passkey from (a), then sign out', async ({ page, loginPage, dashboardPage, authenticator, app }) => {
  // (e) logs in with (a)'s passkey: if (a) failed, (e) fails too rather than being skipped quietly.
  expect(registered, 'scenario (a) must register a passkey first').toBeDefined();
  const { name, email, userId, credentials } = registered!;
  // A new browser session (no cookie, no tokens) on a device that has the passkey.
  for (const credential of credentials) await authenticator.addCredential(credential);

  // Signed out, the dashboard sends the user to sign in.
  await dashboardPage.goto();
  await expect(page).toHaveURL(`${app.spaUrl}/login`);

  await loginPage.goto();
  const element = loginPage.element;
  await expect(element.emailView).toBeVisible();
  await element.submitEmail(email);
  await dashboardPage.expectWelcome(name, email);
  const token = await authCookie(page);
  expect(tokenSubject(token)).toBe(userId);
  // The passkey was used (the virtual authenticator counts signatures).
  const [credential] = await authenticator.credentials();
  expect(credential.signCount).toBeGreaterThan(credentials[0].signCount);

  await dashboardPage.signOutButton.click();
  await expect(page).toHaveURL(`${app.spaUrl}/login`);
  expect((await page.context().cookies()).find((c) => c.name === 'psg_auth_token')?.value ?? '').toBe('');
  await dashboardPage.goto();
  await expect(page).toHaveURL(`${app.spaUrl}/login`);
  await expect(loginPage.element.host).toBeAttached();
});
