// (c) The backend is unavailable when onSuccess runs. The user still gets to the dashboard, is told the profile is
// being saved, and the name typed at sign-up is stored once the backend is back, without typing it again.
//
// Two ways to be unavailable:
// * the backend answers 503 to POST /user (what a proxy or an overloaded backend answers): the browser's request
//   to the real backend is answered 503 instead while "down", and passes through to it again once "back";
// * the backend process is stopped (connection refused), then started again on the same port and database.

import { authCookie, expect, test } from '../harness/fixtures';
import { tokenSubject } from '../harness/backend-data';
import type { Stack } from '../harness/stack';

test('c: the backend answers 503 when onSuccess runs', async ({
  page, app, registerPage, dashboardPage, authenticator, backendData, email, consoleErrors,
}) => {
  void authenticator;
  consoleErrors.expectFailedLoads(`${app.apiUrl}/user`);
  const name = 'Grace Hopper';
  let backendUp = false;
  let refused = 0;
  await page.route(`${app.apiUrl}/user`, async (route) => {
    if (route.request().method() === 'POST' && !backendUp) {
      refused++;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'unavailable', message: 'The service is unavailable.' } }),
      });
      return;
    }
    await route.continue();
  });

  await registerPage.goto();
  await registerPage.registerPasskey(name, email);
  // onSuccess is retrying: the user is told.
  await expect(registerPage.status).toHaveText(/saving your profile/i);

  // After the retries run out (about 15 s), the user reaches the dashboard anyway; the save goes on there.
  await dashboardPage.expectAt({ timeout: 45_000 });
  await expect(dashboardPage.signedInAs).toContainText(email);
  await expect(page.getByText(/saving your profile|not saved yet/i).first()).toBeVisible();
  expect(refused).toBeGreaterThan(1);
  const token = await authCookie(page);
  expect(backendData.profileRows(tokenSubject(token))).toHaveLength(0);

  // The backend is back: the name arrives without the user typing it again.
  backendUp = true;
  await expect(dashboardPage.heading).toHaveText(`Welcome ${name}!`, { timeout: 60_000 });
  const rows = backendData.profileRows(tokenSubject(token));
  expect(rows).toHaveLength(1);
  expect(rows[0].name).toBe(name);
  expect((await backendData.currentUser(token)).body.name).toBe(name);

  // A later visit shows the stored name and does not save again.
  await dashboardPage.goto();
  await expect(dashboardPage.heading).toHaveText(`Welcome ${name}!`);
  expect(backendData.profileRows(tokenSubject(token))[0].save_count).toBe(rows[0].save_count);
});

test('c: the backend process is stopped when onSuccess runs', async ({
  page, stack, registerPage, dashboardPage, authenticator, backendData, email, consoleErrors,
}) => {
  void authenticator;
  consoleErrors.expectFailedLoads(`${stack.info.apiUrl}/user`);
  const name = 'Katherine Johnson';
  await registerPage.goto();
  await registerPage.start(name, email);
  await expect(registerPage.element.registerDeviceView).toBeVisible();

  // This project's stack is the single-process one (the fleet project does not run this spec).
  const { backend } = stack as Stack;
  await backend.stop();
  try {
    await registerPage.element.registerWithPasskeyButton.click();
    await expect(registerPage.status).toHaveText(/saving your profile/i);
    await dashboardPage.expectAt({ timeout: 45_000 });
    const token = await authCookie(page);
    // Nothing was stored while the backend was down.
    expect(backendData.profileRows(tokenSubject(token))).toHaveLength(0);
    // The user is told what is going on, in words (not a blank page, not the browser's "Failed to fetch"): the
    // name typed at sign-up is still waiting to be saved.
    await expect(dashboardPage.status).toHaveText('Saving your profile…');
    await expect(page.getByText(/failed to fetch|TypeError/i)).toHaveCount(0);
  } finally {
    await backend.start();
  }

  // The backend is back. The dashboard, still open, keeps trying by itself: it loads the profile and sends the
  // name kept from sign-up, without a reload and without retyping.
  const token = await authCookie(page);
  await expect(dashboardPage.heading).toHaveText(`Welcome ${name}!`, { timeout: 60_000 });
  const rows = backendData.profileRows(tokenSubject(token));
  expect(rows).toHaveLength(1);
  expect(rows[0].name).toBe(name);
});
