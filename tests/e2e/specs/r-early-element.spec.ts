// (r) The register element from the HTML (issue 13, goal 3): on /register the built page's preloader creates
// `<passage-register>` before the wasm has arrived (xtask/src/preload.rs), and the app takes that same element
// over (src/early_element.rs). Each test holds the wasm back, so "before the app" is a state the test controls,
// not a race: the page is then only the HTML, the stylesheet, the element and config.json.

import type { Page } from '@playwright/test';

import { expect, recordPaths, test } from '../harness/fixtures';
import { PassageElement } from '../pages/pages';

/** Holds every request for the app's wasm until `release()` is called. */
async function holdWasm(page: Page): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await released;
    // A page the test has left meanwhile has dropped its request.
    await route.continue().catch(() => undefined);
  });
  return release;
}

/** The number of `<passage-register>` elements once the preloader's work is done: the page imports the element's
 * module itself, and its import settles after the preloader's (which was first), so the preloader has created its
 * element by then, if it was going to. */
async function registerElementsOnceDefined(page: Page): Promise<number> {
  await page.waitForFunction(() => customElements.get('passage-register') !== undefined);
  return page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="modulepreload"][href$="passage-register.js"]');
    await import(link!.href);
    await new Promise((resolve) => setTimeout(resolve, 0));
    return document.querySelectorAll('passage-register').length;
  });
}

test('r: the register form shows before the app, and the app takes it over with what was typed', async ({
  page,
  app,
  registerPage,
  dashboardPage,
  authenticator,
  email,
}) => {
  void authenticator;
  const release = await holdWasm(page);
  // What the element asks the auth server to do: it looks the address up (GET …/users) before it calls
  // `beforeAuth`; creating the user (POST …/users) and everything after come only once `beforeAuth` said yes.
  const writes: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') writes.push(new URL(request.url()).pathname);
  });
  const element = registerPage.element;
  await page.goto(`${app.spaUrl}/register`, { waitUntil: 'commit' });

  // Only the HTML's work so far: the element in the page's frame, no name field yet.
  await expect(element.identifierInput).toBeVisible();
  await expect(page.locator('body > .boot-shell.early passage-register[data-early]')).toHaveCount(1);
  await expect(registerPage.nameInput).toHaveCount(0);
  await expect(page.locator('.boot-shell')).not.toHaveAttribute('aria-hidden', 'true');
  await expect(page.locator('.early-placeholder')).toHaveAttribute('aria-hidden', 'true');
  await expect(element.host).toHaveAttribute('app-id', 'dev-app');
  await expect(element.host).toHaveAttribute('lang', 'en');
  await page.evaluate(() => Object.assign(document.querySelector('passage-register')!, { earlyProbe: 'same node' }));

  // Continue before the app is there registers nobody. (All but the last letter is an address too: "….co".)
  const typedFirst = email.slice(0, -1);
  await element.identifierInput.click();
  await page.keyboard.type(typedFirst);
  await element.continueButton.click();
  await expect(element.emailView).toBeVisible();
  await element.identifierInput.click();
  await page.keyboard.press('End');

  release();
  await expect(registerPage.nameInput).toBeVisible();
  // The same element, moved into the page; the frame is gone; the typing goes on where it was.
  await expect(page.locator('.boot-shell')).toHaveCount(0);
  await expect(page.locator('main.auth-page .element-slot passage-register')).toHaveCount(1);
  expect(await page.evaluate(() => (document.querySelector('passage-register') as { earlyProbe?: string }).earlyProbe)).toBe(
    'same node',
  );
  await expect(element.host).not.toHaveAttribute('data-early');
  // The refused Continue is answered now: the page asks for the name (without taking the focus from the e-mail).
  await expect(registerPage.nameError).not.toBeEmpty();
  await page.keyboard.type(email.slice(-1));
  await expect(element.identifierInput).toHaveValue(email);
  await expect(registerPage.nameInput).toHaveValue('');

  // The app's callbacks are the element's now: without a name it is asked for, with one the sign-up completes.
  await element.continueButton.click();
  await expect(registerPage.nameError).not.toBeEmpty();
  await expect(registerPage.nameInput).toBeFocused();
  expect(writes, 'what the element asked the auth server to do before a name was given').toEqual([]);
  await registerPage.nameInput.fill('Early Bird');
  await element.continueButton.click();
  await expect(element.registerDeviceView).toBeVisible();
  await element.registerWithPasskeyButton.click();
  await dashboardPage.expectWelcome('Early Bird', email);
  expect(writes).toContain('/v1/apps/dev-app/users');
});

test('r: the app fetches config.json once, taking the response the HTML asked for', async ({ page, registerPage }) => {
  const paths = recordPaths(page);
  await registerPage.goto();
  expect(paths.filter((p) => p === '/config.json')).toHaveLength(1);
  expect(paths.filter((p) => p === '/vendor/passage-elements/passage-register.js')).toHaveLength(1);
});

