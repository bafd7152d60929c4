// (g) The Content-Security-Policy (issue 9, item 11): the static server sends the policy `cargo xtask build`
// wrote (dist/_headers) and index.html carries its <meta> form; every other spec runs under both and fails on any
// violation (harness/csp.ts). This spec checks the policy itself, and that the violation check is real: a
// script, an eval, a fetch and a stylesheet the policy refuses are each caught, so a broken recorder cannot let
// the other specs pass silently.

import type { Page } from '@playwright/test';

import type { CspViolation } from '../harness/csp';
import { expect, test } from '../harness/fixtures';

/** The source list of each directive of a serialized policy. */
function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

async function metaPolicy(page: Page): Promise<string | null> {
  return page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
}

test('g: the app is served with a strict policy in the header and the meta', async ({ page, app, registerPage }) => {
  const response = await page.request.get(`${app.spaUrl}/register`);
  const header = response.headers()['content-security-policy'];
  expect(header, 'the static host sends a Content-Security-Policy header').toBeTruthy();
  const policy = directives(header);
  const origins = [new URL(app.authUrl).origin, new URL(app.apiUrl).origin];

  expect(policy.get('default-src')).toEqual(["'self'"]);
  const scriptSrc = policy.get('script-src') ?? [];
  expect(scriptSrc.slice(0, 2)).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  // Trunk's bootstrap by hash; no other way to run inline code, no eval.
  expect(scriptSrc.slice(2).length).toBeGreaterThan(0);
  for (const source of scriptSrc.slice(2)) expect(source).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
  expect(policy.get('connect-src')).toEqual(["'self'", ...origins, 'data:']);
  expect(policy.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(response.headers()['x-content-type-options']).toBe('nosniff');

  // The meta form is the same policy minus what a meta policy ignores.
  await registerPage.goto();
  const meta = await metaPolicy(page);
  expect(meta).not.toBeNull();
  expect(`${meta}; frame-ancestors 'none'`).toBe(header);
});

test('g: a registration page raises no violation and loads nothing from another host', async ({
  page, registerPage, cspViolations, foreignTraffic, consoleErrors,
}) => {
  const stylesheets: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'stylesheet') stylesheets.push(r.url());
  });
  await registerPage.goto();
  await expect(registerPage.nameInput).toBeVisible();
  // The elements' phone-input stylesheet comes from beside the elements now (it was the CDN's).
  await expect.poll(() => stylesheets.some((url) => url.endsWith('/vendor/passage-elements/intl-tel-input/css/intlTelInput.css'))).toBe(true);
  await cspViolations.settle(page.context());
  expect(cspViolations.all()).toEqual([]);
  expect(foreignTraffic.requests()).toEqual([]);
  // Nothing failed on the way: no 404 for the browser's language-region locale (`en-us.json`) or the favicon, no
  // blocked sheet (the fixture checks this after every test; here it is the point).
  expect(consoleErrors.unexpected()).toEqual([]);
});

test('g: a violation is caught: inline script, eval, foreign fetch and stylesheet', async ({
  page, registerPage, cspViolations, foreignTraffic, consoleErrors,
}) => {
  consoleErrors.expectCspViolations();
  await registerPage.goto();
  await cspViolations.settle(page.context());
  cspViolations.take();

  const outcome = await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const script = document.createElement('script');
    script.textContent = 'window.__injectedRan = true;';
    document.head.append(script);
    // From a timer, i.e. as the page's own code: Playwright's evaluate itself runs with DevTools' exemption
    // from the eval check.
    const evaluated = await new Promise<string>((resolve) =>
      setTimeout(() => {
        try {
          resolve(String(window.eval('6 * 7')));
        } catch (e) {
          resolve(`refused: ${e}`);
        }
      }, 0),
    );
    let fetched: string;
    try {
      await fetch('http://127.0.0.1:9/exfiltrate');
      fetched = 'sent';
    } catch (e) {
      fetched = `refused: ${e}`;
    }
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    // The CDN the elements used to link their stylesheet from.
    link.href = 'https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/css/other.css';
    document.head.append(link);
    return { injectedRan: w.__injectedRan === true, evaluated, fetched };
  });
  expect(outcome.injectedRan, 'an injected inline script does not run').toBe(false);
  expect(outcome.evaluated, 'eval is refused').toMatch(/^refused: EvalError/);
  expect(outcome.fetched, 'a fetch to an origin not in connect-src is refused').toMatch(/^refused: /);

  const caught = async () => {
    await cspViolations.settle(page.context());
    return cspViolations.all().map((v) => v.effectiveDirective);
  };
  await expect
    .poll(caught)
    .toEqual(expect.arrayContaining(['script-src-elem', 'script-src', 'connect-src', 'style-src-elem']));
  const seen = cspViolations.take();
  // The foreign-host check sees the stylesheet the page tried to load (it fails every other test that makes such a
  // request). The fetch never became a request: the policy stopped it first.
  expect(foreignTraffic.take()).toEqual(['https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/css/other.css']);
  const by = (directive: string) => seen.filter((v: CspViolation) => v.effectiveDirective === directive);
  expect(by('script-src-elem').some((v) => v.blockedURI === 'inline')).toBe(true);
  expect(by('script-src').some((v) => v.blockedURI === 'eval')).toBe(true);
  expect(by('connect-src').some((v) => v.blockedURI === 'http://127.0.0.1:9/exfiltrate')).toBe(true);
  expect(by('style-src-elem').some((v) => v.blockedURI.endsWith('/other.css'))).toBe(true);
});

test('g: no page can frame the app (frame-ancestors in the header)', async ({ page, app, consoleErrors }) => {
  consoleErrors.expectCspViolations();
  // A framing page and a control page without the app's headers, both made up here on the app's own origin
  // ('none' refuses even that; a page on another local origin would be stopped earlier by Chromium's local
  // network access checks and prove nothing). The control shows that a frame there does load.
  const parentUrl = `${app.spaUrl}/framing-test`;
  const controlUrl = `${app.spaUrl}/framing-control`;
  await page.route(parentUrl, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: `<!doctype html><title>framer</title><iframe id=control src="${controlUrl}"></iframe>` +
        `<iframe id=app src="${app.spaUrl}/register" width=800 height=600></iframe>`,
    }),
  );
  await page.route(controlUrl, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p id=control-loaded>loaded</p>' }),
  );
  const refused = page.waitForEvent('requestfailed', (r) => r.url() === `${app.spaUrl}/register`);
  await page.goto(parentUrl);
  await expect(page.frameLocator('#control').locator('#control-loaded')).toBeVisible();
  // Chromium refuses the response for this frame and shows its error page instead: the app never starts there.
  expect((await refused).failure()?.errorText).toBe('net::ERR_BLOCKED_BY_RESPONSE');
  await expect
    .poll(() => page.frames().map((f) => f.url()))
    .toEqual([parentUrl, controlUrl, 'chrome-error://chromewebdata/']);
});
