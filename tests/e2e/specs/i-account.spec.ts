// (i) The account page (issue 10): the real <passage-profile> lists, renames, adds and removes passkeys and changes
// the e-mail address against our auth server; the SPA's own sections list and end sessions and delete the account;
// and an expired auth token is renewed with the refresh token instead of sending the user to /login.
//
// Two virtual authenticators stand for two devices. A second passkey cannot be made on the first one: the auth
// server lists the account's passkeys in `excludeCredentials`, so the authenticator that holds one refuses (as a
// real one does). So "the other device" is a fresh authenticator, and "the first device" later gets only the
// first passkey back (CDP `addCredential`).

import * as crypto from 'node:crypto';
import * as path from 'node:path';

import type { APIRequestContext, Browser, Page, Response } from '@playwright/test';

import { authCookie, expect, test, testWithAuthArgs } from '../harness/fixtures';
import { VirtualAuthenticator } from '../harness/authenticator';
import { tokenSubject } from '../harness/backend-data';
import { docsDir, type StackInfo } from '../harness/stack';
import { AccountPage, DashboardPage, LoginPage, RegisterPage } from '../pages/pages';

/** A README screenshot under docs/ (as in (a)). */
async function docsScreenshot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: path.join(docsDir(), file), animations: 'disabled', caret: 'hide', fullPage: true });
}

async function registerWithPasskey(
  registerPage: RegisterPage, dashboardPage: DashboardPage, name: string, email: string,
): Promise<string> {
  await registerPage.goto();
  await registerPage.registerPasskey(name, email);
  await dashboardPage.expectWelcome(name, email);
  return authCookie(registerPage.page);
}

async function signOut(page: Page, app: StackInfo, dashboardPage: DashboardPage): Promise<void> {
  await dashboardPage.goto();
  await dashboardPage.signOutButton.click();
  await expect(page).toHaveURL(`${app.spaUrl}/login`);
}

async function signInWithPasskey(loginPage: LoginPage, dashboardPage: DashboardPage, name: string, email: string) {
  await loginPage.goto();
  await expect(loginPage.element.emailView).toBeVisible();
  await loginPage.element.submitEmail(email);
  await dashboardPage.expectWelcome(name, email);
}

/** The next answer to `method` on an auth-server path ending in `suffix` (or matching it, for a RegExp). */
function answerTo(page: Page, method: string, suffix: string | RegExp): Promise<Response> {
  const answer = page.waitForResponse((r) => {
    if (r.request().method() !== method) return false;
    const pathname = new URL(r.url()).pathname;
    return typeof suffix === 'string' ? pathname.endsWith(suffix) : suffix.test(pathname);
  });
  answer.catch(() => undefined);
  return answer;
}

async function expectStatus(answer: Response, status: number, what: string): Promise<void> {
  expect(answer.status(), `${what}: ${answer.status()} ${await answer.text().catch(() => '')}`).toBe(status);
}

interface Device {
  id: string;
  friendly_name: string;
  created_at: string;
  last_login_at: string;
}

