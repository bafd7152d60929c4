// Benchmarks that need a browser (bench/*.bench.ts), run by `cargo xtask bench` (e.g. `--only firstpaint`), not
// by the test stages: same Chromium and launch options as the suite, one page at a time, no retries.
import { defineConfig } from '@playwright/test';

import suite from './playwright.config';

export default defineConfig({
  testDir: './bench',
  testMatch: /\.bench\.ts$/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30 * 60_000,
  outputDir: './test-results/bench',
  reporter: 'list',
  use: { ...suite.use, trace: 'off', screenshot: 'off' },
});
