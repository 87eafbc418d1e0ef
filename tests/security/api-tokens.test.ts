/**
 * API tokens: admins create named tokens with a role (shown once, stored hashed); scripts send
 * `Authorization: Bearer qpt_…` instead of a cookie; the role holds; revoked and expired tokens
 * are refused; a token cannot mint or revoke tokens (but itself) or change a password; the CSRF Origin check does not
 * apply to header-authenticated requests, and a bad header is never rescued by a cookie.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../server/lib/secrets.js';
import { manualClock } from '../helpers/receivers.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('API tokens', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(opts: Parameters<typeof startTestServer>[0] = {}) {
    t = await startTestServer(opts);
    const admin = new ApiClient(t.url);
    await admin.login();
    return admin;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  function asToken(token: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
    return new ApiClient(t!.url).request(method, p, body, { ...bearer(token), ...headers });
  }

  it('is created by an admin, shown once, stored only as a hash, and acts with its role', async () => {
    const admin = await start();
    const created = await admin.post('/api/api-tokens', { name: 'backup script', role: 'technician' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.any(String),
      name: 'backup script',
      role: 'technician',
      createdAtMs: expect.any(Number),
      createdBy: 'admin',
      expiresAtMs: null,
      revokedAtMs: null,
      lastUsedAtMs: null,
      token: expect.stringMatching(/^qpt_[A-Za-z0-9_-]{43}$/),
    });
    const token: string = created.json.token;
    const row = t!.server.db.prepare('SELECT * FROM api_tokens').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify((await admin.get('/api/api-tokens')).json)).not.toContain(token);

    expect((await asToken(token, 'GET', '/api/me')).json).toEqual({ id: `token:${created.json.id}`, username: 'api-token:backup script', role: 'technician' });
    const client = await asToken(token, 'POST', '/api/clients', { name: 'Scripted', contract: 'monthly' });
    expect(client.status).toBe(201);
    // Technician role: no audit log; and no token, whatever its role, manages users.
    expect((await asToken(token, 'POST', '/api/users', { username: 'x1', password: 'long-enough-1', role: 'viewer' })).json.error.code).toBe(
      'SESSION_REQUIRED',
    );
    expect((await asToken(token, 'GET', '/api/audit')).status).toBe(403);
    // Its actions are audited under its name.
    const audit = (await admin.get('/api/audit?entityType=client')).json.entries;
    expect(audit[0]).toMatchObject({ action: 'client.create', actorId: `token:${created.json.id}`, actorName: 'api-token:backup script' });
    expect((await admin.get('/api/api-tokens')).json[0].lastUsedAtMs).toEqual(expect.any(Number));

    const viewerToken = (await admin.post('/api/api-tokens', { name: 'grafana', role: 'viewer' })).json.token;
    expect((await asToken(viewerToken, 'GET', '/api/devices')).status).toBe(200);
    expect((await asToken(viewerToken, 'POST', '/api/clients', { name: 'Nope', contract: 'monthly' })).json.error.code).toBe('FORBIDDEN');
  });

  it('refuses revoked, expired, unknown and device tokens with 401 TOKEN_INVALID', async () => {
    const clock = manualClock(Date.now());
    const admin = await start({ clock });
    const a = (await admin.post('/api/api-tokens', { name: 'short-lived', role: 'admin', expiresInDays: 1 })).json;
    const b = (await admin.post('/api/api-tokens', { name: 'to revoke', role: 'admin' })).json;
    expect((await asToken(a.token, 'GET', '/api/clients')).status).toBe(200);
    expect((await asToken(b.token, 'GET', '/api/clients')).status).toBe(200);

    const revoked = await admin.delete(`/api/api-tokens/${b.id}`);
    expect(revoked.json).toMatchObject({ id: b.id, revokedAtMs: clock.now() });
    expect((await asToken(b.token, 'GET', '/api/clients')).json.error).toEqual({
      code: 'TOKEN_INVALID',
      message: 'the API token is unknown, expired or revoked (send Authorization: Bearer qpt_…)',
    });
    expect((await admin.delete('/api/api-tokens/nope')).json.error.code).toBe('API_TOKEN_NOT_FOUND');
    clock.advance(86_400_000 + 1);
    expect((await asToken(a.token, 'GET', '/api/clients')).json.error.code).toBe('TOKEN_INVALID');
    expect((await asToken('qpt_not-a-real-token', 'GET', '/api/clients')).status).toBe(401);
    expect((await asToken('qpd_a-device-credential', 'GET', '/api/devices')).status).toBe(401);
    expect((await new ApiClient(t!.url).request('GET', '/api/clients', undefined, { authorization: 'Basic YWRtaW46eA==' })).status).toBe(401);
  });

  it('cannot mint tokens or change a password; an admin token may list tokens and revoke itself, no other', async () => {
    const admin = await start();
    const tok = (await admin.post('/api/api-tokens', { name: 'ops', role: 'admin' })).json;
    expect((await asToken(tok.token, 'POST', '/api/api-tokens', { name: 'child', role: 'admin' })).json.error).toEqual({
      code: 'SESSION_REQUIRED',
      message: 'API tokens cannot change users, passwords, roles or tokens; log in as a person',
    });
    expect((await asToken(tok.token, 'POST', '/api/me/password', { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' })).json.error.code).toBe(
      'SESSION_REQUIRED',
    );
    expect((await asToken(tok.token, 'GET', '/api/api-tokens')).status).toBe(200);
    const sibling = (await admin.post('/api/api-tokens', { name: 'sibling', role: 'viewer' })).json;
    expect((await asToken(tok.token, 'DELETE', `/api/api-tokens/${sibling.id}`)).json.error.code).toBe('SESSION_REQUIRED');
    expect((await asToken(tok.token, 'DELETE', `/api/api-tokens/${tok.id}`)).status).toBe(200);
    expect((await asToken(tok.token, 'GET', '/api/api-tokens')).status).toBe(401);
    expect((await admin.post('/api/api-tokens', { name: 'ops', role: 'viewer' })).json.error.code).toBe('API_TOKEN_EXISTS');
    expect((await admin.post('/api/api-tokens', { name: 'x', role: 'viewer' })).json.error.code).toBe('VALIDATION_FAILED');
  });

  it('skips the Origin check for bearer requests; a bad bearer is refused even with a valid cookie', async () => {
    const admin = await start();
    const tok = (await admin.post('/api/api-tokens', { name: 'ci', role: 'technician' })).json;
    const crossSite = { origin: 'https://evil.example' };
    expect((await admin.request('POST', '/api/clients', { name: 'Cookie Co', contract: 'monthly' }, crossSite)).json.error.code).toBe('CSRF_REJECTED');
    expect((await asToken(tok.token, 'POST', '/api/clients', { name: 'Token Co', contract: 'monthly' }, crossSite)).status).toBe(201);
    const withBoth = await admin.request('GET', '/api/clients', undefined, bearer('qpt_wrong'));
    expect([withBoth.status, withBoth.json.error.code]).toEqual([401, 'TOKEN_INVALID']);
    // Bodies stay JSON-only for everyone.
    const form = await asToken(tok.token, 'POST', '/api/clients', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
