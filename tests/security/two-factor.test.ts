/**
 * Two-factor login (TOTP, RFC 6238, with recovery codes) through the real REST API on a real
 * server and SQLite file. The server's clock is driven by hand, and the codes are computed with
 * otplib at that time, as an authenticator app would.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_WS_PATH } from '../../shared/protocol.js';
import { manualClock } from '../helpers/receivers.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

const START_MS = Date.UTC(2026, 11, 2, 9, 0, 10); // 10 s into a 30 s step

describe('two-factor login', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function setup(opts: { publicUrl?: string } = {}) {
    const clock = manualClock(START_MS);
    t = await startTestServer({ clock, ...opts });
    const admin = new ApiClient(t.url);
    await admin.login();
    const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
    return { clock, admin, codeAt };
  }

  async function enrol(api: ApiClient, codeAt: (s: string) => Promise<string>) {
    const start = await api.post('/api/me/two-factor/start');
    expect(start.status).toBe(200);
    const confirm = await api.post('/api/me/two-factor/confirm', { code: await codeAt(start.json.secret) });
    expect(confirm.status).toBe(200);
    return { secret: start.json.secret as string, recoveryCodes: confirm.json.recoveryCodes as string[] };
  }

  async function passwordStep(username = 'admin', password = ADMIN_PASSWORD) {
    const c = new ApiClient(t!.url);
    const r = await c.post('/api/login', { username, password });
    return { c, r };
  }

  it('enrols with an authenticator, then logs in only after a code; a code is accepted once', async () => {
    const { clock, admin, codeAt } = await setup();
    expect((await admin.get('/api/me')).json.twoFactor).toEqual({ isEnrolled: false, isRequired: false });
    expect((await admin.post('/api/me/two-factor/confirm', { code: '123456' })).json.error).toEqual({
      code: 'TWO_FACTOR_NOT_STARTED',
      message: 'start the enrolment first: POST /api/me/two-factor/start',
    });

    const start = await admin.post('/api/me/two-factor/start');
    expect(start.status).toBe(200);
    const secret = start.json.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(start.json.otpauthUri).toBe(`otpauth://totp/Quarkpulse:admin?secret=${secret}&issuer=Quarkpulse`);
    expect(start.json.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
    const right = await codeAt(secret);
    const wrong = right === '000000' ? '111111' : '000000';
    expect((await admin.post('/api/me/two-factor/confirm', { code: wrong })).json.error).toEqual({
      code: 'TOTP_CODE_INVALID',
      message: 'that code is not right; type the 6 digits your authenticator app shows now',
    });
    const confirm = await admin.post('/api/me/two-factor/confirm', { code: right });
    expect(confirm.status).toBe(200);
    const codes = confirm.json.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(new Set(codes).size).toBe(10);
    expect((await admin.get('/api/me/two-factor')).json).toEqual({
      isEnrolled: true,
      isRequired: false,
      isPending: false,
      enrolledAtMs: START_MS,
      recoveryCodesLeft: 10,
    });
    expect((await admin.post('/api/me/two-factor/start')).json.error.code).toBe('TWO_FACTOR_ALREADY_ENROLLED');

    // Password right: no session yet, only a challenge.
    const first = await passwordStep();
    expect(first.r.status).toBe(200);
    expect(first.r.json).toEqual({
      secondFactorRequired: true,
      challenge: expect.stringMatching(/^qpc_/),
      expiresAtMs: START_MS + 5 * 60_000,
      methods: ['totp', 'recovery-code'],
    });
    expect(first.r.headers.get('set-cookie')).toBeNull();
    expect((await first.c.get('/api/me')).status).toBe(401);
    const challenge = first.r.json.challenge as string;

    // The code that confirmed the enrolment is spent for its whole window.
    const replay = await first.c.post('/api/login/second-factor', { challenge, code: right });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toEqual({ code: 'TOTP_CODE_REUSED', message: 'that code was used already; wait for the next one' });
    expect(replay.headers.get('set-cookie')).toBeNull();

    clock.advance(30_000);
    const fresh = await codeAt(secret);
    const ok = await first.c.post('/api/login/second-factor', { challenge, code: fresh });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({
      id: expect.any(String),
      username: 'admin',
      role: 'admin',
      twoFactor: { isEnrolled: true, isRequired: false },
      signInMethod: 'password',
      locale: null,
    });
    expect((await first.c.get('/api/me')).status).toBe(200);
    // The challenge is spent with the login.
    expect((await new ApiClient(t!.url).post('/api/login/second-factor', { challenge, code: fresh })).json.error.code).toBe('LOGIN_CHALLENGE_INVALID');

    // The same code on a second login, still inside its window: refused.
    const second = await passwordStep();
    expect((await second.c.post('/api/login/second-factor', { challenge: second.r.json.challenge, code: fresh })).json.error.code).toBe('TOTP_CODE_REUSED');

    // Two logins racing with the same new code: exactly one wins.
    clock.advance(30_000);
    const next = await codeAt(secret);
    const a = await passwordStep();
    const b = await passwordStep();
    const race = await Promise.all([a, b].map((x) => x.c.post('/api/login/second-factor', { challenge: x.r.json.challenge, code: next })));
    expect(race.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(race.find((r) => r.status === 401)!.json.error.code).toBe('TOTP_CODE_REUSED');

    // Clock drift: a code from the step before is accepted (unless spent), two steps back is not.
    clock.advance(30_000);
    const drift = await passwordStep();
    expect((await drift.c.post('/api/login/second-factor', { challenge: drift.r.json.challenge, code: next })).json.error.code).toBe('TOTP_CODE_REUSED');
    clock.advance(60_000);
    const epochS = Math.floor(clock.now() / 1000);
    const twoBack = await generate({ secret, epoch: epochS - 60 });
    const oneBack = await generate({ secret, epoch: epochS - 30 });
    expect((await drift.c.post('/api/login/second-factor', { challenge: drift.r.json.challenge, code: twoBack })).json.error.code).toBe('TOTP_CODE_INVALID');
    expect((await drift.c.post('/api/login/second-factor', { challenge: drift.r.json.challenge, code: oneBack })).status).toBe(200);

    // The seed is sealed at rest; neither it nor a recovery code is in the database or WAL file.
    const row = t!.server.db.prepare('SELECT secret_sealed FROM user_totp').get() as { secret_sealed: string };
    expect(row.secret_sealed).toMatch(/^enc1:/);
    const files = ['quarkpulse.db', 'quarkpulse.db-wal']
      .map((f) => path.join(t!.dataDir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.includes(secret)).toBe(false);
      for (const c of codes) expect(f.includes(c) || f.includes(c.replace(/-/g, ''))).toBe(false);
    }

    const audit = (await admin.get('/api/audit?limit=100')).json.entries.map((e: { action: string; summary: string }) => `${e.action}: ${e.summary}`);
    expect(audit).toContain('two-factor.enrol: admin turned on two-factor login');
    expect(audit).toContain('login.second-factor-failure: wrong second factor for admin');
    expect(audit).toContain('login.success: admin logged in (authenticator code)');
  });

  it('logs in with a recovery code once each, and a challenge takes five wrong codes at most', async () => {
    const { clock, codeAt, admin } = await setup();
    const { recoveryCodes } = await enrol(admin, codeAt);

    const one = await passwordStep();
    const rec = await one.c.post('/api/login/second-factor', {
      challenge: one.r.json.challenge,
      recoveryCode: recoveryCodes[3]!.toUpperCase().replace(/-/g, ' '),
    });
    expect(rec.status).toBe(200);
    expect(rec.json).toMatchObject({ username: 'admin', recoveryCodesLeft: 9 });
    expect((await one.c.get('/api/me')).status).toBe(200);
    const again = await passwordStep();
    expect((await again.c.post('/api/login/second-factor', { challenge: again.r.json.challenge, recoveryCode: recoveryCodes[3] })).json.error).toEqual({
      code: 'RECOVERY_CODE_INVALID',
      message: 'that recovery code is unknown or was used already',
    });
    expect(
      (await again.c.post('/api/login/second-factor', { challenge: again.r.json.challenge, code: '12345', recoveryCode: recoveryCodes[4] })).json.error,
    ).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'body: give either code or recoveryCode',
    });

    // Five wrong codes end the challenge: the password must be typed again.
    const five = await passwordStep();
    const ch = five.r.json.challenge as string;
    const right = await codeAt(
      t!.server.ctx.secrets.decryptSecret(
        (t!.server.db.prepare('SELECT secret_sealed FROM user_totp').get() as { secret_sealed: string }).secret_sealed,
        'totp-secret',
      ),
    );
    const wrong = right === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await five.c.post('/api/login/second-factor', { challenge: ch, code: wrong })).json.error);
    expect(answers.slice(0, 4).map((e) => e.code)).toEqual(['TOTP_CODE_INVALID', 'TOTP_CODE_INVALID', 'TOTP_CODE_INVALID', 'TOTP_CODE_INVALID']);
    expect(answers[4]).toEqual({
      code: 'LOGIN_CHALLENGE_INVALID',
      message: 'that code is not right; type the 6 digits your authenticator app shows now; too many tries: enter your password again',
    });
    clock.advance(30_000);
    expect(
      (
        await five.c.post('/api/login/second-factor', {
          challenge: ch,
          code: await codeAt(
            t!.server.ctx.secrets.decryptSecret(
              (t!.server.db.prepare('SELECT secret_sealed FROM user_totp').get() as { secret_sealed: string }).secret_sealed,
              'totp-secret',
            ),
          ),
        })
      ).json.error.code,
    ).toBe('LOGIN_CHALLENGE_INVALID');

    // A challenge expires after five minutes.
    const slow = await passwordStep();
    clock.advance(5 * 60_000);
    expect((await slow.c.post('/api/login/second-factor', { challenge: slow.r.json.challenge, recoveryCode: recoveryCodes[0] })).json.error.code).toBe(
      'LOGIN_CHALLENGE_INVALID',
    );

    // Guessing across fresh challenges from one address hits the rate limit (10 failures / 5 min).
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const g = await passwordStep();
      statuses.push((await g.c.post('/api/login/second-factor', { challenge: g.r.json.challenge, code: wrong })).status);
    }
    expect(statuses).toEqual([401, 429, 429, 429]);
    const limited = await passwordStep();
    expect((await limited.c.post('/api/login/second-factor', { challenge: limited.r.json.challenge, recoveryCode: recoveryCodes[1] })).json.error).toEqual({
      code: 'TOO_MANY_ATTEMPTS',
      message: 'too many wrong codes; wait a few minutes and try again',
    });
  });

  it('requires admins to enrol once the public URL is not loopback, and they can do nothing else first', async () => {
    const { codeAt, admin } = await setup({ publicUrl: 'https://monitor.example.com' });
    expect((await admin.get('/api/me')).json.twoFactor).toEqual({ isEnrolled: false, isRequired: true });
    expect((await admin.get('/api/devices')).json.error).toEqual({
      code: 'TWO_FACTOR_ENROLMENT_REQUIRED',
      message: 'your role requires two-factor login: set it up first (POST /api/me/two-factor/start)',
    });
    expect((await admin.post('/api/users', { username: 'tess', password: 'tess-password-1', role: 'technician' })).json.error.code).toBe(
      'TWO_FACTOR_ENROLMENT_REQUIRED',
    );
    expect((await admin.get('/api/auth/two-factor-policy')).json.error.code).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    const live = await WsTestClient.connect(t!.url.replace('http', 'ws') + LIVE_WS_PATH, { cookie: admin.cookie, origin: t!.url }).catch(
      (e: { statusCode: number }) => e.statusCode,
    );
    expect(live).toBe(401);

    const { secret } = await enrol(admin, codeAt);
    expect(secret).toMatch(/^[A-Z2-7]+$/);
    expect((await admin.get('/api/devices')).status).toBe(200);
    expect((await admin.get('/api/auth/two-factor-policy')).json).toEqual({
      requiredRoles: ['admin'],
      isDefault: true,
      publicUrl: 'https://monitor.example.com',
    });
    // Required for the role: it cannot be turned off by its owner.
    expect((await admin.post('/api/me/two-factor/disable', { code: '123456' })).json.error).toEqual({
      code: 'TWO_FACTOR_REQUIRED',
      message: 'two-factor login is required for the role admin; an admin can change that',
    });

    // A technician is not required by default; the admin can change that per role.
    expect((await admin.post('/api/users', { username: 'tess', password: 'tess-password-1', role: 'technician' })).status).toBe(201);
    const tess = new ApiClient(t!.url);
    await tess.login('tess', 'tess-password-1');
    expect((await tess.get('/api/devices')).status).toBe(200);
    const put = await admin.put('/api/auth/two-factor-policy', { requiredRoles: ['technician', 'admin'] });
    expect(put.json).toEqual({ requiredRoles: ['admin', 'technician'], isDefault: false, publicUrl: 'https://monitor.example.com' });
    expect((await tess.get('/api/devices')).json.error.code).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect((await tess.get('/api/me')).json.twoFactor).toEqual({ isEnrolled: false, isRequired: true });
    expect((await tess.put('/api/auth/two-factor-policy', { requiredRoles: [] })).json.error.code).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect((await admin.put('/api/auth/two-factor-policy', { requiredRoles: null })).json).toEqual({
      requiredRoles: ['admin'],
      isDefault: true,
      publicUrl: 'https://monitor.example.com',
    });
    expect((await tess.get('/api/devices')).status).toBe(200);
    expect((await tess.put('/api/auth/two-factor-policy', { requiredRoles: [] })).json.error.code).toBe('FORBIDDEN');

    // An admin API token can neither change the policy nor enrol nor reset a second factor.
    const token = (await admin.post('/api/api-tokens', { name: 'script', role: 'admin' })).json.token as string;
    const bearer = { authorization: `Bearer ${token}` };
    const byToken = new ApiClient(t!.url);
    expect((await byToken.request('PUT', '/api/auth/two-factor-policy', { requiredRoles: [] }, bearer)).json.error.code).toBe('SESSION_REQUIRED');
    expect((await byToken.request('POST', '/api/me/two-factor/start', {}, bearer)).json.error.code).toBe('SESSION_REQUIRED');
    const adminId = (await admin.get('/api/me')).json.id as string;
    expect((await byToken.request('DELETE', `/api/auth/users/${adminId}/two-factor`, undefined, bearer)).json.error.code).toBe('SESSION_REQUIRED');

    // An admin resets a user's second factor (lost phone); it is audited.
    const tessId = (await tess.get('/api/me')).json.id as string;
    expect((await admin.delete(`/api/auth/users/${tessId}/two-factor`)).json.error).toEqual({
      code: 'TWO_FACTOR_NOT_ENROLLED',
      message: 'tess has no two-factor login',
    });
    await enrol(tess, codeAt);
    expect((await admin.delete(`/api/auth/users/${tessId}/two-factor`)).status).toBe(204);
    expect((await tess.get('/api/me')).json.twoFactor).toEqual({ isEnrolled: false, isRequired: false });
    const audit = (await admin.get('/api/audit?limit=100')).json.entries.map((e: { action: string; summary: string }) => `${e.action}: ${e.summary}`);
    expect(audit).toContain('two-factor.disable: admin turned off two-factor login of tess');
    expect(audit).toContain('auth-settings.update: two-factor login required for admin, technician');
  });

  it('does not require it on a loopback public URL (a local trial)', async () => {
    const { admin } = await setup({ publicUrl: 'http://localhost:8080' });
    expect((await admin.get('/api/auth/two-factor-policy')).json).toEqual({ requiredRoles: [], isDefault: true, publicUrl: 'http://localhost:8080' });
    expect((await admin.get('/api/devices')).status).toBe(200);
  });
});
