// First paint of the register page (issue 13, goal 3): the time from navigation start until the element's e-mail
// input is visible, in Chromium with a slow mobile network and CPU (CDP: 150 ms RTT, 1.6 Mbps down, 750 kbps up,
// 4x CPU slowdown, cache disabled, a fresh context per load), served by real nginx with the README's static-host
// recipe (compression included). Median of FIRSTPAINT_RUNS cold loads per page. Run by `cargo xtask bench --only
// firstpaint`, which builds what this needs; it prints the medians and writes FIRSTPAINT_OUT (JSON).
//
// The pages, each with an auth-server of its own (the app's auth_origin is the page's origin):
//   ours       FIRSTPAINT_DIST, the SPA's release build with its CSP (`cargo xtask build`; unset: left out)
//   baseline   FIRSTPAINT_BASELINE_DIST (optional), another such build, e.g. main's, for a before/after
//   seed-style the page the SPA replaced: bench/seed-style.html with Bootstrap's CSS, jQuery and the npm element's
//              unminified modules (FIRSTPAINT_SEED_ELEMENTS: the package's dist/package with only our URL patches)
//
// This measures; it asserts nothing about time (machines are noisy). A load that never shows the input fails.

import { test, type Browser } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { nginxBinary, nginxConf } from '../harness/nginx';
import { APP_ID, binDir, freePort, ServerProcess } from '../harness/stack';
import { indexWithMeta, originSwaps, readHeadersFile, retargetPolicy } from '../harness/static-server';

/** Chromium DevTools' "Slow 4G"-like profile of the issue: latency is added per request, throughput in bytes/s. */
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const CPU_SLOWDOWN = 4;
const RUNS = Number(process.env.FIRSTPAINT_RUNS ?? 5);
const E2E_DIR = path.resolve(__dirname, '..');
/** nginx's brotli modules, as `cargo xtask bench` installed them (xtask/src/setup.rs NGINX_BROTLI_MODULES). */
const BROTLI_MODULES = (process.env.FIRSTPAINT_NGINX_MODULES ?? '').split(':').filter((module) => module !== '');
/** What nginx compresses (text/html always is): the README's static-host recipe. */
const COMPRESSED_TYPES = 'text/css application/javascript text/javascript application/json application/wasm image/svg+xml';

/** Runs in every page before its own scripts: records `performance.now()` (ms since navigation start) in the
 * first animation frame in which the register element's e-mail input is visible, and in the first in which the
 * page's name field is too (the whole form: ours shows the element before the app, and the name field with it). */
const WATCH_EMAIL_INPUT = `(() => {
  const shown = (input) => input && input.checkVisibility({ opacityProperty: true, visibilityProperty: true })
    && input.getBoundingClientRect().width > 0;
  const check = () => {
    const host = document.querySelector('passage-register');
    const email = shown(host && host.shadowRoot && host.shadowRoot.querySelector('.view-email-input input'));
    if (email && window.__emailInputVisibleAt === undefined) window.__emailInputVisibleAt = performance.now();
    if (email && shown(document.querySelector('#name-input, #name'))) {
      window.__formVisibleAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

interface Site {
  name: string;
  root: string;
  /** The Content-Security-Policy header nginx sends, if the page has one. */
  csp?: string;
  spaPort: number;
  auth: ServerProcess;
}

interface Load {
  emailInputVisibleMs: number;
  /** The e-mail input and the name field. */
  formVisibleMs: number;
  firstContentfulPaintMs: number | null;
  requests: number;
  transferredBytes: number;
  consoleErrors: string[];
  otherHosts: string[];
  encodings: Record<string, string>;
  /** Each request: when it was sent and finished, in ms after the document's request. */
  timeline: { url: string; startMs: number; endMs: number; bytes: number }[];
}

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through \`cargo xtask bench --only firstpaint\`)`);
  return path.resolve(value);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function ports(count: number, taken: number[]): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count) {
    const p = await freePort();
    if (!taken.includes(p) && !out.includes(p)) out.push(p);
  }
  taken.push(...out);
  return out;
}

