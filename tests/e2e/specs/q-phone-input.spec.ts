// (q) The phone input on demand (issue 13, goal 2). `cargo xtask vendor` moves intl-tel-input out of the code every
// element loads into a module of its own, imported when a phone input first shows, and serves its stylesheet,
// number rules (utils.js) and flag images from beside the elements instead of a public CDN (xtask/src/vendor.rs).
//
// This auth server offers e-mail identifiers only, so an app here never shows a phone input: the first test is
// every deployment's case. The others play an app that allows phone numbers, as a Passage-compatible server that
// keeps them would answer, by rewriting the one field of the app info that says so (`allowed_identifier`); the
// element, its phone input and every file they load are the real ones. The fixtures fail any of these tests on a
// request to another host (the CDN) or a CSP violation.

import type { Page } from '@playwright/test';

import { authCookie, expect, recordPaths, test } from '../harness/fixtures';
import type { StackInfo } from '../harness/stack';

const PHONE_INPUT_MODULE = /^\/vendor\/passage-elements\/chunks\/intl-tel-input-[^/]+\.js$/;
const PHONE_INPUT_FILES = /^\/vendor\/passage-elements\/intl-tel-input\//;
/** The one phone-input file every view links (the element appends it to its shadow root whatever the app allows). */
const PHONE_INPUT_STYLESHEET = '/vendor/passage-elements/intl-tel-input/css/intlTelInput.css';

/** Answers the element's app-info request with `allowed_identifier` (and `required_identifier`) set to `allowed`. */
async function allowIdentifiers(page: Page, app: StackInfo, allowed: 'phone' | 'both'): Promise<void> {
  await page.route(`${app.authUrl}/v1/apps/${app.appId}`, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.app.allowed_identifier = allowed;
    body.app.required_identifier = allowed;
    await route.fulfill({ response, json: body });
  });
}

/** What intl-tel-input's code says in every build (a property name, which minification keeps). */
const PHONE_INPUT_CODE = 'startedLoadingAutoCountry';

test('q: an e-mail-only app never downloads the phone input', async ({ page, registerPage }) => {
  const paths = recordPaths(page);
  const elementCode: Promise<string>[] = [];
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/vendor/passage-elements/') && pathname.endsWith('.js')) elementCode.push(response.text());
  });
  await registerPage.goto();
  // Digits in an e-mail-only identifier input are just text.
  await registerPage.element.identifierInput.fill('+1 201 555 0123');
  await expect(registerPage.element.host.locator('.iti')).toHaveCount(0);
  await registerPage.element.identifierInput.fill('someone@example.com');
  const phoneInputFiles = paths.filter((p) => PHONE_INPUT_MODULE.test(p) || PHONE_INPUT_FILES.test(p));
  expect(phoneInputFiles.filter((p) => p !== PHONE_INPUT_STYLESHEET)).toEqual([]);
  // None of the element code the page downloaded is the phone input's.
  const downloaded = await Promise.all(elementCode);
  expect(downloaded.length).toBeGreaterThan(1);
  expect(downloaded.filter((code) => code.includes(PHONE_INPUT_CODE))).toEqual([]);
});

test('q: an app that allows phone numbers loads the phone input when a number is typed', async ({
  page,
  app,
  registerPage,
}) => {
  await allowIdentifiers(page, app, 'both');
  const paths = recordPaths(page);
  await registerPage.goto();
  expect(paths.filter((p) => PHONE_INPUT_MODULE.test(p)), 'not before a number is typed').toEqual([]);

  const { host, identifierInput } = registerPage.element;
  await identifierInput.fill('+1 201 555 0123');
  const country = host.locator('.iti__selected-country');
  await expect(country).toBeVisible();
  // intl-tel-input recognised the dial code: its own country data, from the module loaded just now.
  await expect(country).toHaveAttribute('title', /United States/);
  expect(paths.filter((p) => PHONE_INPUT_MODULE.test(p))).toHaveLength(1);
  const module = await page.request.get(`${app.spaUrl}${paths.find((p) => PHONE_INPUT_MODULE.test(p))}`);
  expect(await module.text()).toContain(PHONE_INPUT_CODE);
  // Its number rules (libphonenumber) came from beside the elements and ran: the number, national now that the
  // selector shows the country, is formatted as the country writes it.
  await expect.poll(() => paths.includes('/vendor/passage-elements/intl-tel-input/utils.js')).toBe(true);
  await expect.poll(() => identifierInput.inputValue()).toBe('(201) 555-0123');
  // Its flags are the vendored images (the CDN would have failed the foreign-traffic check).
  await expect.poll(() => paths.some((p) => /^\/vendor\/passage-elements\/intl-tel-input\/img\/flags/.test(p))).toBe(true);

  // Back to an e-mail address: the country selector goes, and the element goes on as an e-mail form.
  await identifierInput.fill('someone@example.com');
  await expect(country).toBeHidden();
  await expect(host.locator('.iti')).toHaveCount(0);
});

test('q: a phone-only app shows the phone input at once', async ({ page, app, registerPage }) => {
  await allowIdentifiers(page, app, 'phone');
  await page.goto(`${app.spaUrl}/register`);
  const { host, identifierInput } = registerPage.element;
  await expect(host.locator('.iti__selected-country')).toBeVisible();
  await identifierInput.fill('2015550123');
  await expect.poll(() => identifierInput.inputValue()).toBe('(201) 555-0123');
});

test("q: the profile element's phone number gets the phone input too", async ({
  page,
  app,
  authenticator,
  registerPage,
  dashboardPage,
  accountPage,
  email,
}) => {
  void authenticator;
  await registerPage.goto();
  await registerPage.registerPasskey('Phone Person', email);
  await dashboardPage.expectWelcome('Phone Person', email);
  await authCookie(page);

  await allowIdentifiers(page, app, 'both');
  const paths = recordPaths(page);
  await accountPage.goto();
  const phone = accountPage.profile.host.locator('.iti [data-testid="profile-phone-input"]');
  await expect(phone).toBeVisible();
  await expect(accountPage.profile.host.locator('.iti__selected-country')).toBeVisible();
  expect(paths.filter((p) => PHONE_INPUT_MODULE.test(p))).toHaveLength(1);
});
