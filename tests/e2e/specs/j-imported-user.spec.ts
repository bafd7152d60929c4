// (j) Issue 11 item 3: a user imported from a Passage export (`auth-server import`, keeping the Passage user id)
// signs in for the first time. Passage never exported public keys, so the account has no passkey: on /login the
// element goes to the code by itself, then offers to add a passkey (E16/E17), and that passkey signs in next time.
// The team's own data, keyed by the Passage id (here the backend's profile row), belongs to the signed-in user.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { authCookie, expect, test } from '../harness/fixtures';
import { binDir } from '../harness/stack';

test('j: an imported Passage user signs in with a code, adds a passkey, and keeps their id and data', async ({
  page, app, loginPage, dashboardPage, authenticator, mailbox, email,
}) => {
  const passageId = `Imp${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const name = 'Dorothy Vaughan';
  // The team's profile row from its Passage days, keyed by the Passage user id.
  const now = new Date().toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
  execFileSync('sqlite3', [app.backendDbFile,
    `INSERT INTO profiles (user_id, name, save_count, created_at, updated_at) VALUES ('${passageId}', '${name}', 1, '${now}', '${now}')`]);
  const exportFile = path.join(app.tempDir, 'passage-export.csv');
  fs.writeFileSync(exportFile,
    'ID,Email,Email Verified,Phone,Phone Verified,Status,Created At,Updated At,Last Login At,Login Count\n'
    + `${passageId},${email},true,,false,active,2024-05-01T12:00:00Z,2024-06-01T08:30:00Z,2024-06-01T08:30:00Z,4\n`);
  const report = execFileSync(path.join(binDir(), 'auth-server'),
    ['--dev', '--database-url', `sqlite://${app.authDbFile}`, 'import', '--app', app.appId, exportFile],
    { encoding: 'utf8' });
  expect(report).toContain('1 imported, 0 unchanged');

  await loginPage.goto();
  const element = loginPage.element;
  await expect(element.emailView).toBeVisible();
  await element.submitEmail(email);
  // No passkey came along: straight to the code, then the offer to add one.
  await expect(element.accessTokenView).toBeVisible();
  await element.typeOtp(await mailbox.waitForOtp(email));
  await expect(element.addDeviceView).toBeVisible();
  await element.host.getByTestId('save-device-button').click();
  await dashboardPage.expectWelcome(name, email);
  const token = await authCookie(page);
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  expect(payload.sub, 'the token names the Passage user id').toBe(passageId);
  expect(await authenticator.credentials()).toHaveLength(1);

  // Next time the new passkey signs in, with no code sent.
  await dashboardPage.signOutButton.click();
  await expect(page).toHaveURL(`${app.spaUrl}/login`);
  const sentBefore = (await mailbox.messages(email)).length;
  await loginPage.goto();
  await element.submitEmail(email);
  await dashboardPage.expectWelcome(name, email);
  expect(await mailbox.messages(email), 'no code was sent').toHaveLength(sentBefore);
});