function authServer(name: string, tempDir: string, spaPort: number, authPort: number, managementPort: number) {
  return new ServerProcess(
    `auth-server-${name}`,
    path.join(binDir(), 'auth-server'),
    ['--dev', '--dev-origin', `http://localhost:${spaPort}`, '--dev-api-key', crypto.randomBytes(24).toString('hex'),
      '--bind', `127.0.0.1:${authPort}`, '--management-bind', `127.0.0.1:${managementPort}`,
      '--database-url', `sqlite://${path.join(tempDir, `auth-${name}.sqlite3`)}`],
    authPort,
    path.join(tempDir, `auth-server-${name}.log`),
  );
}

/** A built dist as an operator deploys it: config.json pointing at this site's auth server, the CSP for it. */
async function spaSite(name: string, dist: string, tempDir: string, taken: number[]): Promise<Site> {
  const [spaPort, authPort, managementPort, apiPort] = await ports(4, taken);
  const config = { app_id: APP_ID, auth_url: `http://127.0.0.1:${authPort}`, api_url: `http://127.0.0.1:${apiPort}` };
  const root = path.join(tempDir, name);
  fs.cpSync(dist, root, { recursive: true });
  const headers = readHeadersFile(dist);
  const swaps = originSwaps(dist, config, headers['content-security-policy']);
  fs.writeFileSync(path.join(root, 'config.json'), JSON.stringify(config));
  // The build's preconnect (xtask/src/preload.rs) names the build's auth server; an operator's build names theirs.
  let html = indexWithMeta(path.join(dist, 'index.html'), swaps);
  for (const [from, to] of swaps) html = html.replaceAll(`<link rel="preconnect" href="${from}"`, `<link rel="preconnect" href="${to[0]}"`);
  fs.writeFileSync(path.join(root, 'index.html'), html);
  const csp = retargetPolicy(headers['content-security-policy'], swaps);
  return { name, root, csp, spaPort, auth: authServer(name, tempDir, spaPort, authPort, managementPort) };
}

/** The seed-style page: static HTML, Bootstrap's CSS, jQuery, the npm element's unminified modules. */
async function seedSite(elements: string, stylesheetDir: string, tempDir: string, taken: number[]): Promise<Site> {
  const [spaPort, authPort, managementPort] = await ports(3, taken);
  const name = 'seed-style';
  const root = path.join(tempDir, name);
  const modules = path.join(E2E_DIR, 'node_modules');
  fs.mkdirSync(path.join(root, 'bootstrap/css'), { recursive: true });
  fs.mkdirSync(path.join(root, 'jquery'), { recursive: true });
  fs.copyFileSync(path.join(modules, 'bootstrap/dist/css/bootstrap.min.css'), path.join(root, 'bootstrap/css/bootstrap.min.css'));
  fs.copyFileSync(path.join(modules, 'jquery/dist/jquery.min.js'), path.join(root, 'jquery/jquery.min.js'));
  fs.cpSync(elements, path.join(root, 'elements'), { recursive: true });
  fs.cpSync(stylesheetDir, path.join(root, 'elements/intl-tel-input'), { recursive: true });
  const html = fs
    .readFileSync(path.join(__dirname, 'seed-style.html'), 'utf8')
    .replaceAll('{{AUTH_URL}}', `http://127.0.0.1:${authPort}`)
    .replaceAll('{{APP_ID}}', APP_ID);
  fs.writeFileSync(path.join(root, 'index.html'), html);
  return { name, root, spaPort, auth: authServer(name, tempDir, spaPort, authPort, managementPort) };
}

