// (n) Languages and small screens (issue 14).
//
// The register page in each of the SPA's 12 languages, chosen the way a visitor chooses it: by the browser's
// language (`locale`, which sets navigator.languages and Accept-Language). The page's heading and the element's
// Continue button are translated (the latter by the auth server's element text), <html> carries the language and
// the direction, and the name field and the element are on screen. Each language leaves a screenshot
// `register-<lang>.png` in docsDir() (target/ by default; `E2E_DOCS_DIR=docs` refreshes the README's).
//
// Then the layout at 320 CSS px wide (WCAG 1.4.10 reflow) and at 200 % zoom (a 1280 px window zoomed to 200 % lays
// out like a 640 px viewport at device scale factor 2): no horizontal scroll, and the controls a visitor needs lie
// inside the viewport's width, on /register, /login and /dashboard, in English and in Arabic (right to left).

import * as path from 'node:path';

import type { Locator, Page } from '@playwright/test';

import { expect, test } from '../harness/fixtures';
import { docsDir } from '../harness/stack';
import { PassageElement } from '../pages/pages';

const LANGUAGES = ['en', 'es', 'fr', 'de', 'pt-BR', 'it', 'nl', 'pl', 'ja', 'zh-CN', 'ko', 'ar'];
const ENGLISH_HEADING = 'Create your account';
const ENGLISH_CONTINUE = 'Continue';

for (const lang of LANGUAGES) {
  test.describe(`n: register page (${lang})`, () => {
    test.use({ locale: lang });

    test(`n (${lang}): the register page is in ${lang}`, async ({ page, app }) => {
      const element = new PassageElement(page, 'passage-register');
      await page.goto(`${app.spaUrl}/register`);
      await expect(element.emailView).toBeVisible();

      const heading = page.getByRole('heading', { level: 1 });
      if (lang === 'en') {
        await expect(heading).toHaveText(ENGLISH_HEADING);
        await expect(element.continueButton).toHaveText(ENGLISH_CONTINUE);
      } else {
        await expect(heading).not.toHaveText(ENGLISH_HEADING);
        await expect(heading).not.toBeEmpty();
        // The element's text comes from the auth server after the view shows: wait until it is not English.
        await expect(element.continueButton).not.toHaveText(ENGLISH_CONTINUE);
        await expect(element.continueButton).not.toBeEmpty();
      }
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.locator('html')).toHaveAttribute('dir', lang === 'ar' ? 'rtl' : 'ltr');
      await expect(page.locator('#name-input')).toBeVisible();
      await expect(element.host).toBeVisible();
      await expect(element.identifierInput).toBeVisible();
      // The element's e-mail label starts where the direction starts (its stylesheet said `left`; vendoring makes
      // it `start`): on the right in Arabic, on the left otherwise.
      const gap = await page.evaluate((rtl) => {
        const root = document.querySelector('passage-register')!.shadowRoot!;
        const input = root.querySelector('[data-testid="identifier-input"]') as HTMLElement;
        const label = input.closest('div')!.parentElement!.querySelector('.label') as HTMLElement;
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = range.getBoundingClientRect();
        const box = label.getBoundingClientRect();
        return rtl ? box.right - text.right : text.left - box.left;
      }, lang === 'ar');
      expect(gap, 'the label text starts at its box\'s start edge').toBeLessThan(2);

      await page.screenshot({
        path: path.join(docsDir(), `register-${lang}.png`),
        animations: 'disabled',
        caret: 'hide',
      });
    });
  });
}

