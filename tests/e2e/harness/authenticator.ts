// A platform passkey authenticator for the page, through the Chrome DevTools Protocol's virtual WebAuthn
// authenticator: CTAP2, internal transport (a "platform" authenticator, so the elements offer passkeys),
// resident keys (discoverable credentials) and user verification that always succeeds without a prompt.

import type { CDPSession, Page } from '@playwright/test';

/** A credential as CDP's `WebAuthn.getCredentials` returns it (private key included, base64). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export class VirtualAuthenticator {
  private constructor(
    private readonly session: CDPSession,
    readonly authenticatorId: string,
  ) {}

  static async attach(page: Page): Promise<VirtualAuthenticator> {
    const session = await page.context().newCDPSession(page);
    await session.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return new VirtualAuthenticator(session, authenticatorId);
  }

  async credentials(): Promise<VirtualCredential[]> {
    const { credentials } = await this.session.send('WebAuthn.getCredentials', {
      authenticatorId: this.authenticatorId,
    });
    return credentials as VirtualCredential[];
  }

  /** Puts a credential (e.g. from another page's authenticator) into this one: "the same device" across pages. */
  async addCredential(credential: VirtualCredential): Promise<void> {
    await this.session.send('WebAuthn.addCredential', { authenticatorId: this.authenticatorId, credential });
  }

  /** Whether the user "passes" verification (fingerprint, PIN) from now on. */
  async setUserVerified(isUserVerified: boolean): Promise<void> {
    await this.session.send('WebAuthn.setUserVerified', { authenticatorId: this.authenticatorId, isUserVerified });
  }

  async detach(): Promise<void> {
    try {
      await this.session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: this.authenticatorId });
      await this.session.detach();
    } catch {
      // The page may already be closed, which removes the authenticator with it.
    }
  }
}
