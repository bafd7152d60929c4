// (f) A misconfigured deployment shows a clear error, never a blank screen: an app id the auth server does not
// know, an auth server that cannot be reached, and (the same promise for the file itself) a config.json that
// lacks a key. Each case serves this build a different config.json, as a mistaken deployment would.

import * as net from 'node:net';

import type { Page } from '@playwright/test';

import { describeViolations } from '../harness/csp';
import { expect, test } from '../harness/fixtures';
import type { StackInfo } from '../harness/stack';

async function serveConfig(page: Page, config: object): Promise<void> {
  await page.route('**/config.json', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(config) }),
  );
}

/** A port on which nothing listens (bound and released at once). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The visible text of the page, shadow roots included (what a user can read). */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const walk = (root: Node) => {
      for (const node of Array.from(root.childNodes)) {
        if (node.nodeType === Node.TEXT_NODE) {
          const parent = node.parentElement;
          if (parent && parent.checkVisibility() && node.textContent!.trim()) parts.push(node.textContent!.trim());
        } else if (node instanceof Element) {
          if (node.shadowRoot) walk(node.shadowRoot);
          walk(node);
        }
      }
    };
    walk(document.body);
    return parts.join(' ');
  });
}

function routes(app: StackInfo) {
  return ['/register', '/login'].map((p) => `${app.spaUrl}${p}`);
}

test('f: an unknown app id shows a clear error', async ({ page, app, consoleErrors }) => {
  consoleErrors.expectFailedLoads(`${app.authUrl}/v1/apps/no-such-app`);
  await serveConfig(page, { app_id: 'no-such-app', auth_url: app.authUrl, api_url: app.apiUrl });
  for (const url of routes(app)) {
    await page.goto(url);
    const tag = url.endsWith('/register') ? 'passage-register' : 'passage-login';
    // The element's own "invalid app" notice, in words (not the bare i18n key), or the app's error box.
    const notice = page.locator(`${tag} [data-testid="invalid-app-id"], [role="alert"]`).first();
    await expect(notice).toBeVisible();
    await expect(notice).not.toHaveText(/invalid-app-id/);
    await expect(notice).toHaveText(/not set up|not configured|unknown app|app id|contact/i);
    // The app, having asked the auth server why, names the app id to fix and the server that does not know it.
    await expect(page.getByRole('alert')).toContainText(`does not know this site's app ID (no-such-app)`);
    await expect(page.getByRole('alert')).toContainText(app.authUrl);
    // And nothing to type into: the form is not offered for an app that does not exist.
    await expect(page.locator(`${tag} .view-email-input`)).toHaveCount(0);
  }
});

test('f: an unreachable auth server shows a clear error', async ({ page, app, cspViolations, consoleErrors }) => {
  const deadAuthUrl = `http://127.0.0.1:${await closedPort()}`;
  // The page's policy names the real auth server, so the browser refuses the dead one before trying it.
  consoleErrors.expectCspViolations();
  consoleErrors.expectFailedLoads(deadAuthUrl);
  await serveConfig(page, { app_id: app.appId, auth_url: deadAuthUrl, api_url: app.apiUrl });
  for (const url of routes(app)) {
    await page.goto(url);
    // The element can only show its bare i18n key (its words come from that same server), so the app says what
    // is wrong and names the server to check.
    const message =
      `We can't reach the sign-in service at ${deadAuthUrl}. ` +
      'Check your connection, or tell the site owner if this persists.';
    await expect(page.getByRole('alert')).toHaveText(message, { timeout: 30_000 });
    const text = await visibleText(page);
    expect(text).toContain(message);
    expect(text).not.toMatch(/invalid-app-id/);
  }
  // The deployed policy names the real auth server, so the browser refuses this config.json's origin before any
  // request (as it would for a config.json swapped without updating the header): those refusals, and only they,
  // are expected here.
  await cspViolations.settle(page.context());
  const refused = cspViolations.take();
  expect(refused.length).toBeGreaterThan(0);
  for (const v of refused) {
    expect(v.effectiveDirective, describeViolations([v])).toBe('connect-src');
    expect(new URL(v.blockedURI).origin, describeViolations([v])).toBe(deadAuthUrl);
  }
});

test('f: a config.json without a key names the key', async ({ page, app }) => {
  await serveConfig(page, { app_id: app.appId, auth_url: app.authUrl });
  await page.goto(`${app.spaUrl}/register`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/not configured/i);
  await expect(page.getByRole('alert')).toContainText('api_url');
});