/** What makes a field look the way it does, read from the computed style. */
async function fieldLook(page: Page): Promise<{ page: Record<string, string>; element: Record<string, string> }> {
  return page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    const root = document.querySelector('passage-register')!.shadowRoot!;
    const input = root.querySelector('[data-testid="identifier-input"]') as HTMLElement;
    (root.activeElement as HTMLElement | null)?.blur();
    const label = input.closest('div')!.parentElement!.querySelector('.label') as HTMLElement;
    const look = (label: Element, input: Element) => {
      const l = getComputedStyle(label);
      const i = getComputedStyle(input);
      return {
        labelFont: `${l.fontWeight} ${l.fontSize} ${l.fontFamily}`,
        labelColor: l.color,
        labelToInput: `${Math.round(input.getBoundingClientRect().top - label.getBoundingClientRect().bottom)}px`,
        inputFont: `${i.fontWeight} ${i.fontSize} ${i.fontFamily}`,
        inputColor: i.color,
        inputHeight: `${Math.round(input.getBoundingClientRect().height)}px`,
        inputBorder: `${i.borderTopWidth} ${i.borderTopStyle} ${i.borderTopColor}`,
        inputRadius: i.borderTopLeftRadius,
        inputPadding: i.paddingInlineStart,
      };
    };
    return {
      page: look(document.querySelector('label[for="name-input"]')!, document.querySelector('#name-input')!),
      element: look(label, input),
    };
  });
}

test("n: the name field looks like the element's e-mail field", async ({ page, app }) => {
  const element = new PassageElement(page, 'passage-register');
  await page.goto(`${app.spaUrl}/register`);
  await expect(element.emailView).toBeVisible();
  await expect(page.locator('#name-input')).toBeVisible();
  const { page: ours, element: theirs } = await fieldLook(page);
  expect(ours).toEqual(theirs);
});

/** The two narrow layouts: a 320 px phone, and a 1280 × 800 window at 200 % zoom. */
const NARROW = [
  { label: '320 px', viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 },
  { label: '200 % zoom', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
];

/** The page does not scroll sideways. */
async function expectNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = document.scrollingElement!;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  expect(scrollWidth, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(clientWidth);
}

/** `control` is shown and lies within the viewport's width (it may be below the fold: the page scrolls down). */
async function expectWithinWidth(page: Page, control: Locator, what: string): Promise<void> {
  await expect(control, `${what} is visible`).toBeVisible();
  const box = await control.boundingBox();
  const width = await page.evaluate(() => document.scrollingElement!.clientWidth);
  expect(box, `${what} has a box`).not.toBeNull();
  expect(box!.x, `${what} starts inside the viewport`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} ends inside the viewport (${width} px)`).toBeLessThanOrEqual(width + 0.5);
}

for (const lang of ['en', 'ar']) {
  for (const { label, viewport, deviceScaleFactor } of NARROW) {
    test.describe(`n: narrow layout (${lang}, ${label})`, () => {
      test.use({ locale: lang, viewport, deviceScaleFactor });

      test(`n (${lang}, ${label}): register, login and dashboard fit the width`, async ({
        page, app, authenticator, email,
      }) => {
        void authenticator; // a device with a platform authenticator, for the registration below
        const login = new PassageElement(page, 'passage-login');
        await page.goto(`${app.spaUrl}/login`);
        await expect(login.emailView).toBeVisible();
        await expectNoHorizontalScroll(page, '/login');
        await expectWithinWidth(page, login.identifierInput, "the element's e-mail input");
        await expectWithinWidth(page, login.continueButton, "the element's Continue button");
        await expectWithinWidth(page, page.getByTestId('language-picker'), 'the language picker');

        const register = new PassageElement(page, 'passage-register');
        await page.goto(`${app.spaUrl}/register`);
        await expect(register.emailView).toBeVisible();
        await expectNoHorizontalScroll(page, '/register');
        await expectWithinWidth(page, page.locator('#name-input'), 'the name field');
        await expectWithinWidth(page, register.identifierInput, "the element's e-mail input");
        await expectWithinWidth(page, register.continueButton, "the element's Continue button");

        const name = 'Grace Hopper';
        await page.locator('#name-input').fill(name);
        await register.submitEmail(email);
        await register.registerWithPasskeyButton.click();
        await expect(page).toHaveURL(`${app.spaUrl}/dashboard`);
        await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
        await expectNoHorizontalScroll(page, '/dashboard');
        await expectWithinWidth(page, page.getByRole('heading', { level: 1 }), 'the heading');
        await expectWithinWidth(page, page.getByTestId('account-link'), 'the account link');
        await expectWithinWidth(page, page.getByTestId('sign-out'), 'the sign-out button');
      });
    });
  }
}
