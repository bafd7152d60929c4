// (o) Branding per deployment (issue 14): a config.json with `app_name`, `logo_url`, `primary_color` and
// `theme: "dark"` gives the page its title, a header with the logo, the dark palette and the primary colour on
// the SPA's and the element's buttons (black text on this light orange, by WCAG luminance), and the element its
// `theme` attribute; axe finds no WCAG 2.2 AA violation on it. Writes the README screenshot `docs/branded-dark.png`.

import * as path from 'node:path';

import type { Page } from '@playwright/test';

import { expectAccessible } from '../harness/axe';
import { expect, test } from '../harness/fixtures';
import { docsDir, type StackInfo } from '../harness/stack';

const PRIMARY = '#f97316';
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="19" fill="#f97316"/>' +
  '<path d="M20 7c5 4 7 10 6 17l-6 6-6-6c-1-7 1-13 6-17z" fill="#1e2126"/></svg>';

/** Serves this run's config.json with the branding keys, and the logo beside it (same origin, so the CSP's
 * `img-src 'self'` allows it). */
async function serveBranded(page: Page, app: StackInfo, theme: string): Promise<void> {
  await page.route('**/config.json', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        app_id: app.appId,
        auth_url: app.authUrl,
        api_url: app.apiUrl,
        app_name: 'Acme Rockets',
        logo_url: 'branding/logo.svg',
        primary_color: PRIMARY,
        theme,
      }),
    }),
  );
  await page.route('**/branding/logo.svg', (route) =>
    route.fulfill({ status: 200, contentType: 'image/svg+xml', body: LOGO_SVG }),
  );
}

test('o: a branded dark deployment', async ({ page, app, registerPage }) => {
  await serveBranded(page, app, 'dark');
  await registerPage.goto();
  await expect(registerPage.nameInput).toBeVisible();
  await expect(registerPage.element.continueButton).toBeVisible();

  await expect(page).toHaveTitle('Acme Rockets');
  const logo = page.locator('header.site-header img.site-logo');
  await expect(logo).toHaveAttribute('alt', 'Acme Rockets');
  await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('passage-register')).toHaveAttribute('theme', 'dark');

  const colours = (locator: ReturnType<Page['locator']>) =>
    locator.evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]);
  // The element's primary button and the page's card follow the configuration.
  expect(await colours(registerPage.element.continueButton)).toEqual(['rgb(249, 115, 22)', 'rgb(0, 0, 0)']);
  expect((await colours(page.locator('main')))[0]).toBe('rgb(30, 33, 38)');

  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(docsDir(), 'branded-dark.png'), animations: 'disabled', caret: 'hide' });
  await expectAccessible(page, 'the branded dark register page');
});

test('o: theme "auto" follows prefers-color-scheme', async ({ page, app, registerPage }) => {
  await serveBranded(page, app, 'auto');
  await page.emulateMedia({ colorScheme: 'dark' });
  await registerPage.goto();
  await expect(registerPage.element.continueButton).toBeVisible();
  await expect(page.locator('passage-register')).toHaveAttribute('theme', 'auto');
  const cardBackground = () => page.locator('main').evaluate((e) => getComputedStyle(e).backgroundColor);
  expect(await cardBackground()).toBe('rgb(30, 33, 38)');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(cardBackground).toBe('rgb(255, 255, 255)');
  await expectAccessible(page, 'the branded auto register page');
});
