// (b) Register with a one-time code, and with a magic link (opened in a second tab while the first still polls,
// and in a second tab after the first was closed). Codes and links are read from the auth server's dev mailbox.
// The name is stored once and never overwritten with an empty one.
//
// The dev auth server offers one fallback beside passkeys: OTP by default (the OTP test), a magic link with
// `--dev-fallback magic-link` (the magic-link tests get their own stack, started with that flag).

import type { Page } from '@playwright/test';

import { authCookie, expect, test, testWithAuthArgs } from '../harness/fixtures';
import { tokenSubject } from '../harness/backend-data';
import { DashboardPage, RegisterPage } from '../pages/pages';
import type { StackInfo } from '../harness/stack';

/** The same fixtures, with a stack whose dev app offers magic links instead of OTP. */
const magicLinkTest = testWithAuthArgs(['--dev-fallback', 'magic-link']);

async function appInfo(page: Page, app: StackInfo): Promise<{ auth_methods: Record<string, unknown> }> {
  const response = await page.request.get(`${app.authUrl}/v1/apps/${app.appId}`);
  return (await response.json()).app;
}

test('b: register with a one-time code', async ({
  page, app, registerPage, dashboardPage, authenticator, mailbox, backendData, email,
}) => {
  expect((await appInfo(page, app)).auth_methods.otp, 'the default dev app offers OTP').toBeTruthy();
  const name = 'Mary Jackson';
  void authenticator; // a device with a passkey authenticator, whose user picks the code instead
  await registerPage.goto();
  await registerPage.start(name, email);
  const element = registerPage.element;
  await expect(element.registerDeviceView).toBeVisible();
  // "Use a code instead".
  await element.fallbackButton.click();
  await expect(element.accessTokenView).toBeVisible();
  await expect(registerPage.nameInput).toBeHidden();

  const code = await mailbox.waitForOtp(email);
  await element.typeOtp(code);

  await dashboardPage.expectWelcome(name, email);
  const token = await authCookie(page);
  const rows = backendData.profileRows(tokenSubject(token));
  expect(rows).toHaveLength(1);
  expect(rows[0].name).toBe(name);
});

/** Starts a magic-link registration in `page` and returns the link from the mailbox. */
async function requestMagicLink(page: Page, app: StackInfo, name: string, email: string, mailbox: {
  waitForMagicLink(address: string): Promise<string>;
}): Promise<string> {
  const registerPage = new RegisterPage(page, app.spaUrl);
  await registerPage.goto();
  await registerPage.start(name, email);
  const element = registerPage.element;
  await expect(element.registerDeviceView).toBeVisible();
  await element.fallbackButton.click();
  await expect(element.accessTokenView).toBeVisible();
  await expect(registerPage.nameInput).toBeHidden();
  const link = await mailbox.waitForMagicLink(email);
  expect(link.startsWith(`${app.spaUrl}/`), `the link ${link} opens this app`).toBe(true);
  return link;
}

magicLinkTest.describe('b: register with a magic link', () => {
  magicLinkTest.beforeEach(async ({ page, app }) => {
    const methods = (await appInfo(page, app)).auth_methods;
    expect(methods.magic_link, 'the dev app runs with --dev-fallback magic-link').toBeTruthy();
    expect(methods.otp, 'OTP would win over magic links in the elements').toBeFalsy();
  });

  magicLinkTest('b: magic link opened in a second tab while the first still polls', async ({
    page, context, app, mailbox, backendData, email,
  }) => {
    const name = 'Dorothy Vaughan';
    const link = await requestMagicLink(page, app, name, email, mailbox);

    const second = await context.newPage();
    await second.goto(link);
    // Either tab may finish first; both end on the dashboard with the name, and the name is stored once.
    for (const tab of [second, page]) {
      await new DashboardPage(tab, app.spaUrl).expectWelcome(name, email);
    }
    const token = await authCookie(page);
    const rows = backendData.profileRows(tokenSubject(token));
    expect(rows).toHaveLength(1);
    expect(rows[0].name).toBe(name);
    expect((await backendData.currentUser(token)).body.name).toBe(name);
  });

  magicLinkTest('b: magic link opened in a second tab after the first was closed', async ({
    page, context, app, mailbox, backendData, email,
  }) => {
    const name = 'Annie Easley';
    const link = await requestMagicLink(page, app, name, email, mailbox);
    await page.close();

    const second = await context.newPage();
    await second.goto(link);
    await new DashboardPage(second, app.spaUrl).expectWelcome(name, email);
    const token = await authCookie(second);
    const rows = backendData.profileRows(tokenSubject(token));
    expect(rows).toHaveLength(1);
    expect(rows[0].name).toBe(name);
  });
});
