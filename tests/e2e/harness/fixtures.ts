// Test fixtures. The stack (three servers, fresh databases) is worker-scoped: started once per worker and torn
// down with it. Playwright replaces a worker after a failed test, so a failure never leaks state into the next
// test. Each test gets a page with a virtual passkey authenticator, the page objects, a mailbox, the backend's
// data, and a unique e-mail address. On failure the server logs and the browser console are attached to the
// report next to the screenshot and trace. Every test fails on a Content-Security-Policy violation in any of its
// pages (harness/csp.ts), on a request to a host outside the stack, and on a console error or uncaught exception
// in any of its pages that it does not expect (`consoleErrors.expect(…)`).

import * as crypto from 'node:crypto';

import { test as base, expect, type Page } from '@playwright/test';

import { VirtualAuthenticator } from './authenticator';
import { BackendData } from './backend-data';
import { CspViolations, describeViolations } from './csp';
import { Mailbox } from './mailbox';
import { FleetStack } from './fleet';
import { Stack, type RunningStack, type StackInfo } from './stack';
import { AccountPage, DashboardPage, LoginPage, RegisterPage } from '../pages/pages';

export interface Fixtures {
  app: StackInfo;
  authenticator: VirtualAuthenticator;
  registerPage: RegisterPage;
  loginPage: LoginPage;
  dashboardPage: DashboardPage;
  accountPage: AccountPage;
  mailbox: Mailbox;
  backendData: BackendData;
  /** A fresh address for this test. */
  email: string;
  diagnostics: void;
  /** The CSP violations of this test's pages; checked after the test (a test that provokes some `take()`s them). */
  cspViolations: CspViolations;
  /** Requests of this test's pages to any host but the SPA's, the auth server's and the backend's; checked after
   * the test like `cspViolations` (issue 13: nothing but the configured hosts). */
  foreignTraffic: ForeignTraffic;
  /** The console errors and uncaught exceptions of this test's pages; checked after the test (issue 13). */
  consoleErrors: ConsoleErrors;
}

/** Every `console.error` (the browser's own "Failed to load resource" lines included) and uncaught exception of a
 * browser context's pages. A test that provokes some on purpose says which with `expect(pattern)`. */
export class ConsoleErrors {
  private seen: string[] = [];
  private expected: RegExp[] = [];

  watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() === 'error') this.seen.push(`${message.text()} (at ${message.location().url || page.url()})`);
    });
    page.on('pageerror', (error) => this.seen.push(`uncaught: ${error.message}`));
  }

  /** Console errors matching `pattern` are this test's to provoke (e.g. a server it stopped). */
  expect(pattern: RegExp): void {
    this.expected.push(pattern);
  }

  /** The browser's "Failed to load resource" for anything under `url` (a refused or failed request the test
   * provokes: a stopped server, a 401 after a session ended). */
  expectFailedLoads(url: string): void {
    const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.expect(new RegExp(`^Failed to load resource: .* \\(at ${escaped}`));
  }

  /** Chromium's own console line for each Content-Security-Policy violation (the violations are checked apart). */
  expectCspViolations(): void {
    this.expect(/Content Security Policy/);
  }

  unexpected(): string[] {
    return this.seen.filter((line) => !this.expected.some((pattern) => pattern.test(line)));
  }
}

/** Every request a browser context makes to an origin outside the stack. */
export class ForeignTraffic {
  private seen: string[] = [];

  constructor(private readonly allowed: Set<string>) {}

  record(url: string): void {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = url;
    }
    // data: and blob: URLs are the page's own bytes; everything with a network origin must be one of ours.
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (!this.allowed.has(origin)) this.seen.push(url);
  }

  requests(): string[] {
    return [...this.seen];
  }

  /** Returns and forgets what was recorded (for a test that makes such requests on purpose). */
  take(): string[] {
    const taken = this.seen;
    this.seen = [];
    return taken;
  }
}

