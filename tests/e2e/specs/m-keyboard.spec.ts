// (m) Keyboard only (issue 14): registration with a passkey, registration with a one-time code, and signing in
// again, using nothing but page.keyboard (Tab, Shift+Tab, Enter, typing; never a click). Along the way:
// * the Tab order reaches the page's name field before the element's e-mail field;
// * a refused name is announced: the input is aria-invalid and aria-describedby its error, a live region, and
//   focus returns to it;
// * whenever the element changes view, focus moves into the new view (src/view_focus.rs), and the element's link
//   buttons ("Use a code instead") are reachable and work with Enter (src/keyboard_link_buttons.rs);
// * every control that gets focus shows it (a non-none outline or a box-shadow).

import type { Page } from '@playwright/test';

import { expect, test } from '../harness/fixtures';
import { PassageElement } from '../pages/pages';

/** The element that has focus, through open shadow roots: what it is, where it is, and how its focus shows. */
interface Focused {
  tag: string;
  id: string;
  testId: string | null;
  /** The element view it is in (`data-tag` or `view-*` class of its closest view root), or '' outside one. */
  view: string;
  /** Inside a Passage element host (its shadow root or its light DOM). */
  inElement: boolean;
  visibleFocus: boolean;
  focusStyle: string;
}

async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    const viewRoot = element.closest('[data-tag], [class*="view-"]');
    const view = viewRoot
      ? (viewRoot.getAttribute('data-tag') ?? Array.from(viewRoot.classList).find((c) => c.startsWith('view-')) ?? '')
      : '';
    const root = element.getRootNode();
    const host = root instanceof ShadowRoot ? root.host : element.closest('passage-register, passage-login');
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      testId: element.getAttribute('data-testid'),
      view,
      inElement: !!host && /^passage-/i.test(host.tagName),
      visibleFocus: outline || shadow,
      focusStyle: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow}`,
    };
  });
}

/** Waits until the focused element satisfies `check`, then asserts that its focus is visible. */
async function expectFocus(page: Page, what: string, check: (f: Focused) => boolean): Promise<Focused> {
  let last: Focused | null = null;
  try {
    await expect
      .poll(async () => {
        last = await focused(page);
        return last !== null && check(last);
      })
      .toBe(true);
  } catch {
    throw new Error(`focus never reached ${what}; it is on ${JSON.stringify(last)}`);
  }
  const now = last!;
  expect(now.visibleFocus, `${what} shows its focus (${now.focusStyle})`).toBe(true);
  return now;
}

/** Presses Tab (or Shift+Tab) until `check` holds, at most `limit` times; every stop on the way shows its focus. */
async function tabTo(page: Page, what: string, check: (f: Focused) => boolean, key = 'Tab', limit = 12): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    if (now) expect(now.visibleFocus, `${JSON.stringify(now)} shows its focus`).toBe(true);
    if (now && check(now)) return;
  }
  throw new Error(`${key} ×${limit} never reached ${what}; focus is on ${JSON.stringify(await focused(page))}`);
}

const isNameInput = (f: Focused) => f.id === 'name-input';
const isEmailInput = (f: Focused) => f.testId === 'identifier-input';

/** On /register: the name field first, a refused (empty) name announced, then name and e-mail accepted; ends on
 * the passkey prompt with focus inside it. */
async function keyboardRegistrationStart(page: Page, spaUrl: string, name: string, email: string): Promise<void> {
  const element = new PassageElement(page, 'passage-register');
  await page.goto(`${spaUrl}/register`);
  await expect(element.emailView).toBeVisible();

  // Focus starts in the name field, the first control of the form; Tab goes on to the element's e-mail field, and
  // Shift+Tab comes back: the name comes before the e-mail in the Tab order.
  await expectFocus(page, 'the name field', isNameInput);
  await page.keyboard.press('Tab');
  await expectFocus(page, "the element's e-mail field", isEmailInput);
  await page.keyboard.press('Shift+Tab');
  await expectFocus(page, 'the name field again', isNameInput);

  // No name: the e-mail is submitted with Enter, and the page refuses before the element proceeds.
  const nameInput = page.locator('#name-input');
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await expectFocus(page, 'the name field, refused', isNameInput);
  await expect(nameInput).toHaveAttribute('aria-invalid', 'true');
  const describedBy = await nameInput.getAttribute('aria-describedby');
  expect(describedBy, 'the name input is described by its error').toBeTruthy();
  const error = page.locator(`#${describedBy}`);
  await expect(error).not.toBeEmpty();
  // A live region (or an alert), present before the message arrived, so screen readers announce it.
  const live = await error.evaluate((e) => ({ live: e.getAttribute('aria-live'), role: e.getAttribute('role') }));
  expect(live.live === 'polite' || live.live === 'assertive' || live.role === 'alert', JSON.stringify(live)).toBe(true);
  await expect(element.emailView).toBeVisible();

  // Typing a name clears the error; Tab to the e-mail (still filled in) and Enter goes on.
  await page.keyboard.type(name);
  await expect(nameInput).toHaveAttribute('aria-invalid', 'false');
  await expect(error).toBeEmpty();
  await page.keyboard.press('Tab');
  await expectFocus(page, "the element's e-mail field", isEmailInput);
  await expect(element.identifierInput).toHaveValue(email);
  await page.keyboard.press('Enter');

  await expect(element.registerDeviceView).toBeVisible();
  await expectFocus(page, 'a control of the passkey prompt', (f) => f.inElement && f.view === 'register-device-message');
}

test('m: keyboard only: register with a passkey, sign out, sign in again', async ({ page, app, authenticator, email }) => {
  void authenticator; // the platform authenticator the passkey is created on and signed in with
  const name = 'Keyboard Ada';
  await keyboardRegistrationStart(page, app.spaUrl, name, email);

  // The element puts focus on its primary button: Enter creates the passkey.
  await expectFocus(page, 'the passkey button', (f) => f.testId === 'register-main-button');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${app.spaUrl}/dashboard`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Welcome ${name}!`);

  // Tab through the dashboard to "Sign out".
  await tabTo(page, 'Sign out', (f) => f.testId === 'sign-out');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${app.spaUrl}/login`);

  // The login page: focus in the e-mail field; type, Enter, and the passkey signs in.
  const login = new PassageElement(page, 'passage-login');
  await expect(login.emailView).toBeVisible();
  await expectFocus(page, "the login element's e-mail field", isEmailInput);
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${app.spaUrl}/dashboard`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Welcome ${name}!`);
});

test('m: keyboard only: register with a one-time code', async ({ page, app, authenticator, mailbox, email }) => {
  void authenticator; // a device with a passkey authenticator, whose user picks the code instead
  const name = 'Keyboard Mary';
  await keyboardRegistrationStart(page, app.spaUrl, name, email);
  const element = new PassageElement(page, 'passage-register');

  // "Use a code instead" is a link button of the element: reachable by Tab, and Enter follows it.
  await tabTo(page, '"Use a code instead"', (f) => f.testId === 'register-email-button');
  await page.keyboard.press('Enter');
  await expect(element.accessTokenView).toBeVisible();
  await expectFocus(page, 'the first code box', (f) => f.testId === 'otp-single-input-0');

  const code = await mailbox.waitForOtp(email);
  await page.keyboard.type(code);
  await expect(page).toHaveURL(`${app.spaUrl}/dashboard`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Welcome ${name}!`);
});
