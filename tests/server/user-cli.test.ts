/**
 * Getting back in with the real CLI (child processes of bin/quarkpulse.ts) on the data directory
 * of a running server: `user reset-password` (password from stdin or a file, never argv) and
 * `user disable-2fa`; both end the user's sessions and write the audit log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { runCli } from '../helpers/run-cli.js';

describe('user CLI: getting back in', () => {
  let t: TestServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('resets a password and turns off two-factor login on the server machine', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-user-cli-'));
    t = await startTestServer({ dataDir: dir });
    const admin = new ApiClient(t.url);
    await admin.login();
    const start = await admin.post('/api/me/two-factor/start');
    expect((await admin.post('/api/me/two-factor/confirm', { code: await generate({ secret: start.json.secret }) })).status).toBe(200);

    // The password on the command line is refused: it would stay in the shell history.
    const argv = await runCli(['user', 'reset-password', 'admin', 'new-admin-password-1', '--data', dir]);
    expect([argv.code, argv.stderr]).toEqual([
      1,
      "error: too many arguments for 'reset-password'. Expected 1 argument but got 2.\n(run with --help for usage)\n",
    ]);
    const unknown = await runCli(['user', 'reset-password', 'nobody', '--data', dir], { stdin: 'whatever-password-1\n' });
    expect([unknown.code, unknown.stderr]).toEqual([1, `error: no user named "nobody" in ${dir}\n(run with --help for usage)\n`]);
    const short = path.join(dir, 'short.txt');
    writeFileSync(short, 'short\n');
    const tooShort = await runCli(['user', 'reset-password', 'admin', '--password-file', short, '--data', dir]);
    expect([tooShort.code, tooShort.stderr]).toEqual([1, 'error: the password must be at least 10 characters; nothing changed\n(run with --help for usage)\n']);
    expect((await admin.get('/api/me')).status).toBe(200);

    const reset = await runCli(['user', 'reset-password', 'admin', '--data', dir], { stdin: 'new-admin-password-1\n' });
    expect([reset.code, reset.stdout, reset.stderr]).toEqual([0, 'new password set for "admin"; 1 session ended\n', '']);
    expect((await admin.get('/api/me')).json.error.code).toBe('UNAUTHENTICATED');
    expect((await new ApiClient(t.url).post('/api/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(401);
    // Two-factor login stays on after a password reset.
    const pw = await new ApiClient(t.url).post('/api/login', { username: 'admin', password: 'new-admin-password-1' });
    expect(pw.json.secondFactorRequired).toBe(true);

    const file = path.join(dir, 'pw.txt');
    writeFileSync(file, 'from-a-file-password-2\n', { mode: 0o600 });
    expect((await runCli(['user', 'reset-password', 'admin', '--password-file', file, '--data', dir])).code).toBe(0);

    const off = await runCli(['user', 'disable-2fa', 'admin', '--data', dir]);
    expect([off.code, off.stdout, off.stderr]).toEqual([
      0,
      'two-factor login turned off for "admin"; they log in with their password (and must enrol again if their role requires it)\n',
      '',
    ]);
    const back = new ApiClient(t.url);
    const login = await back.post('/api/login', { username: 'admin', password: 'from-a-file-password-2' });
    expect(login.json).toMatchObject({ username: 'admin', twoFactor: { isEnrolled: false } });
    expect((await back.get('/api/devices')).status).toBe(200);
    const again = await runCli(['user', 'disable-2fa', 'admin', '--data', dir]);
    expect([again.code, again.stderr]).toEqual([1, 'error: "admin" has no two-factor login; nothing changed\n(run with --help for usage)\n']);

    const audit = (await back.get('/api/audit?limit=20')).json.entries as { action: string; actorName: string; summary: string }[];
    const byCli = audit.filter((e) => e.actorName === 'command line on the server').map((e) => `${e.action}: ${e.summary}`);
    expect(byCli).toEqual([
      "two-factor.disable: two-factor login of admin turned off on the server's command line",
      "user.password-reset: password of admin reset on the server's command line",
      "user.password-reset: password of admin reset on the server's command line",
    ]);
  }, 180_000);
});