async function devicesOf(request: APIRequestContext, app: StackInfo, token: string): Promise<Device[]> {
  const response = await request.get(`${app.authUrl}/v1/apps/${app.appId}/currentuser/devices`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(200);
  return (await response.json()).devices;
}

/** Renames the passkey shown in row `i` the way a person does: the pencil, the new name, Enter. */
async function renameRow(account: AccountPage, i: number, name: string): Promise<void> {
  const profile = account.profile;
  const renamed = answerTo(account.page, 'PATCH', /\/currentuser\/devices\/[^/]+$/);
  await profile.editButton(i).click();
  await profile.deviceName(i).fill(name);
  await profile.deviceName(i).press('Enter');
  await expectStatus(await renamed, 200, 'P3 PATCH /currentuser/devices/{id}');
}

test('i: the account page lists the passkey with its real creation date; a rename survives a reload', async ({
  page, app, registerPage, dashboardPage, accountPage, authenticator,
}, testInfo) => {
  void authenticator;
  const name = 'Grace Hopper';
  // A fixed address keeps the README screenshot stable (as in (a)).
  const email =
    testInfo.repeatEachIndex === 0 ? 'grace@example.com' : `grace+${crypto.randomBytes(4).toString('hex')}@example.com`;
  const before = Date.now();
  const token = await registerWithPasskey(registerPage, dashboardPage, name, email);

  await dashboardPage.accountLink.click();
  await accountPage.expectAt();
  const profile = accountPage.profile;
  await expect(profile.passkeyRows).toHaveCount(1);
  await expect(profile.emailInput).toHaveValue(email);
  // The date the element shows is the server's creation time, which is the registration just done.
  const [device] = await devicesOf(page.request, app, token);
  const created = Date.parse(device.created_at);
  expect(created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
  expect(created).toBeLessThanOrEqual(Date.now() + 1000);
  const shown = await page.evaluate(
    (iso) => new Date(iso).toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric' }),
    device.created_at,
  );
  await expect(profile.dateAdded(0)).toContainText(shown);
  await expect(profile.dateAdded(0)).not.toContainText('0001');
  // This browser's session is listed, marked as this device.
  await expect(accountPage.sessions).toHaveCount(1);
  await expect(accountPage.thisSession).toHaveCount(1);

  await renameRow(accountPage, 0, 'Work laptop');
  await page.reload();
  await accountPage.expectAt();
  await expect(profile.deviceName(0)).toHaveValue('Work laptop');
  expect((await devicesOf(page.request, app, await authCookie(page)))[0].friendly_name).toBe('Work laptop');
  await expect(profile.emailInput).toHaveValue(email);
  await docsScreenshot(page, 'account.png');
});

test('i: a second passkey signs in; once the first is removed, it no longer does', async ({
  page, app, registerPage, loginPage, dashboardPage, accountPage, authenticator, email,
}) => {
  const name = 'Margaret Hamilton';
  await registerWithPasskey(registerPage, dashboardPage, name, email);
  const [firstPasskey] = await authenticator.credentials();
  await accountPage.goto();
  await accountPage.expectAt();
  const profile = accountPage.profile;
  await expect(profile.passkeyRows).toHaveCount(1);
  await renameRow(accountPage, 0, 'First passkey');

  // Another device adds a passkey to the account.
  await authenticator.detach();
  const secondDevice = await VirtualAuthenticator.attach(page);
  const finished = answerTo(page, 'POST', '/currentuser/devices/finish');
  await profile.addPasskeyButton.click();
  await profile.addPasskeyPrimaryButton.click();
  await expectStatus(await finished, 200, 'P6 POST /currentuser/devices/finish');
  await expect(profile.passkeyRows).toHaveCount(2);
  const [secondPasskey] = await secondDevice.credentials();
  expect(secondPasskey.credentialId).not.toBe(firstPasskey.credentialId);

  // The second passkey signs in.
  await signOut(page, app, dashboardPage);
  await signInWithPasskey(loginPage, dashboardPage, name, email);
  const [used] = await secondDevice.credentials();
  expect(used.signCount, 'the second passkey signed the sign-in').toBeGreaterThan(secondPasskey.signCount);

  // Remove the first passkey (this session was started by the second one, so it goes on).
  await accountPage.goto();
  await accountPage.expectAt();
  await expect(profile.passkeyRows).toHaveCount(2);
  const row = await profile.rowNamed('First passkey');
  const removed = answerTo(page, 'DELETE', /\/currentuser\/devices\/[^/]+$/);
  await profile.revokeButton(row).click();
  await profile.revokeConfirmButton.click();
  await expectStatus(await removed, 204, 'P4 DELETE /currentuser/devices/{id}');
  await expect(profile.passkeyRows).toHaveCount(1);
  await expect(profile.deviceName(0)).not.toHaveValue('First passkey');
  await page.reload();
  await accountPage.expectAt();
  await expect(profile.passkeyRows).toHaveCount(1);

  // The first device, holding only the removed passkey, cannot sign in with it.
  await signOut(page, app, dashboardPage);
  await secondDevice.detach();
  const firstDevice = await VirtualAuthenticator.attach(page);
  await firstDevice.addCredential(firstPasskey);
  const passkeyFinishes: Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.endsWith('/login/webauthn/finish')) passkeyFinishes.push(r);
  });
  await loginPage.goto();
  await expect(loginPage.element.emailView).toBeVisible();
  await loginPage.element.submitEmail(email);
  // The element asks the authenticator for the account's passkeys, which the first device no longer has: it gets
  // none, and the sign-in falls back to a code instead of completing.
  await expect(loginPage.element.accessTokenView.or(loginPage.element.webauthnSignInView)).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(page).toHaveURL(`${app.spaUrl}/login`);
  expect(passkeyFinishes.filter((r) => r.ok()), 'no passkey sign-in succeeded').toHaveLength(0);
  const [stale] = await firstDevice.credentials();
  expect(stale.signCount, 'the removed passkey signed nothing').toBe(firstPasskey.signCount);
});

