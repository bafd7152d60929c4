// (p) No waterfall (issue 13, goal 3): the built page starts downloading the current route's element modules and
// config.json from the HTML (xtask/src/preload.rs, index.html), and the app then uses those downloads instead of
// fetching again. How fast that is, is measured by `cargo xtask bench --only firstpaint`, not here.

import type { Page } from '@playwright/test';

import { expect, recordPaths, test } from '../harness/fixtures';

async function modulePreloads(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]')].map((l) => new URL(l.href).pathname),
  );
}

test('p: the register page preloads its element and config.json, and fetches each once', async ({ page, registerPage }) => {
  const paths = recordPaths(page);
  await registerPage.goto();
  const preloads = await modulePreloads(page);
  expect(preloads).toContain('/vendor/passage-elements/passage-register.js');
  expect(preloads.some((p) => p.startsWith('/vendor/passage-elements/chunks/'))).toBe(true);
  expect(preloads).not.toContain('/vendor/passage-elements/passage-login.js');
  await expect(page.locator('link[rel="preload"][as="fetch"][href="config.json"]')).toHaveCount(1);
  // The app's own fetch of config.json and its module script took the preloaded responses.
  expect(paths.filter((p) => p === '/config.json')).toHaveLength(1);
  expect(paths.filter((p) => p === '/vendor/passage-elements/passage-register.js')).toHaveLength(1);
  for (const chunk of preloads.filter((p) => p.includes('/chunks/'))) {
    expect(paths.filter((p) => p === chunk), chunk).toHaveLength(1);
  }
});

test('p: the login page preloads the login element, not the register element', async ({ page, loginPage }) => {
  const paths = recordPaths(page);
  await loginPage.goto();
  await expect(loginPage.element.identifierInput).toBeVisible();
  const preloads = await modulePreloads(page);
  expect(preloads).toContain('/vendor/passage-elements/passage-login.js');
  expect(preloads).not.toContain('/vendor/passage-elements/passage-register.js');
  expect(paths).not.toContain('/vendor/passage-elements/passage-register.js');
});

test('p: the register element downloads its locale file once, though it asks for it twice', async ({ page, registerPage }) => {
  // The element asks for its language's file as it starts, and for the app's default language's (here the same
  // en.json) once app info arrives. Held back a little, the first request is still on its way then, as on a slow
  // link, where the element used to download the file a second time (xtask/src/vendor.rs LOCALE_REQUESTS_SHARED).
  await page.route('**/locales/v2/en.json', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });
  const paths = recordPaths(page);
  await registerPage.goto();
  await expect(registerPage.element.identifierInput).toBeVisible();
  // The UI text arrived (a missing locale shows the i18n keys).
  await expect(registerPage.element.host.getByText('register-with-a-passkey')).toHaveCount(0);
  expect(paths.filter((p) => p === '/locales/v2/en.json')).toHaveLength(1);
});
