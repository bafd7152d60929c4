// (l) Accessibility (issue 14): axe-core finds no WCAG 2.2 AA violation (tags wcag2a, wcag2aa, wcag21a, wcag21aa,
// wcag22aa) on any page a visitor meets — the register e-mail view, the passkey prompt, the code (OTP) view, the
// dashboard, the account page, the configuration error page and the not-found page — in the light and the dark
// colour scheme, with the elements' open shadow roots included. Each page runs in English and in Arabic
// (`locale`, which sets navigator.languages and Accept-Language): until the SPA's translations land, Arabic may
// still render English, and this spec asserts nothing about the language, only about accessibility.
//
// Violations inside a vendored element that neither its CSS custom properties nor `::part` can fix are listed in
// `VENDORED`, each narrowed to its rule and its node (harness/axe.ts); none today.

import type { Page } from '@playwright/test';

import { expectAccessible, type KnownViolation } from '../harness/axe';
import { expect, test } from '../harness/fixtures';
import { PassageElement } from '../pages/pages';

const VENDORED: KnownViolation[] = [];

/** Waits until every finite animation and transition in the document and the shadow roots has ended, so axe
 * measures colours as they rest (a spinner's infinite rotation is left alone). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const roots: (Document | ShadowRoot)[] = [document];
    const walk = (root: Document | ShadowRoot) => {
      for (const element of Array.from(root.querySelectorAll('*'))) {
        if (element.shadowRoot) {
          roots.push(element.shadowRoot);
          walk(element.shadowRoot);
        }
      }
    };
    walk(document);
    const finite = roots
      .flatMap((root) => root.getAnimations())
      .filter((animation) => animation.effect?.getTiming().iterations !== Infinity);
    await Promise.all(finite.map((animation) => animation.finished.catch(() => undefined)));
  });
}

/** One `<main>` landmark and one `<h1>` on the page, shadow roots included (Playwright's CSS locators pierce
 * open shadow roots). */
async function expectOneMainAndHeading(page: Page): Promise<void> {
  await expect(page.locator('main')).toHaveCount(1);
  await expect(page.locator('h1')).toHaveCount(1);
}

async function check(page: Page, view: string): Promise<void> {
  await settle(page);
  await expectOneMainAndHeading(page);
  await expectAccessible(page, view, VENDORED);
}

for (const locale of ['en', 'ar']) {
  test.describe(`l: accessibility (${locale})`, () => {
    test.use({ locale });

    test(`l (${locale}): the register e-mail view, the passkey prompt and the code view`, async ({
      page, app, authenticator, email,
    }) => {
      void authenticator; // a device with a platform authenticator: the element offers a passkey first
      const element = new PassageElement(page, 'passage-register');
      await page.goto(`${app.spaUrl}/register`);
      await expect(element.emailView).toBeVisible();
      await expect(page.locator('#name-input')).toBeVisible();
      await check(page, 'the register e-mail view');

      await page.locator('#name-input').fill('Ada Lovelace');
      await element.submitEmail(email);
      await expect(element.registerDeviceView).toBeVisible();
      await check(page, 'the passkey prompt');

      await element.fallbackButton.click();
      await expect(element.accessTokenView).toBeVisible();
      await expect(element.otpInput(0)).toBeVisible();
      await check(page, 'the code view');
    });

    test(`l (${locale}): the dashboard and the account page`, async ({ page, app, authenticator, email }) => {
      void authenticator;
      const element = new PassageElement(page, 'passage-register');
      const name = 'Grace Hopper';
      await page.goto(`${app.spaUrl}/register`);
      await expect(element.emailView).toBeVisible();
      await page.locator('#name-input').fill(name);
      await element.submitEmail(email);
      await element.registerWithPasskeyButton.click();

      await expect(page).toHaveURL(`${app.spaUrl}/dashboard`);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
      await check(page, 'the dashboard');

      await page.goto(`${app.spaUrl}/account`);
      await expect(page.locator('#name-input')).toHaveValue(name);
      await expect(page.locator('passage-profile tr.passage-table-row').first()).toBeVisible();
      await expect(page.getByTestId('session').first()).toBeVisible();
      await check(page, 'the account page');
    });

    test(`l (${locale}): the configuration error page`, async ({ page, app }) => {
      // A config.json without `api_url`, as a mistaken deployment would serve it.
      await page.route('**/config.json', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ app_id: app.appId, auth_url: app.authUrl }),
        }),
      );
      await page.goto(`${app.spaUrl}/register`);
      await expect(page.getByRole('alert')).toContainText('api_url');
      await check(page, 'the configuration error page');
    });

    test(`l (${locale}): the not-found page`, async ({ page, app }) => {
      await page.goto(`${app.spaUrl}/no-such-page`);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.getByRole('link')).toHaveCount(1);
      await check(page, 'the not-found page');
    });
  });
}

test('l: prefers-reduced-motion stops the fades of the elements\' buttons', async ({ page, app }) => {
  const element = new PassageElement(page, 'passage-register');
  const longestTransition = () =>
    element.continueButton.evaluate((button) =>
      Math.max(...getComputedStyle(button).transitionDuration.split(',').map((d) => parseFloat(d))),
    );
  await page.goto(`${app.spaUrl}/register`);
  await expect(element.continueButton).toBeVisible();
  // The element fades its buttons' colours by itself…
  expect(await longestTransition()).toBeGreaterThan(0.1);
  // …and not when the user asks for less motion (style/main.css, through ::part(button)).
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await longestTransition()).toBeLessThanOrEqual(0.001);
});