test('i: the e-mail changes only through the link to the new address, which then signs in', async ({
  page, app, registerPage, loginPage, dashboardPage, accountPage, authenticator, mailbox, email,
}) => {
  void authenticator;
  const name = 'Hedy Lamarr';
  const token = await registerWithPasskey(registerPage, dashboardPage, name, email);
  const userId = tokenSubject(token);
  const newEmail = `moved-${email}`;
  // The owner keeps the passkey through the link mailed at registration. (A passkey never confirmed is removed when
  // an address of the account is first proven, the change link included: auth-server README, threat model.)
  const confirmation = await mailbox.waitForMessage(email);
  const confirmLink = (confirmation.raw as { link?: string }).link;
  expect(confirmLink, 'the passkey confirmation link').toMatch(/\/passkeys\/confirm\?token=/);
  await page.goto(confirmLink!);
  await page.getByRole('button', { name: 'Keep this passkey, it is mine' }).click();
  await expect(page.locator('body')).toContainText(/kept|confirmed/i);
  const toldBefore = (await mailbox.messages(email)).length;

  await accountPage.goto();
  await accountPage.expectAt();
  const profile = accountPage.profile;
  await expect(profile.emailInput).toHaveValue(email);
  await profile.editEmailButton.click();
  await profile.emailInput.fill(newEmail);
  const requested = answerTo(page, 'PATCH', '/currentuser/email');
  await profile.saveEmailButton.click();
  await expectStatus(await requested, 200, 'P8 PATCH /currentuser/email');
  await expect(profile.emailChangeSent).toBeVisible();

  const link = await mailbox.waitForVerifyLink(newEmail);
  // The old address is told, without a link that could complete the change.
  const requestNotice = await mailbox.waitForMessage(email, toldBefore);
  expect(requestNotice.text).toContain(newEmail);
  expect(requestNotice.text).not.toContain('psg_verify_link');
  // Nothing changed yet.
  const lookup = async (address: string) =>
    (await (await page.request.get(`${app.authUrl}/v1/apps/${app.appId}/users`, { params: { identifier: address } }))
      .json()).user;
  expect((await lookup(email))?.id).toBe(userId);
  expect(await lookup(newEmail)).toBeNull();

  // The link, opened in this browser, proves the new address and signs in with it.
  await page.goto(link);
  await dashboardPage.expectWelcome(name, newEmail);
  expect(tokenSubject(await authCookie(page)), 'the same account').toBe(userId);
  expect((await lookup(newEmail))?.id).toBe(userId);
  expect(await lookup(email)).toBeNull();
  await mailbox.waitForMessage(email, toldBefore + 1); // "your address was changed"

  // The link is single use.
  const replay = await page.request.patch(`${app.authUrl}/v1/apps/${app.appId}/magic-link/activate`, {
    data: { magic_link: new URL(link).searchParams.get('psg_verify_link') },
  });
  expect(replay.status()).toBe(404);

  // Next time the passkey signs in with the new address.
  await signOut(page, app, dashboardPage);
  await signInWithPasskey(loginPage, dashboardPage, name, newEmail);
});

async function newDevice(browser: Browser, app: StackInfo, credentials: Parameters<VirtualAuthenticator['addCredential']>[0][]) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const authenticator = await VirtualAuthenticator.attach(page);
  for (const credential of credentials) await authenticator.addCredential(credential);
  return {
    context,
    page,
    authenticator,
    loginPage: new LoginPage(page, app.spaUrl),
    dashboardPage: new DashboardPage(page, app.spaUrl),
    accountPage: new AccountPage(page, app.spaUrl),
  };
}

test('i: ending another session and signing out everywhere, from a second browser', async ({
  browser, page, app, registerPage, loginPage, dashboardPage, accountPage, authenticator, email, consoleErrors,
}) => {
  // This browser's session is ended from the other one: its next calls are refused until it signs in again.
  consoleErrors.expectFailedLoads(`${app.authUrl}/v1/apps/${app.appId}/`);
  const name = 'Radia Perlman';
  await registerWithPasskey(registerPage, dashboardPage, name, email);
  const other = await newDevice(browser, app, await authenticator.credentials());
  try {
    await signInWithPasskey(other.loginPage, other.dashboardPage, name, email);
    await other.accountPage.goto();
    await other.accountPage.expectAt();
    await expect(other.accountPage.sessions).toHaveCount(2);
    await expect(other.accountPage.thisSession).toHaveCount(1);

    // The second browser ends the first one's session: the first is sent to sign in on its next account visit.
    const ended = answerTo(other.page, 'DELETE', /\/currentuser\/sessions\/[^/]+$/);
    await other.accountPage.endOtherSessionButtons().first().click();
    await expectStatus(await ended, 204, 'DELETE /currentuser/sessions/{id}');
    await expect(other.accountPage.sessions).toHaveCount(1);
    await accountPage.goto();
    await expect(page).toHaveURL(`${app.spaUrl}/login`);
    await other.page.reload();
    await other.accountPage.expectAt();
    await expect(other.accountPage.sessions).toHaveCount(1);

    // Signed in again in the first browser; then "sign out everywhere" in the second ends both. The passkey is the
    // second browser's copy, with its signature counter: an older copy's lower counter is refused as a clone.
    await authenticator.detach();
    const synced = await VirtualAuthenticator.attach(page);
    for (const credential of await other.authenticator.credentials()) await synced.addCredential(credential);
    await signInWithPasskey(loginPage, dashboardPage, name, email);
    const refreshToken = await page.evaluate(() => localStorage.getItem('psg_refresh_token'));
    expect(refreshToken).toBeTruthy();
    await other.page.reload();
    await expect(other.accountPage.sessions).toHaveCount(2);
    await other.accountPage.signOutEverywhereButton.click();
    await expect(other.page).toHaveURL(`${app.spaUrl}/login`);
    const refresh = await page.request.post(`${app.authUrl}/v1/apps/${app.appId}/tokens`, {
      data: { refresh_token: refreshToken },
    });
    expect(refresh.status(), 'the first browser\'s refresh token is revoked').toBe(401);
    await accountPage.goto();
    await expect(page).toHaveURL(`${app.spaUrl}/login`);
  } finally {
    await other.context.close();
  }
});

