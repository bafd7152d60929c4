// Page objects: what a user sees and does on each page, in the user's words. The elements' shadow roots are open,
// and Playwright's CSS and test-id locators pierce open shadow roots, so element internals are reached through
// the element host. View classes and test ids are those of passage-elements 2.0.9 (passage-auth-api.md §7.3).

import { expect, type Locator, type Page } from '@playwright/test';

/** `<passage-register>` or `<passage-login>`, from the outside. */
export class PassageElement {
  readonly host: Locator;
  readonly emailView: Locator;
  readonly identifierInput: Locator;
  readonly continueButton: Locator;
  readonly validationError: Locator;
  readonly invalidAppNotice: Locator;
  // Passkey registration prompt (has no view-* class, only this data-tag).
  readonly registerDeviceView: Locator;
  readonly registerWithPasskeyButton: Locator;
  readonly changeEmailButton: Locator;
  /** "Use a code / link instead": the fallback link on the passkey views. */
  readonly fallbackButton: Locator;
  readonly webauthnSignInView: Locator;
  /** OTP entry and "magic link sent" share this class. */
  readonly accessTokenView: Locator;
  readonly addDeviceView: Locator;
  readonly skipAddDeviceButton: Locator;

  constructor(
    readonly page: Page,
    tag: 'passage-register' | 'passage-login',
  ) {
    this.host = page.locator(tag);
    this.emailView = this.host.locator('.view-email-input');
    this.identifierInput = this.host.getByTestId('identifier-input');
    this.continueButton = this.host.getByTestId('continue-button');
    this.validationError = this.host.getByTestId('validation-error');
    this.invalidAppNotice = this.host.getByTestId('invalid-app-id');
    this.registerDeviceView = this.host.locator('[data-tag="register-device-message"]');
    this.registerWithPasskeyButton = this.host.getByTestId('register-main-button');
    this.changeEmailButton = this.host.getByTestId('change-email-button');
    this.fallbackButton = this.host.getByTestId('register-email-button');
    this.webauthnSignInView = this.host.locator('.view-webauthn-sign-in');
    this.accessTokenView = this.host.locator('.view-access-token');
    this.addDeviceView = this.host.locator('.view-add-device');
    this.skipAddDeviceButton = this.host.getByTestId('add-device-skip');
  }

  /** The six OTP boxes live in the host's light DOM (slot `otpInput`). */
  otpInput(i: number): Locator {
    return this.page.getByTestId(`otp-single-input-${i}`);
  }

  async submitEmail(email: string): Promise<void> {
    await this.identifierInput.fill(email);
    await this.continueButton.click();
  }

  async typeOtp(code: string): Promise<void> {
    await expect(this.otpInput(0)).toBeVisible();
    // One digit per box, as a person types; the element submits by itself after the sixth.
    for (let i = 0; i < 6; i++) {
      await this.otpInput(i).pressSequentially(code[i]);
    }
  }
}

export class RegisterPage {
  readonly element: PassageElement;
  readonly nameInput: Locator;
  readonly nameError: Locator;
  readonly status: Locator;
  readonly loginLink: Locator;

  constructor(
    readonly page: Page,
    private readonly spaUrl: string,
  ) {
    this.element = new PassageElement(page, 'passage-register');
    this.nameInput = page.getByLabel(/name/i);
    this.nameError = page.locator('#name-error');
    this.status = page.locator('main p.status[role="status"]');
    this.loginLink = page.getByRole('link', { name: 'Log in' });
  }

  async goto(): Promise<void> {
    await this.page.goto(`${this.spaUrl}/register`);
    await expect(this.element.emailView).toBeVisible();
  }

  /** Name, then e-mail, then Continue: what a new user does on the first view. */
  async start(name: string, email: string): Promise<void> {
    await this.nameInput.fill(name);
    await this.element.submitEmail(email);
  }

  async registerPasskey(name: string, email: string): Promise<void> {
    await this.start(name, email);
    await expect(this.element.registerDeviceView).toBeVisible();
    await this.element.registerWithPasskeyButton.click();
  }
}

export class LoginPage {
  readonly element: PassageElement;

  constructor(
    readonly page: Page,
    private readonly spaUrl: string,
  ) {
    this.element = new PassageElement(page, 'passage-login');
  }

  async goto(): Promise<void> {
    await this.page.goto(`${this.spaUrl}/login`);
    await expect(this.element.host).toBeAttached();
  }
}

export class DashboardPage {
  readonly heading: Locator;
  readonly signedInAs: Locator;
  readonly status: Locator;
  readonly signOutButton: Locator;
  readonly nameInput: Locator;
  readonly saveNameButton: Locator;
  readonly problem: Locator;

  constructor(
    readonly page: Page,
    private readonly spaUrl: string,
  ) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signedInAs = page.locator('.signed-in-as');
    this.status = page.locator('main p.status[role="status"]');
    this.signOutButton = page.getByRole('button', { name: 'Sign out' });
    this.nameInput = page.getByLabel(/name/i);
    this.saveNameButton = page.getByRole('button', { name: 'Save name' });
    this.problem = page.locator('.profile [role="alert"]');
  }

  async goto(): Promise<void> {
    await this.page.goto(`${this.spaUrl}/dashboard`);
  }

  async expectAt(options?: { timeout?: number }): Promise<void> {
    await expect(this.page).toHaveURL(`${this.spaUrl}/dashboard`, options);
  }

  async expectWelcome(name: string, email: string): Promise<void> {
    await this.expectAt();
    await expect(this.heading).toHaveText(`Welcome ${name}!`);
    await expect(this.signedInAs).toContainText(email);
  }
}
