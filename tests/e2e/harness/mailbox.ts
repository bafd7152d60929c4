// Reads what the auth server "sent": its dev mailbox, `GET /dev/mailbox?to=<address>` (JSON, newest first; only
// in --dev mode). The exact message fields are the auth server's choice, so this reads the whole message as text
// and looks for what a person would look for: a 6-digit code, or a link carrying `psg_magic_link`.

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

export class Mailbox {
  constructor(
    private readonly request: APIRequestContext,
    private readonly authUrl: string,
  ) {}

  /** All messages to `address`, newest first. */
  async messages(address: string): Promise<MailMessage[]> {
    const response = await this.request.get(`${this.authUrl}/dev/mailbox`, { params: { to: address } });
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
    const code = message.text.match(/(?<![0-9])[0-9]{6}(?![0-9])/);
    if (!code) throw new Error(`no 6-digit code in the message to ${address}:\n${message.text}`);
    return code[0];
  }

  async waitForMagicLink(address: string, after = 0): Promise<string> {
    const message = await this.waitForMessage(address, after);
    const link = message.text.match(/https?:\/\/[^\s"'<>]*psg_magic_link=[^\s"'<>]+/);
    if (!link) throw new Error(`no magic link in the message to ${address}:\n${message.text}`);
    // HTML bodies escape `&` in attribute values.
    return link[0].replace(/&amp;/g, '&');
  }
}