test('r: on /register the wasm downloads after the element’s modules; elsewhere it starts from the HTML', async ({
  page,
  app,
  registerPage,
  loginPage,
}) => {
  // In the order the browser reports them: when each element file has arrived, when the wasm was asked for.
  const events: string[] = [];
  page.on('requestfinished', (request) => events.push(`arrived ${new URL(request.url()).pathname}`));
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) events.push('asked for the wasm');
  });
  const wasmPreloads = () => page.locator('link[rel="preload"][type="application/wasm"]').count();
  await registerPage.goto();
  const elementFiles = await page.$$eval('link[rel="modulepreload"][href*="passage-elements/"]', (links) =>
    links.map((link) => new URL((link as HTMLLinkElement).href).pathname),
  );
  expect(elementFiles.length, 'the element and its chunks are preloaded').toBeGreaterThan(1);
  const askedAt = events.indexOf('asked for the wasm');
  expect(askedAt, events.join('\n')).toBeGreaterThan(0);
  for (const file of elementFiles) {
    const arrivedAt = events.indexOf(`arrived ${file}`);
    const order = `${file} before the wasm:\n${events.join('\n')}`;
    expect(arrivedAt, order).toBeGreaterThanOrEqual(0);
    expect(arrivedAt, order).toBeLessThan(askedAt);
  }
  expect(await wasmPreloads()).toBe(0);

  // The login page (and a link carrying `psg_`, which gets no early element) preload the wasm from the HTML.
  await loginPage.goto();
  expect(await wasmPreloads()).toBe(1);
  const release = await holdWasm(page);
  await page.goto(`${app.spaUrl}/register?psg_magic_link=not-a-real-link`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('link[rel="preload"][type="application/wasm"]') !== null);
  release();
});

test('r: a magic link gets no element before the app: its onSuccess must be the app’s', async ({ page, app }) => {
  const release = await holdWasm(page);
  await page.goto(`${app.spaUrl}/register?psg_magic_link=not-a-real-link`, { waitUntil: 'commit' });
  expect(await registerElementsOnceDefined(page)).toBe(0);
  release();
});

test('r: other pages get no element before the app', async ({ page, app }) => {
  const release = await holdWasm(page);
  await page.goto(`${app.spaUrl}/register`, { waitUntil: 'commit' });
  expect(await registerElementsOnceDefined(page)).toBe(1);
  // The login page preloads its own element and creates none.
  await page.goto(`${app.spaUrl}/login`, { waitUntil: 'commit' });
  await page.waitForFunction(() => customElements.get('passage-login') !== undefined);
  await expect(page.locator('.boot-shell')).toHaveAttribute('aria-hidden', 'true');
  await expect(page.locator('passage-login, passage-register')).toHaveCount(0);
  release();
});

test('r: a configuration error shows in place of the early element', async ({ page, app }) => {
  const release = await holdWasm(page);
  // Valid for the preloader, refused by the app: the theme must be one of three words.
  await page.route('**/config.json', async (route) => {
    const config = JSON.parse(await (await route.fetch()).text());
    await route.fulfill({ json: { ...config, theme: 'Dark' } });
  });
  await page.goto(`${app.spaUrl}/register`, { waitUntil: 'commit' });
  await expect(new PassageElement(page, 'passage-register').identifierInput).toBeVisible();
  release();
  await expect(page.getByRole('alert')).toContainText('key "theme"');
  await expect(page.locator('passage-register, .boot-shell')).toHaveCount(0);
});

test('r: a mistyped path under /register/ shows the not-found page, not the early element', async ({ page, app }) => {
  const release = await holdWasm(page);
  await page.goto(`${app.spaUrl}/register/typo`, { waitUntil: 'commit' });
  await expect(new PassageElement(page, 'passage-register').identifierInput).toBeVisible();
  release();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('passage-register, .boot-shell')).toHaveCount(0);
});

test('r: an element the app reads another configuration for is replaced by the app’s own', async ({ page, app }) => {
  const release = await holdWasm(page);
  await page.goto(`${app.spaUrl}/register`, { waitUntil: 'commit' });
  const element = new PassageElement(page, 'passage-register');
  await expect(element.identifierInput).toBeVisible();
  await page.evaluate(() => {
    const early = document.querySelector('passage-register') as HTMLElement & { psgEarly: { auth: string } };
    Object.assign(early, { earlyProbe: 'early' });
    // As if the preloader had read auth_url differently from the app.
    early.psgEarly.auth = 'http://elsewhere.invalid';
  });
  release();
  await expect(page.getByLabel(/name/i)).toBeVisible();
  await expect(page.locator('passage-register')).toHaveCount(1);
  await expect(page.locator('.boot-shell')).toHaveCount(0);
  expect(await page.evaluate(() => (document.querySelector('passage-register') as { earlyProbe?: string }).earlyProbe)).toBe(
    undefined,
  );
  await expect(element.identifierInput).toBeVisible();
});

// The preloader chooses the element's language with its own few lines (it runs before the app's code exists);
// they must agree with the app's choice (src/i18n), or the element would switch language as the app takes over.
for (const [locale, stored, expected] of [
  ['de-AT', null, 'de'],
  ['pt-PT', null, 'pt-BR'],
  ['zh-TW', null, 'en'],
  ['zh-Hans-HK', null, 'zh-CN'],
  ['sv-SE', null, 'en'],
  ['de-DE', 'ja', 'ja'],
] as const) {
  test.describe(`r: language (${locale}${stored ? `, chosen ${stored}` : ''})`, () => {
    test.use({ locale });

    test(`r (${locale}${stored ? `, chosen ${stored}` : ''}): the early element speaks the app's language`, async ({
      page,
      app,
    }) => {
      if (stored) await page.addInitScript((code) => localStorage.setItem('spa_lang', code), stored);
      const release = await holdWasm(page);
      await page.goto(`${app.spaUrl}/register`, { waitUntil: 'commit' });
      const host = new PassageElement(page, 'passage-register').host;
      await expect(host).toHaveAttribute('data-early');
      await expect(host).toHaveAttribute('lang', expected);
      release();
      await expect(page.locator('#name-input')).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', expected);
      await expect(host).toHaveAttribute('lang', expected);
      await expect(page.locator('.boot-shell')).toHaveCount(0);
    });
  });
}
