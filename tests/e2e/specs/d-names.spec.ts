// (d) Invalid names are refused before the element proceeds, with a visible message in an aria-live region; a
// name with HTML and emoji is stored as it was typed and shown as text.

import { authCookie, expect, test } from '../harness/fixtures';
import { tokenSubject } from '../harness/backend-data';
import type { RegisterPage } from '../pages/pages';
import type { Page } from '@playwright/test';

/** Counts the element's calls that act on the e-mail: creating the user (E3 `POST /users`) and starting any
 * registration (`/register/...`). (The read-only existence lookup, E2, is sent by the element before it asks
 * beforeAuth, so it is not a sign of proceeding.) */
function watchRegistrationCalls(page: Page, authUrl: string): { count: () => number } {
  let calls = 0;
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(`${authUrl}/v1/apps/`) || r.method() === 'OPTIONS') return;
    if ((r.method() === 'POST' && /\/users(\?|$)/.test(url)) || /\/register\//.test(url)) calls++;
  });
  return { count: () => calls };
}

async function expectRefused(registerPage: RegisterPage, message: RegExp): Promise<void> {
  await expect(registerPage.nameError).toBeVisible();
  await expect(registerPage.nameError).toHaveText(message);
  await expect(registerPage.nameError).toHaveAttribute('aria-live', /polite|assertive/);
  await expect(registerPage.nameInput).toHaveAttribute('aria-invalid', 'true');
  // The error is tied to the field for screen readers.
  await expect(registerPage.nameInput).toHaveAttribute('aria-describedby', 'name-error');
  // The element did not proceed: still the email view, the name field still shown.
  await expect(registerPage.element.emailView).toBeVisible();
  await expect(registerPage.element.registerDeviceView).toHaveCount(0);
  await expect(registerPage.nameInput).toBeVisible();
}

test('d: invalid names are refused before the element proceeds', async ({ page, app, registerPage, email }) => {
  const registrationCalls = watchRegistrationCalls(page, app.authUrl);
  await registerPage.goto();
  const element = registerPage.element;

  // Empty (nothing typed), then only white space.
  await element.submitEmail(email);
  await expectRefused(registerPage, /enter your name/i);
  await expect(registerPage.nameInput).toBeFocused();
  await registerPage.nameInput.fill('   ');
  await element.continueButton.click();
  await expectRefused(registerPage, /enter your name/i);

  // Too long. The field's maxlength stops typing at 100 characters...
  await registerPage.nameInput.fill('x'.repeat(101));
  await expect(registerPage.nameInput).toHaveValue('x'.repeat(100));
  // ...and a longer value put there another way (autofill, a script) is still refused by the name rules.
  await registerPage.nameInput.evaluate((input: HTMLInputElement) => {
    input.value = 'y'.repeat(101);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await element.continueButton.click();
  await expectRefused(registerPage, /at most 100 characters/i);

  // Control characters.
  await registerPage.nameInput.fill('Ada\u0007Lovelace');
  await element.continueButton.click();
  await expectRefused(registerPage, /control character/i);
  await registerPage.nameInput.fill('Ada\tLovelace');
  await element.continueButton.click();
  await expectRefused(registerPage, /control character/i);

  // None of the refusals reached the auth server.
  expect(registrationCalls.count(), 'no user created, no registration started while the name is invalid').toBe(0);

  // Fixing the name clears the message as the user types, and the element goes on.
  await registerPage.nameInput.fill('Ada Lovelace');
  await expect(registerPage.nameError).toHaveText('');
  await expect(registerPage.nameInput).toHaveAttribute('aria-invalid', 'false');
  await element.continueButton.click();
  await expect(element.registerDeviceView).toBeVisible();
  expect(registrationCalls.count()).toBeGreaterThan(0);
});

test('d: a name with HTML and emoji is stored and shown as text', async ({
  page, registerPage, dashboardPage, authenticator, backendData, email,
}) => {
  void authenticator; // the page needs a passkey authenticator
  const name = '<b>Ada</b> <img src=x onerror="window.__pwned=1"> 👩‍💻🚀 & "Co"';
  await registerPage.goto();
  await registerPage.registerPasskey(name, email);

  await dashboardPage.expectWelcome(name, email);
  // Shown as text: no element was made from the name, and its script never ran.
  await expect(page.locator('h1 b, h1 img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  const token = await authCookie(page);
  const stored = await backendData.currentUser(token);
  expect(stored.body.name).toBe(name);
  const rows = backendData.profileRows(tokenSubject(token));
  expect(rows).toHaveLength(1);
  expect(rows[0].name).toBe(name);
});