/** nginx.conf for the sites: the README's static-host recipe, each site on its own port. */
function sitesConf(sites: Site[], logDir: string): string {
  const missing = BROTLI_MODULES.length ? BROTLI_MODULES.filter((module) => !fs.existsSync(module)) : ['FIRSTPAINT_NGINX_MODULES unset'];
  // Without them nginx would send gzip only, and the figures would not be the recipe's.
  if (missing.length) throw new Error(`nginx's brotli modules are missing (${missing.join(', ')}): run through \`cargo xtask bench\``);
  const servers = sites.flatMap((site) => [
    'server {',
    `  listen 127.0.0.1:${site.spaPort};`,
    `  root ${site.root};`,
    `  access_log ${path.join(logDir, `${site.name}.access.log`)};`,
    ...(site.csp ? [`  add_header Content-Security-Policy "${site.csp.replaceAll('"', '\\"')}" always;`] : []),
    '  add_header X-Content-Type-Options "nosniff" always;',
    '  add_header Referrer-Policy "no-referrer" always;',
    '  add_header Cross-Origin-Opener-Policy "same-origin" always;',
    '  location / { try_files $uri $uri/ /index.html; }',
    '}',
  ]);
  return nginxConf(logDir, {
    workers: 1,
    main: BROTLI_MODULES.map((module) => `load_module ${module};`),
    http: [
      'gzip on;',
      'gzip_comp_level 6;',
      'gzip_vary on;',
      `gzip_types ${COMPRESSED_TYPES};`,
      'brotli on;',
      'brotli_comp_level 6;',
      `brotli_types ${COMPRESSED_TYPES};`,
      // The build's precompressed copies (xtask/src/precompress.rs), where a page has them (the seed-style page has none).
      'brotli_static on;',
      'gzip_static on;',
      ...servers,
    ],
  });
}

async function coldLoad(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    let transferredBytes = 0;
    let requests = 0;
    const sent = new Map<string, { url: string; at: number }>();
    const timeline: Load['timeline'] = [];
    let firstAt: number | null = null;
    cdp.on('Network.requestWillBeSent', (event: { requestId: string; timestamp: number; request: { url: string } }) => {
      firstAt ??= event.timestamp;
      sent.set(event.requestId, { url: event.request.url, at: event.timestamp });
    });
    cdp.on('Network.loadingFinished', (event: { requestId: string; timestamp: number; encodedDataLength: number }) => {
      transferredBytes += event.encodedDataLength;
      requests += 1;
      const request = sent.get(event.requestId);
      if (request && firstAt !== null) {
        timeline.push({ url: request.url, startMs: Math.round((request.at - firstAt) * 1000),
          endMs: Math.round((event.timestamp - firstAt) * 1000), bytes: event.encodedDataLength });
      }
    });
    await page.addInitScript(WATCH_EMAIL_INPUT);
    const consoleErrors: string[] = [];
    const otherHosts = new Set<string>();
    const encodings: Record<string, string> = {};
    const pageHost = new URL(url).host;
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('request', (request) => {
      const { protocol, host } = new URL(request.url());
      if ((protocol === 'http:' || protocol === 'https:') && host !== pageHost && !host.startsWith('127.0.0.1:')) {
        otherHosts.add(host);
      }
    });
    page.on('response', async (response) => {
      const { host, pathname } = new URL(response.url());
      if (host === pageHost) encodings[pathname] = (await response.allHeaders())['content-encoding'] ?? 'identity';
    });
    await page.goto(url, { waitUntil: 'commit' });
    const visibleAt = await page.waitForFunction(() => (window as { __emailInputVisibleAt?: number }).__emailInputVisibleAt, null, {
      timeout: 60_000,
      polling: 200,
    });
    const emailInputVisibleMs = (await visibleAt.jsonValue()) as number;
    const formAt = await page.waitForFunction(() => (window as { __formVisibleAt?: number }).__formVisibleAt, null, {
      timeout: 60_000,
      polling: 200,
    });
    const formVisibleMs = (await formAt.jsonValue()) as number;
    const firstContentfulPaintMs = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    return { emailInputVisibleMs, formVisibleMs, firstContentfulPaintMs, requests, transferredBytes, consoleErrors,
      otherHosts: [...otherHosts], encodings, timeline };
  } finally {
    await context.close();
  }
}

