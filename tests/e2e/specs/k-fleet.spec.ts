// (k) What only a fleet shows (the `fleet` project: 2 auth-server + 2 backend instances behind nginx, see
// harness/fleet.ts). The project also runs (a), (e) and (b) through the balancer before this file.
// - Ceremonies cross instances: round-robin sends consecutive steps to different instances, and they finish.
// - One auth-server instance is killed (SIGKILL, no drain): the next registrations and logins still succeed, and
//   no request the browser made failed with a balancer error.
// - The SPA server of the deploy template sends the build's precompressed copies.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { authCookie, expect, test } from '../harness/fixtures';
import { tokenSubject } from '../harness/backend-data';
import { FleetStack } from '../harness/fleet';
import type { RunningStack } from '../harness/stack';

function fleetOf(stack: RunningStack): FleetStack {
  expect(stack instanceof FleetStack, 'this spec runs in the fleet project only').toBe(true);
  return stack as FleetStack;
}

/** The auth API's ceremony steps in nginx's log (the POSTs, not their CORS preflights), in order: which instance
 * served each. */
function ceremonySteps(fleet: FleetStack, from = 0) {
  return fleet
    .accessLog('auth')
    .slice(from)
    .filter((line) => /^POST \/v1\/apps\/[^/]+\/(register|login)\/webauthn\/(start|finish) /.test(line.request));
}

test.describe.configure({ mode: 'serial' });

test('k: a passkey registration and login take their steps on both instances', async ({
  page, stack, registerPage, loginPage, dashboardPage, authenticator, backendData, email,
}) => {
  const fleet = fleetOf(stack);
  const from = fleet.accessLog('auth').length;
  const name = 'Grace Hopper';
  await registerPage.goto();
  await registerPage.start(name, email);
  await expect(registerPage.element.registerDeviceView).toBeVisible();
  await registerPage.element.registerWithPasskeyButton.click();
  await dashboardPage.expectWelcome(name, email);
  const userId = tokenSubject(await authCookie(page));
  expect(backendData.profileRows(userId)).toHaveLength(1);

  await dashboardPage.signOutButton.click();
  await loginPage.goto();
  await loginPage.element.signInAs(email);
  await dashboardPage.expectWelcome(name, email);
  void authenticator;

  const steps = ceremonySteps(fleet, from);
  expect(steps.map((s) => s.request.split(' ')[1].replace(/^.*\/(\w+\/webauthn\/\w+)$/, '$1'))).toEqual([
    'register/webauthn/start', 'register/webauthn/finish', 'login/webauthn/start', 'login/webauthn/finish',
  ]);
  expect(steps.every((s) => s.status === 200), JSON.stringify(steps)).toBe(true);
  // Round-robin: each ceremony finished on the other instance than the one that started it.
  expect(steps[1].upstream, JSON.stringify(steps)).not.toBe(steps[0].upstream);
  expect(steps[3].upstream, JSON.stringify(steps)).not.toBe(steps[2].upstream);
  // Every auth request of this test went to the two instances in turn; both served some of them.
  const authLines = fleet.accessLog('auth').slice(from);
  const served = new Set(authLines.map((line) => line.upstream));
  expect([...served].sort(), JSON.stringify(authLines)).toEqual(
    fleet.auths.map((a) => `127.0.0.1:${a.port}`).sort(),
  );
  // Across the suite so far, ceremonies were started on one instance and finished on the other.
  const all = ceremonySteps(fleet);
  const crossed = all.filter((s, i) => i > 0 && s.request.includes('/finish') && all[i - 1].upstream !== s.upstream);
  expect(crossed.length, JSON.stringify(all)).toBeGreaterThan(0);
});

test('k: with one auth-server instance killed, the next ceremonies still succeed', async ({
  page, stack, registerPage, loginPage, dashboardPage, authenticator, mailbox, backendData, email,
}) => {
  const fleet = fleetOf(stack);
  const [dead, alive] = fleet.auths;
  await dead.stop('SIGKILL');
  try {
    const from = fleet.accessLog('auth').length;
    // A registration with a one-time code (its mail comes from the instance still running)...
    const name = 'Radia Perlman';
    void authenticator;
    await registerPage.goto();
    await registerPage.start(name, email);
    await expect(registerPage.element.registerDeviceView).toBeVisible();
    await registerPage.element.fallbackButton.click();
    await expect(registerPage.element.accessTokenView).toBeVisible();
    await registerPage.element.typeOtp(await mailbox.waitForOtp(email));
    await dashboardPage.expectWelcome(name, email);
    const token = await authCookie(page);
    expect(backendData.profileRows(tokenSubject(token))).toHaveLength(1);

    // ...and a login with a code again (no passkey on the account: the element goes straight to the code).
    await dashboardPage.signOutButton.click();
    const sentBefore = (await mailbox.messages(email)).length;
    await loginPage.goto();
    await loginPage.element.submitEmail(email);
    await expect(loginPage.element.accessTokenView).toBeVisible();
    await loginPage.element.typeOtp(await mailbox.waitForOtp(email, sentBefore));
    await loginPage.element.skipAddDeviceButton.click();
    await dashboardPage.expectWelcome(name, email);

    // nginx noticed the dead instance and sent everything to the live one; the browser saw no 5xx.
    const lines = fleet.accessLog('auth').slice(from);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.status >= 500), JSON.stringify(lines)).toEqual([]);
    expect(lines.every((line) => line.upstream.endsWith(`127.0.0.1:${alive.port}`)), JSON.stringify(lines)).toBe(true);
  } finally {
    await dead.start();
  }
});

test('k: the SPA server sends the build\'s gzip copies of the wasm and JS, and compresses the rest itself', async ({ stack, request }) => {
  const fleet = fleetOf(stack);
  const dist = path.join(fleet.info.tempDir, 'dist');
  const html = await (await request.get(`${fleet.info.spaUrl}/register`)).text();
  // The SPA's own files, at the root (the element preloader's table names the vendored modules by their paths).
  const files = [...html.matchAll(/(?<=["']\/)[\w-]+(?:_bg\.wasm|\.js)(?=["'])/g)].map((m) => m[0]);
  expect(files.some((f) => f.endsWith('_bg.wasm')), html).toBe(true);
  for (const file of new Set(files)) {
    const response = await request.get(`${fleet.info.spaUrl}/${file}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status(), file).toBe(200);
    expect(response.headers()['content-encoding'], file).toBe('gzip');
    // gzip_static sends the file's own length; nginx compressing as it serves would send it chunked.
    expect(Number(response.headers()['content-length']), file).toBe(fs.statSync(path.join(dist, `${file}.gz`)).size);
  }
  // config.json has no copy (operators replace it): compressed on the fly, and the current one.
  const config = await request.get(`${fleet.info.spaUrl}/config.json`, { headers: { 'accept-encoding': 'gzip' } });
  expect(config.headers()['content-encoding']).toBe('gzip');
  expect(await config.json()).toMatchObject({ app_id: fleet.info.appId, auth_url: fleet.info.authUrl });
});