test('i: deleting the account removes the profile and the auth user; the address registers anew', async ({
  page, app, registerPage, dashboardPage, accountPage, authenticator, backendData, email,
}) => {
  void authenticator;
  const name = 'Frances Allen';
  const token = await registerWithPasskey(registerPage, dashboardPage, name, email);
  const userId = tokenSubject(token);
  expect(backendData.profileRows(userId)).toHaveLength(1);

  await accountPage.goto();
  await accountPage.expectAt();
  await accountPage.deleteAccountButton.click();
  // The confirmation names what goes.
  await expect(page.getByTestId('delete-list').getByRole('listitem')).toHaveText([
    `your name "${name}"`,
    'your passkey',
    /sessions/,
    new RegExp(`account for ${email.replace(/[.+]/g, '\\$&')}$`),
  ]);
  const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url() === `${app.apiUrl}/user`);
  await accountPage.confirmDeleteButton.click();
  await expectStatus(await deleted, 204, 'backend DELETE /user');
  await expect(accountPage.deleted).toBeVisible();

  expect(backendData.profileRows(userId), 'the profile row is gone').toHaveLength(0);
  const managed = await page.request.get(`${app.managementUrl}/v1/apps/${app.appId}/users/${userId}`, {
    headers: { authorization: `Bearer ${app.apiKey}` },
  });
  expect(managed.status(), 'the auth user is gone').toBe(404);
  expect((await managed.json()).code).toBe('user_not_found');
  expect((await page.context().cookies()).find((c) => c.name === 'psg_auth_token')?.value ?? '').toBe('');

  // The same address registers again, as a new user.
  const newName = 'Frances E. Allen';
  const newToken = await registerWithPasskey(registerPage, dashboardPage, newName, email);
  const newUserId = tokenSubject(newToken);
  expect(newUserId).not.toBe(userId);
  expect(backendData.profileRows(newUserId)).toHaveLength(1);
});

/** The same fixtures, with a stack whose auth tokens live 5 seconds (refresh tokens as usual). */
const shortTokenTest = testWithAuthArgs(['--dev-auth-token-lifetime-secs', '5']);

shortTokenTest('i: an expired auth token is renewed silently; the user lands on the dashboard', async ({
  page, app, registerPage, dashboardPage, accountPage, authenticator, email,
}) => {
  void authenticator;
  const name = 'Barbara Liskov';
  const first = await registerWithPasskey(registerPage, dashboardPage, name, email);
  // Past the token's lifetime: the cookie (whose max-age is the token's) is gone, the element's copy expired.
  await page.waitForTimeout(6_000);
  const payload = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString('utf8'));
  expect(payload.exp * 1000).toBeLessThan(Date.now());

  const refreshed = answerTo(page, 'POST', '/tokens');
  await dashboardPage.goto();
  await expectStatus(await refreshed, 200, 'E18 POST /tokens');
  await dashboardPage.expectWelcome(name, email);
  const renewed = await authCookie(page);
  expect(renewed).not.toBe(first);
  expect(tokenSubject(renewed)).toBe(tokenSubject(first));

  // The account page renews before the profile element loads, so the element shows the user.
  await page.waitForTimeout(6_000);
  await accountPage.goto();
  await accountPage.expectAt();
  await expect(accountPage.profile.emailInput).toHaveValue(email);
  await expect(accountPage.profile.passkeyRows).toHaveCount(1);
});
