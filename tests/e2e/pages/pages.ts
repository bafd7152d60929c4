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

  /** Signs in as `email` from the login view: types it, or, when the element remembers it from this browser's last
   * sign-in (`psg_last_login`: the "Welcome back, signing in as" variant, spec §3.4), continues as it. Which view
   * shows depends on whether the element stored the identifier before the page moved on. */
  async signInAs(email: string): Promise<void> {
    // The view shows the address once; the element keeps a second, hidden copy.
    const remembered = this.host.getByText(email, { exact: true }).filter({ visible: true });
    await expect
      .poll(async () => (await this.identifierInput.isVisible()) || (await remembered.isVisible()), { timeout: 15_000 })
      .toBe(true);
    if (await this.identifierInput.isVisible()) return this.submitEmail(email);
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

  /** Opens the page and waits until the app is there: the built page shows the element before the app has
   * loaded (xtask/src/preload.rs), but only the app asks for the name and lets the element register anyone. */
  async goto(): Promise<void> {
    await this.page.goto(`${this.spaUrl}/register`);
    await expect(this.element.emailView).toBeVisible();
    await expect(this.nameInput).toBeVisible();
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
  readonly accountLink: Locator;

  constructor(
    readonly page: Page,
    private readonly spaUrl: string,
  ) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signedInAs = page.locator('.signed-in-as');
    this.status = page.locator('main p.status[role="status"]');
    this.signOutButton = page.getByRole('button', { name: 'Sign out' });
    this.accountLink = page.getByRole('link', { name: 'Account settings' });
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

/** `<passage-profile>` from the outside (auth-server/PROFILE-API.md §5 lists its classes and test ids). */
export class ProfileElement {
  readonly host: Locator;
  readonly emailInput: Locator;
  readonly editEmailButton: Locator;
  readonly saveEmailButton: Locator;
  /** The blue "we've sent a confirmation e-mail" banner after an e-mail change request. */
  readonly emailChangeSent: Locator;
  readonly passkeyRows: Locator;
  readonly emptyTable: Locator;
  readonly addPasskeyButton: Locator;
  readonly addPasskeyPrimaryButton: Locator;
  readonly revokeConfirmButton: Locator;

  constructor(readonly page: Page) {
    this.host = page.locator('passage-profile');
    this.emailInput = this.host.getByTestId('profile-email-input');
    this.editEmailButton = this.host.getByTestId('edit-button');
    this.saveEmailButton = this.host.getByTestId('save-button');
    this.emailChangeSent = this.host.locator('div.feedback.feedback-info');
    this.passkeyRows = this.host.locator('tr.passage-table-row');
    this.emptyTable = this.host.getByTestId('empty-table');
    this.addPasskeyButton = this.host.getByTestId('add-passkey-button');
    this.addPasskeyPrimaryButton = this.host.getByTestId('add-device-primary-button');
    this.revokeConfirmButton = this.host.getByTestId('revoke-passkey-button-confirmation');
  }

  deviceName(i: number): Locator {
    return this.host.getByTestId(`passkey-table-row-${i}-device-name`);
  }

  dateAdded(i: number): Locator {
    return this.host.getByTestId(`passkey-table-row-${i}-device-date-added`);
  }

  editButton(i: number): Locator {
    return this.host.getByTestId(`edit-passkey-button-${i}`);
  }

  revokeButton(i: number): Locator {
    return this.host.getByTestId(`revoke-passkey-button-${i}`);
  }

  /** The displayed row whose device name is `name` (rows are sorted by last use, so indices move). */
  async rowNamed(name: string): Promise<number> {
    await expect(this.passkeyRows.first()).toBeVisible();
    const count = await this.passkeyRows.count();
    for (let i = 0; i < count; i++) {
      if ((await this.deviceName(i).inputValue()) === name) return i;
    }
    throw new Error(`no passkey row named ${JSON.stringify(name)}`);
  }
}

/** `/account`: the name, the profile element, the sessions and account deletion (src/pages/account.rs). */
export class AccountPage {
  readonly profile: ProfileElement;
  readonly heading: Locator;
  readonly nameInput: Locator;
  readonly saveNameButton: Locator;
  readonly sessions: Locator;
  readonly thisSession: Locator;
  readonly signOutEverywhereButton: Locator;
  readonly deleteAccountButton: Locator;
  readonly deleteConfirmation: Locator;
  readonly confirmDeleteButton: Locator;
  readonly deleted: Locator;

  constructor(
    readonly page: Page,
    private readonly spaUrl: string,
  ) {
    this.profile = new ProfileElement(page);
    this.heading = page.getByRole('heading', { level: 1 });
    this.nameInput = page.getByLabel(/name/i);
    this.saveNameButton = page.getByRole('button', { name: 'Save name' });
    this.sessions = page.getByTestId('session');
    this.thisSession = page.locator('[data-testid="session"][data-current="true"]');
    this.signOutEverywhereButton = page.getByRole('button', { name: 'Sign out everywhere' });
    this.deleteAccountButton = page.getByTestId('delete-account');
    this.deleteConfirmation = page.getByTestId('delete-confirmation');
    this.confirmDeleteButton = page.getByTestId('confirm-delete');
    this.deleted = page.getByTestId('account-deleted');
  }

  async goto(): Promise<void> {
    await this.page.goto(`${this.spaUrl}/account`);
  }

  async expectAt(): Promise<void> {
    await expect(this.page).toHaveURL(`${this.spaUrl}/account`);
    await expect(this.heading).toHaveText('Account settings');
  }

  /** The other (not this browser's) sessions' "Sign out" buttons. */
  endOtherSessionButtons(): Locator {
    return this.page.locator('[data-testid="session"][data-current="false"] [data-testid="end-session"]');
  }
}
