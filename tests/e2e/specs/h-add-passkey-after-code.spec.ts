// (h) The elements' own "add a passkey" prompt after a code sign-in still works now that adding a passkey needs a
// fresh sign-in (issue 9 item 2: E16/E17 refuse a token whose `auth_time` is older than the app's
// `reauthentication_window_secs`, 600 s by default). A code sign-in starts a new session, so its token is fresh.
//
// When the prompt appears (passage-elements 2.0.9, vendor/passage-elements/chunks/*.js):
// * On /login, after the e-mail, the element looks at the account's `webauthn_types`. With no passkey (and a
//   fallback method offered) it goes to the code view by itself: `EmailOrSMSAuth` with `userInitiated: false`.
// * When the code is accepted (`EmailOrSMSAuthSuccess`) it pushes `AddDeviceView` (`.view-add-device`) if the
//   browser has a platform authenticator (`passkeyFeatures.platform`, here the CDP virtual one) and the fallback was
//   not user-initiated; otherwise (the user clicked "use a code instead", as at registration) it signs in directly.
// * The view's `save-device-button` calls `currentUser.addPasskey()` (E16 start, E17 finish, with the new token)
//   and then completes the sign-in; on failure it stays and says "failed to add this device" with "try again".
//   `add-device-skip` completes the sign-in without a passkey.
// So the account is registered with a code first (it then has no passkey), signed out, and signed in with a code.
// A refusal of E16/E17 fails the test with the auth server's status and body (checked by making
// `require_recent_sign_in` refuse every token: "E16 POST /currentuser/devices/start: 401
// {"code":"insufficient_user_authentication",...}").

import type { Page, Response } from '@playwright/test';

import { authCookie, expect, test } from '../harness/fixtures';
import type { Mailbox } from '../harness/mailbox';
import type { StackInfo } from '../harness/stack';
import type { DashboardPage, LoginPage, RegisterPage } from '../pages/pages';

/** Registers `name`/`email` with a one-time code ("use a code instead"), as in (b); ends on the dashboard. */
async function registerWithCode(
  registerPage: RegisterPage, dashboardPage: DashboardPage, mailbox: Mailbox, name: string, email: string,
): Promise<void> {
  await registerPage.goto();
  await registerPage.start(name, email);
  const element = registerPage.element;
  await expect(element.registerDeviceView).toBeVisible();
  await element.fallbackButton.click();
  await expect(element.accessTokenView).toBeVisible();
  await element.typeOtp(await mailbox.waitForOtp(email));
  await dashboardPage.expectWelcome(name, email);
}

async function signOut(page: Page, app: StackInfo, dashboardPage: DashboardPage): Promise<void> {
  await dashboardPage.signOutButton.click();
  await expect(page).toHaveURL(`${app.spaUrl}/login`);
}

/** On /login: the e-mail, then the code view the element chose by itself, then the code from the mailbox; ends on
 * the element's add-device prompt. */
async function signInWithCodeToAddDevicePrompt(
  loginPage: LoginPage, mailbox: Mailbox, email: string,
): Promise<void> {
  const sentBefore = (await mailbox.messages(email)).length;
  await loginPage.goto();
  const element = loginPage.element;
  await expect(element.emailView).toBeVisible();
  await element.submitEmail(email);
  // No passkey on the account: straight to the code, without a "use a code instead" click.
  await expect(element.accessTokenView).toBeVisible();
  await element.typeOtp(await mailbox.waitForOtp(email, sentBefore));
  await expect(element.addDeviceView).toBeVisible();
  await expect(element.skipAddDeviceButton).toBeVisible();
}

/** The auth server's next answer to E16 (`start`) or E17 (`finish`), the add-passkey ceremony of the current user. */
function addDeviceAnswer(page: Page, step: 'start' | 'finish'): Promise<Response> {
  const answer = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(`/currentuser/devices/${step}`),
  );
  // Never answered when an earlier step fails; that failure is the one reported.
  answer.catch(() => undefined);
  return answer;
}

/** Fails with the answer's status and body unless it is a 200 (a refusal names itself precisely). */
async function expectAccepted(answer: Response, what: string): Promise<void> {
  expect(answer.status(), `${what}: ${answer.status()} ${await answer.text()}`).toBe(200);
}

test('h: after a code sign-in the element adds a passkey, and it signs in next time', async ({
  page, app, registerPage, loginPage, dashboardPage, authenticator, mailbox, email,
}) => {
  const name = 'Katherine Johnson';
  await registerWithCode(registerPage, dashboardPage, mailbox, name, email);
  expect(await authenticator.credentials(), 'registered with a code: no passkey yet').toHaveLength(0);
  await signOut(page, app, dashboardPage);

  await signInWithCodeToAddDevicePrompt(loginPage, mailbox, email);
  const element = loginPage.element;
  const saveDeviceButton = element.host.getByTestId('save-device-button');
  const sentBefore = (await mailbox.messages(email)).length;
  const started = addDeviceAnswer(page, 'start');
  const finished = addDeviceAnswer(page, 'finish');
  await saveDeviceButton.click();
  // Both ceremonies accept the token of the code sign-in (a stale one is refused: 401
  // insufficient_user_authentication, and the element says "failed to add this device").
  await expectAccepted(await started, 'E16 POST /currentuser/devices/start');
  await expectAccepted(await finished, 'E17 POST /currentuser/devices/finish');
  await dashboardPage.expectWelcome(name, email);

  // The passkey really exists: on the device, on the account, and the owner was told.
  const credentials = await authenticator.credentials();
  expect(credentials, 'one passkey on the authenticator').toHaveLength(1);
  expect(credentials[0].rpId).toBe('localhost');
  const token = await authCookie(page);
  const current = await page.request.get(`${app.authUrl}/v1/apps/${app.appId}/currentuser`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(current.status()).toBe(200);
  const user = (await current.json()).user;
  expect(user.webauthn).toBe(true);
  expect(user.webauthn_devices).toHaveLength(1);
  const notice = await mailbox.waitForMessage(email, sentBefore);
  expect((notice.raw as { subject: string }).subject).toMatch(/^A passkey was added to your .* account$/);

  // Next time the passkey signs in, with no code sent and no prompt.
  await signOut(page, app, dashboardPage);
  const sentBeforePasskey = (await mailbox.messages(email)).length;
  await loginPage.goto();
  await expect(element.emailView).toBeVisible();
  await element.submitEmail(email);
  await dashboardPage.expectWelcome(name, email);
  const [used] = await authenticator.credentials();
  expect(used.signCount, 'the passkey signed the sign-in').toBeGreaterThan(credentials[0].signCount);
  expect(await mailbox.messages(email), 'no code was sent').toHaveLength(sentBeforePasskey);
});

test('h: after a code sign-in, skipping the add-device prompt still signs in', async ({
  page, app, registerPage, loginPage, dashboardPage, authenticator, mailbox, email,
}) => {
  const name = 'Christine Darden';
  await registerWithCode(registerPage, dashboardPage, mailbox, name, email);
  await signOut(page, app, dashboardPage);

  await signInWithCodeToAddDevicePrompt(loginPage, mailbox, email);
  const sentBefore = (await mailbox.messages(email)).length;
  await loginPage.element.skipAddDeviceButton.click();
  await dashboardPage.expectWelcome(name, email);
  expect(await authenticator.credentials(), 'skipped: no passkey').toHaveLength(0);
  expect(await mailbox.messages(email), 'no "passkey added" notice').toHaveLength(sentBefore);
});
