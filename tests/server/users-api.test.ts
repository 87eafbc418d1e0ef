/**
 * Accounts and sessions on a real server: admins manage users, everyone changes their own
 * password (which ends their other sessions), there is always an admin, sessions expire after
 * 2 h idle or 12 h in total, a live socket outliving its session is closed, and the security
 * guards (helmet headers, CSRF, login rate limit) hold.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_WS_PATH } from '../../shared/paths.js';
import { LIVE_CLOSE_SESSION_ENDED } from '../../shared/live.js';
import { SESSION_IDLE_MS, SESSION_TTL_MS } from '../../server/auth/sessions.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

describe('users, passwords and sessions', () => {
  let t: TestServer;
  const sockets: WsTestClient[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await t?.close();
  });

  async function start(opts: Parameters<typeof startTestServer>[0] = {}) {
    t = await startTestServer(opts);
    const admin = new ApiClient(t.url);
    await admin.login();
    return admin;
  }

  it('lets admins create, list, change and delete users, with precise errors', async () => {
    const admin = await start();
    const created = await admin.post('/api/users', { username: 'tina', password: 'tina-password-1', role: 'technician', email: 'tina@msp.example' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String), username: 'tina', role: 'technician', email: 'tina@msp.example', createdAtMs: expect.any(Number) });
    const stored = t.server.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(created.json.id) as { password_hash: string };
    expect(stored.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);

    const refusals: [object, number, string, string][] = [
      [{ username: 'TINA', password: 'another-password', role: 'viewer' }, 409, 'USER_EXISTS', 'a user named "TINA" already exists'],
      [{ username: 'short', password: 'short', role: 'viewer' }, 400, 'PASSWORD_TOO_SHORT', 'body.password: a password needs at least 10 characters'],
      [
        { username: 'xy', password: 'long-enough-pw', role: 'owner' },
        400,
        'VALIDATION_FAILED',
        'body.role: Invalid option: expected one of "admin"|"technician"|"viewer"',
      ],
      [
        { username: 'has space', password: 'long-enough-pw', role: 'viewer' },
        400,
        'VALIDATION_FAILED',
        'body.username: must be 2–50 letters, digits or . _ @ -',
      ],
    ];
    for (const [body, status, code, message] of refusals) {
      const r = await admin.post('/api/users', body);
      expect([r.status, r.json.error]).toEqual([status, { code, message }]);
    }

    const list = (await admin.get('/api/users')).json;
    expect(list.map((u: { username: string }) => u.username)).toEqual(['admin', 'tina']);
    const patched = await admin.request('PATCH', `/api/users/${created.json.id}`, { role: 'viewer', email: null });
    expect(patched.json).toMatchObject({ role: 'viewer', email: null });
    expect((await admin.request('PATCH', '/api/users/nope', { role: 'viewer' })).json.error.code).toBe('USER_NOT_FOUND');

    const me = (await admin.get('/api/me')).json;
    const demoteSelf = await admin.request('PATCH', `/api/users/${me.id}`, { role: 'technician' });
    expect([demoteSelf.status, demoteSelf.json.error]).toEqual([
      409,
      { code: 'LAST_ADMIN', message: 'admin is the only admin; make someone else admin first' },
    ]);
    const deleteSelf = await admin.request('DELETE', `/api/users/${me.id}`);
    expect([deleteSelf.status, deleteSelf.json.error.code]).toEqual([409, 'CANNOT_DELETE_SELF']);

    expect((await admin.request('DELETE', `/api/users/${created.json.id}`)).status).toBe(204);
    expect((await admin.get('/api/users')).json).toHaveLength(1);
  });

  it('keeps user management to admins; others see usernames only', async () => {
    const admin = await start();
    await admin.post('/api/users', { username: 'tom', password: 'tom-password-1', role: 'technician' });
    const tom = new ApiClient(t.url);
    await tom.login('tom', 'tom-password-1');
    expect((await tom.get('/api/users')).json).toEqual([
      { id: expect.any(String), username: 'admin', role: 'admin' },
      { id: expect.any(String), username: 'tom', role: 'technician' },
    ]);
    const needsAdmin = 'this action needs role admin';
    const notYours = "only admin may change another user's settings";
    for (const [method, path, message] of [
      ['POST', '/api/users', needsAdmin],
      ['PATCH', '/api/users/x', notYours],
      ['DELETE', '/api/users/x', needsAdmin],
    ] as const) {
      const r = await tom.request(method, path, { username: 'eve', password: 'eve-password-1', role: 'admin' });
      expect([r.status, r.json.error]).toEqual([403, { code: 'FORBIDDEN', message }]);
    }
    // Your own record: e-mail yes, role no.
    const me = (await tom.get('/api/me')).json;
    expect((await tom.request('PATCH', `/api/users/${me.id}`, { email: 'tom@msp.example' })).json).toMatchObject({ email: 'tom@msp.example' });
    expect((await tom.request('PATCH', `/api/users/${me.id}`, { role: 'admin' })).json.error.code).toBe('FORBIDDEN');
  });

  it('changes your own password and ends your other sessions, not this one', async () => {
    const admin = await start();
    await admin.post('/api/users', { username: 'tom', password: 'tom-password-1', role: 'technician' });
    const laptop = new ApiClient(t.url);
    const phone = new ApiClient(t.url);
    await laptop.login('tom', 'tom-password-1');
    await phone.login('tom', 'tom-password-1');

    const wrong = await laptop.post('/api/me/password', { currentPassword: 'not-it-at-all', newPassword: 'tom-password-2' });
    expect([wrong.status, wrong.json.error]).toEqual([
      400,
      { code: 'CURRENT_PASSWORD_WRONG', message: 'body.currentPassword: that is not your current password' },
    ]);
    const short = await laptop.post('/api/me/password', { currentPassword: 'tom-password-1', newPassword: 'tom2' });
    expect(short.json.error).toEqual({ code: 'PASSWORD_TOO_SHORT', message: 'body.newPassword: a password needs at least 10 characters' });

    expect((await laptop.post('/api/me/password', { currentPassword: 'tom-password-1', newPassword: 'tom-password-2' })).status).toBe(204);
    expect((await laptop.get('/api/me')).status).toBe(200);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await new ApiClient(t.url).post('/api/login', { username: 'tom', password: 'tom-password-1' })).status).toBe(401);
    expect((await new ApiClient(t.url).post('/api/login', { username: 'tom', password: 'tom-password-2' })).status).toBe(200);
  });

  it('ends every session of a user an admin resets or deletes', async () => {
    const admin = await start();
    const tom = (await admin.post('/api/users', { username: 'tom', password: 'tom-password-1', role: 'technician' })).json;
    const session = new ApiClient(t.url);
    await session.login('tom', 'tom-password-1');
    const short = await admin.request('PATCH', `/api/users/${tom.id}`, { password: 'short' });
    expect(short.json.error.code).toBe('PASSWORD_TOO_SHORT');
    expect((await session.get('/api/me')).status).toBe(200);
    expect((await admin.request('PATCH', `/api/users/${tom.id}`, { password: 'reset-password-9' })).status).toBe(200);
    expect((await session.get('/api/me')).status).toBe(401);
    await session.login('tom', 'reset-password-9');
    expect((await admin.request('DELETE', `/api/users/${tom.id}`)).status).toBe(204);
    expect((await session.get('/api/me')).status).toBe(401);
  });

  it('expires sessions after 2 h idle and 12 h in total', async () => {
    let nowMs = Date.UTC(2026, 0, 5, 8, 0);
    const admin = await start({ clock: { now: () => nowMs } });
    const step = (ms: number) => (nowMs += ms);
    step(SESSION_IDLE_MS - 60_000);
    expect((await admin.get('/api/me')).status).toBe(200); // activity moves the idle deadline
    step(SESSION_IDLE_MS - 60_000);
    expect((await admin.get('/api/me')).status).toBe(200);
    step(SESSION_IDLE_MS + 1);
    expect((await admin.get('/api/me')).status).toBe(401);

    await admin.login();
    for (let elapsed = 0; elapsed < SESSION_TTL_MS - 3_600_000; elapsed += 3_600_000) {
      step(3_600_000);
      expect((await admin.get('/api/me')).status).toBe(200);
    }
    step(3_600_000);
    expect((await admin.get('/api/me')).status).toBe(401); // 12 h after login, however active
  });

  it('closes a live socket once its session has ended', async () => {
    const admin = await start({ liveSessionCheckIntervalMs: 100 });
    const live = await WsTestClient.connect(t.url.replace('http', 'ws') + LIVE_WS_PATH, { cookie: admin.cookie });
    sockets.push(live);
    await admin.post('/api/logout');
    expect(await live.closed).toEqual({ code: LIVE_CLOSE_SESSION_ENDED, reason: 'session ended' });
  });

  it('sends security headers with a CSP the dashboard can live with', async () => {
    await start();
    const res = await fetch(`${t.url}/api/health`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:"); // the live socket
    expect(csp).toContain("img-src 'self' data:"); // the inline SVG favicon
    expect(csp).toContain("style-src 'self' https: 'unsafe-inline'"); // style attributes (virtual list offsets)
    expect(csp).toContain("frame-ancestors 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses cross-site and non-JSON writes and rate-limits failed logins', async () => {
    const admin = await start();
    const cross = await admin.post('/api/users', { username: 'eve', password: 'eve-password-1', role: 'admin' }, { origin: 'https://evil.example' });
    expect([cross.status, cross.json.error.code]).toEqual([403, 'CSRF_REJECTED']);
    const form = await admin.request('POST', '/api/me/password', 'currentPassword=x&newPassword=y', { 'content-type': 'text/plain' });
    expect([form.status, form.json.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const sameOrigin = await admin.post('/api/logout', {}, { origin: t.url });
    expect(sameOrigin.status).toBe(204);

    const guesser = new ApiClient(t.url);
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await guesser.post('/api/login', { username: 'admin', password: `guess-${i}` })).status);
    expect(codes).toEqual([...Array(10).fill(401), 429]);
    const blocked = await guesser.post('/api/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(blocked.json.error).toEqual({ code: 'TOO_MANY_ATTEMPTS', message: 'too many failed logins; wait a few minutes and try again' });
  });
});
