// Reads what the auth server "sent": its dev mailbox, `GET /dev/mailbox?to=<address>` (only in --dev mode):
// `{"messages": [...]}`, newest first, each `{to, subject, text, kind: "otp" | "magic_link", code | link, sent_at}`.
// The code or link is taken from its own field, and checked against the text a person would read (not from the
// whole message: the address itself may contain six digits in a row).

import type { APIRequestContext } from '@playwright/test';

export interface MailMessage {
  /** The message as the mailbox returned it. */
  raw: unknown;
  /** Every string in it, joined: subject, text and HTML bodies. */
  text: string;
}

function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
}

function fields(message: MailMessage): { code?: string; link?: string; text: string } {
  const raw = (message.raw ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { code: str(raw.code), link: str(raw.link), text: str(raw.text) ?? '' };
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

export class Mailbox {
  /** `authUrls`: every auth-server instance (a fleet's instances each keep what they sent). */
  constructor(
    private readonly request: APIRequestContext,
    private readonly authUrls: string[],
  ) {}

  /** All messages to `address`, newest first, from every instance. */
  async messages(address: string): Promise<MailMessage[]> {
    const all = (
      await Promise.all(
        this.authUrls.map((url) =>
          this.authUrls.length === 1
            ? this.messagesAt(url, address)
            : // A fleet instance that is down (killed on purpose) has nothing to show; the others still do.
              this.messagesAt(url, address).catch((error: Error) => {
                if (/ECONNREFUSED/.test(error.message)) return [];
                throw error;
              }),
        ),
      )
    ).flat();
    const sentAt = (m: MailMessage) => String((m.raw as Record<string, unknown> | null)?.sent_at ?? '');
    // RFC 3339 in UTC sorts as text. One instance's list is already newest first; a stable sort keeps that order.
    return this.authUrls.length === 1 ? all : all.sort((a, b) => sentAt(b).localeCompare(sentAt(a)));
  }

  private async messagesAt(authUrl: string, address: string): Promise<MailMessage[]> {
    const response = await this.request.get(`${authUrl}/dev/mailbox`, { params: { to: address } });
    if (!response.ok()) {
      throw new Error(`GET /dev/mailbox?to=${address}: ${response.status()} ${await response.text()}`);
    }
    const body = await response.json();
    const list: unknown[] = Array.isArray(body) ? body : (body.messages ?? body.mails ?? body.items ?? []);
    return list.map((raw) => {
      const parts: string[] = [];
      strings(raw, parts);
      return { raw, text: parts.join('\n') };
    });
  }

  /** Waits for a message to `address` beyond the first `after` ones, and returns the newest. */
  async waitForMessage(address: string, after = 0, timeoutMs = 20_000): Promise<MailMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = await this.messages(address);
      if (messages.length > after) return messages[0];
      if (Date.now() > deadline) throw new Error(`no new message to ${address} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async waitForOtp(address: string, after = 0): Promise<string> {
    const message = await this.waitForMessage(address, after);
    const { code, text } = fields(message);
    if (!code || !/^[0-9]{6}$/.test(code) || !lines(text).includes(code)) {
      throw new Error(`no 6-digit code on its own line in the message to ${address}:\n${JSON.stringify(message.raw)}`);
    }
    return code;
  }

  async waitForMagicLink(address: string, after = 0): Promise<string> {
    return this.waitForLink(address, 'psg_magic_link', after);
  }

  /** The link of an e-mail change (to the new address): `?psg_verify_link=`, which the auth elements handle. */
  async waitForVerifyLink(address: string, after = 0): Promise<string> {
    return this.waitForLink(address, 'psg_verify_link', after);
  }

  private async waitForLink(address: string, parameter: string, after: number): Promise<string> {
    const message = await this.waitForMessage(address, after);
    const { link, text } = fields(message);
    const shape = new RegExp(`^https?://\\S*[?&]${parameter}=[^\\s&#]+`);
    if (!link || !shape.test(link) || !lines(text).includes(link)) {
      throw new Error(`no ${parameter} link on its own line in the message to ${address}:\n${JSON.stringify(message.raw)}`);
    }
    return link;
  }
}