export const test = base.extend<Fixtures, { stack: RunningStack }>({
  stack: [
    // The `fleet` project runs its specs against 2 + 2 instances behind nginx (harness/fleet.ts).
    async ({}, use, workerInfo) => {
      const stack = workerInfo.project.name === 'fleet' ? await FleetStack.start() : await Stack.start();
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],

  app: async ({ stack }, use) => use(stack.info),

  diagnostics: [
    async ({ stack, page }, use, testInfo) => {
      const consoleLines: string[] = [];
      page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('browser-console.txt', { body: consoleLines.join('\n'), contentType: 'text/plain' });
        for (const log of stack.logs()) {
          await testInfo.attach(log.name, { body: log.text, contentType: 'text/plain' });
        }
      }
    },
    { auto: true },
  ],

  cspViolations: [
    // Depends on `page` so that its check runs before the page closes (teardown is in reverse order).
    async ({ context, page }, use) => {
      void page;
      const violations = await CspViolations.record(context);
      await use(violations);
      await violations.settle(context);
      const unexpected = violations.all();
      expect(unexpected, `Content-Security-Policy violations:\n${describeViolations(unexpected)}`).toEqual([]);
    },
    { auto: true },
  ],

  foreignTraffic: [
    async ({ context, page, app }, use) => {
      void page;
      // Each server under both loopback names: the auth server's links (passkey confirmation) use `localhost`.
      const allowed = new Set(
        [app.spaUrl, app.authUrl, app.apiUrl].flatMap((url) => {
          const { protocol, port } = new URL(url);
          return [`${protocol}//localhost:${port}`, `${protocol}//127.0.0.1:${port}`];
        }),
      );
      const traffic = new ForeignTraffic(allowed);
      context.on('request', (request) => traffic.record(request.url()));
      await use(traffic);
      expect(traffic.requests(), 'requests to hosts outside the stack').toEqual([]);
    },
    { auto: true },
  ],

  consoleErrors: [
    async ({ context, page }, use) => {
      const errors = new ConsoleErrors();
      errors.watch(page);
      context.on('page', (other) => errors.watch(other));
      await use(errors);
      expect(errors.unexpected(), 'console errors').toEqual([]);
    },
    { auto: true },
  ],

  authenticator: async ({ page }, use) => {
    const authenticator = await VirtualAuthenticator.attach(page);
    await use(authenticator);
    await authenticator.detach();
  },

  registerPage: async ({ page, app }, use) => use(new RegisterPage(page, app.spaUrl)),
  loginPage: async ({ page, app }, use) => use(new LoginPage(page, app.spaUrl)),
  dashboardPage: async ({ page, app }, use) => use(new DashboardPage(page, app.spaUrl)),
  accountPage: async ({ page, app }, use) => use(new AccountPage(page, app.spaUrl)),
  mailbox: async ({ request, app }, use) => use(new Mailbox(request, app.mailboxUrls ?? [app.authUrl])),
  backendData: async ({ request, app }, use) =>
    use(new BackendData(request, app.apiUrl, app.backendDbUrl ?? app.backendDbFile)),

  email: async ({}, use, testInfo) => {
    const slug = testInfo.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30);
    await use(`${slug}-${crypto.randomBytes(4).toString('hex')}@example.com`);
  },
});

export { expect };

/** The same fixtures on a stack of its own whose auth server gets `authArgs` (e.g. another dev fallback). */
export function testWithAuthArgs(authArgs: string[]) {
  return test.extend<object, { stack: RunningStack }>({
    stack: [
      async ({}, use, workerInfo) => {
        const stack =
          workerInfo.project.name === 'fleet' ? await FleetStack.start(authArgs) : await Stack.start(authArgs);
        await use(stack);
        await stack.stop();
      },
      { scope: 'worker', timeout: 120_000 },
    ],
  });
}

/** The `psg_auth_token` cookie the SPA set, or fails the test if there is none. */
export async function authCookie(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'psg_auth_token');
  expect(cookie, 'the psg_auth_token cookie is set').toBeDefined();
  return cookie!.value;
}

/** Whether the auth server serves an endpoint: a POST with an empty body to a route that exists is refused as a
 * bad request, while a route that does not exist is 404. */
export async function authEndpointExists(page: Page, app: StackInfo, path: string): Promise<boolean> {
  const response = await page.request.post(`${app.authUrl}/v1/apps/${app.appId}${path}`, {
    data: {},
    headers: { 'content-type': 'application/json' },
  });
  return response.status() !== 404;
}

/** The path of each request `page` makes from now on, in order (the auth server's paths are /v1/… and /locales/…). */
export function recordPaths(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => paths.push(new URL(request.url()).pathname));
  return paths;
}
