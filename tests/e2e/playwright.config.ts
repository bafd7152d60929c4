// The end-to-end suite: the SPA's release build (served statically), the real auth-server and backend on
// ephemeral ports with fresh databases (see harness/stack.ts), driven in Debian's Chromium. Run through
// `cargo xtask test` (which builds everything first), or by hand from this folder with `npx playwright test`
// after `cargo build -p auth-server -p backend` and a `cargo xtask build --dist <E2E_DIST>` (which also writes the
// CSP files the static server sends).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './specs',
  // `single`: every spec against one auth-server and one backend (harness/stack.ts). `fleet`: the registrations
  // and the login again, through nginx to 2 + 2 instances on PostgreSQL and Redis, and what only a fleet can do
  // (harness/fleet.ts). `cargo xtask test` runs them as its `e2e` and `fleet` stages.
  projects: [
    { name: 'single', testIgnore: /k-fleet\.spec\.ts$/ },
    { name: 'fleet', testMatch: /(a-e-passkey|b-otp-magic-link|k-fleet)\.spec\.ts$/ },
  ],
  // The machine has two cores, and the servers and Chromium share them: one test at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The longest scenario waits out the SPA's save-retry schedule (about 15 s) twice.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  outputDir: './test-results',
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1000, height: 800 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    launchOptions: {
      // Debian's Chromium: tests never download a browser of their own.
      executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    },
  },
});