test('first paint of the register page', async ({ browser }) => {
  test.setTimeout(30 * 60_000);
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leptos-passage-firstpaint-'));
  // nginx's workers run as an unprivileged user when nginx is started as root: they must read the sites.
  fs.chmodSync(tempDir, 0o755);
  const taken: number[] = [];
  const sites: Site[] = [];
  // Unset only in a hand run that measures the other pages alone.
  if (process.env.FIRSTPAINT_DIST) sites.push(await spaSite('ours', need('FIRSTPAINT_DIST'), tempDir, taken));
  if (process.env.FIRSTPAINT_BASELINE_DIST) {
    sites.push(await spaSite('baseline', need('FIRSTPAINT_BASELINE_DIST'), tempDir, taken));
  }
  sites.push(await seedSite(need('FIRSTPAINT_SEED_ELEMENTS'), need('FIRSTPAINT_ELEMENT_STYLESHEETS'), tempDir, taken));

  const logDir = path.join(tempDir, 'nginx');
  fs.mkdirSync(path.join(logDir, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(tempDir, 'nginx.conf'), sitesConf(sites, logDir));
  const nginx = new ServerProcess('nginx', nginxBinary(), ['-p', logDir, '-c', path.join(tempDir, 'nginx.conf')],
    sites.at(-1)!.spaPort, path.join(tempDir, 'nginx.log'));
  const servers = [...sites.map((s) => s.auth), nginx];
  try {
    for (const server of servers) await server.start();
    const loads = new Map<string, Load[]>(sites.map((s) => [s.name, []]));
    // One discarded round first (nginx, the auth servers and the disk warm up), then the pages take turns, so a
    // burst of load on the machine falls on all of them alike.
    for (let round = 0; round <= RUNS; round++) {
      for (const site of sites) {
        const load = await coldLoad(browser, `http://localhost:${site.spaPort}/register`);
        if (round > 0) loads.get(site.name)!.push(load);
      }
    }
    const results = sites.map((site) => {
      const runs = loads.get(site.name)!;
      const fcps = runs.map((r) => r.firstContentfulPaintMs).filter((v): v is number => v !== null);
      return {
        page: site.name,
        median_email_input_visible_ms: Math.round(median(runs.map((r) => r.emailInputVisibleMs))),
        median_form_visible_ms: Math.round(median(runs.map((r) => r.formVisibleMs))),
        median_first_contentful_paint_ms: fcps.length ? Math.round(median(fcps)) : null,
        email_input_visible_ms: runs.map((r) => Math.round(r.emailInputVisibleMs)),
        requests: runs[0].requests,
        transferred_bytes: runs[0].transferredBytes,
        encodings: runs[0].encodings,
        timeline_of_first_run: runs[0].timeline,
        console_errors: [...new Set(runs.flatMap((r) => r.consoleErrors))],
        other_hosts: [...new Set(runs.flatMap((r) => r.otherHosts))],
      };
    });
    console.log(`\nregister page, ${RUNS} cold loads each (150 ms RTT, 1.6 Mbps down, ${CPU_SLOWDOWN}x CPU):`);
    console.log(`${'page'.padEnd(12)} ${'email input visible (median)'.padStart(30)} ${'+ name field'.padStart(14)} ${'FCP (median)'.padStart(14)} ${'runs'.padStart(40)}`);
    for (const r of results) {
      console.log(
        `${r.page.padEnd(12)} ${`${r.median_email_input_visible_ms} ms`.padStart(30)} ${`${r.median_form_visible_ms} ms`.padStart(14)} ${`${r.median_first_contentful_paint_ms ?? '-'} ms`.padStart(14)} ${r.email_input_visible_ms.join(', ').padStart(40)}`,
      );
      if (process.env.FIRSTPAINT_TIMELINE === '1') {
        for (const t of r.timeline_of_first_run) {
          console.log(`  ${String(t.startMs).padStart(6)} -> ${String(t.endMs).padStart(6)} ms ${String(t.bytes).padStart(8)} B  ${t.url}`);
        }
      }
      if (r.console_errors.length) console.log(`  ${r.page}: console errors: ${r.console_errors.join(' | ')}`);
      if (r.other_hosts.length) console.log(`  ${r.page}: requests to other hosts: ${r.other_hosts.join(', ')}`);
    }
    const json = {
      conditions: { ...NETWORK, cpu_slowdown: CPU_SLOWDOWN, runs: RUNS, server: 'nginx', brotli: true, precompressed: true },
      results,
    };
    const out = process.env.FIRSTPAINT_OUT;
    if (out) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, JSON.stringify(json, null, 2));
      console.log(`written ${out}`);
    }
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    if (process.env.E2E_KEEP !== '1') fs.rmSync(tempDir, { recursive: true, force: true });
  }
});
