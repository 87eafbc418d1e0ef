/**
 * Viewers read and change nothing, enforced by the API. The list of state-changing routes is read
 * from the express app itself, so a route added tomorrow is covered without anyone updating this
 * test: it must answer 403 FORBIDDEN to a viewer, or be named below as one a viewer may use.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { hashPassword } from '../../server/lib/secrets.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { listRoutes, type RouteInfo } from '../helpers/routes.js';

/** State-changing routes a viewer may call, and why. */
const VIEWER_MAY: Record<string, string> = {
  'POST /api/login': 'signing in',
  'POST /api/logout': 'signing out',
  'POST /api/me/password': 'changing their own password',
  'PUT /api/me/locale': 'choosing their own dashboard language',
  'POST /api/login/second-factor': 'signing in with a second factor',
  'POST /api/me/two-factor/start': 'setting up their own two-factor login',
  'POST /api/me/two-factor/confirm': 'setting up their own two-factor login',
  'POST /api/me/two-factor/recovery-codes': 'new recovery codes for their own account',
  'POST /api/me/two-factor/disable': 'turning off their own two-factor login (when their role does not require it)',
  'POST /api/enroll': 'agents enroll with a token, not a session',
  'POST /ack/:token': 'the signed single-use token in a page is the credential, not a session',
  'POST /api/oncall/test-page': 'paging themselves, to test their own contact points',
  'POST /api/setup/check': 'the one-time setup code is the credential, not a session (done here: 409 SETUP_DONE)',
  'POST /api/setup/test-email': 'the one-time setup code is the credential, not a session',
  'POST /api/setup': 'the one-time setup code is the credential, not a session',
};

describe('viewer role', () => {
  let t: TestServer;
  let viewer: ApiClient;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await startTestServer();
    t.server.ctx.users.create({ username: 'vera', passwordHash: await hashPassword('vera-password-123'), role: 'viewer' }, Date.now());
    viewer = new ApiClient(t.url);
    await viewer.login('vera', 'vera-password-123');
    routes = listRoutes(createApp(t.server.ctx, mkdtempSync(path.join(tmpdir(), 'qp-no-dashboard-'))));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds the routes of every mounted router', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /api/health',
        'POST /api/login',
        'POST /api/alerts/:id/acknowledge',
        'POST /api/incidents/:id/time-entries',
        'DELETE /api/incidents/:id/time-entries/:entryId',
        'PATCH /api/rules/:id',
        'PUT /api/maintenance/:id',
        'POST /api/users',
        'POST /api/me/password',
      ]),
    );
    expect(routes.filter((r) => r.method !== 'GET').length).toBeGreaterThan(25);
  });

  it('is refused every state-changing route with 403 FORBIDDEN', async () => {
    const unsafe = routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !VIEWER_MAY[`${r.method} ${r.path}`]);
    const answers: string[] = [];
    for (const r of unsafe) {
      const res = await viewer.request(r.method, r.path.replace(/:(\w+)/g, 'some-$1'), {});
      answers.push(`${r.method} ${r.path} → ${res.status} ${res.json?.error?.code ?? ''}`);
    }
    expect(answers).toEqual(unsafe.map((r) => `${r.method} ${r.path} → 403 FORBIDDEN`));
  });

  it('may still read, sign out and change its own password', async () => {
    for (const p of ['/api/devices', '/api/clients', '/api/alerts', '/api/incidents', '/api/rules', '/api/maintenance', '/api/users']) {
      expect((await viewer.get(p)).status, p).toBe(200);
    }
    const users = (await viewer.get('/api/users')).json;
    expect(users[0]).toEqual({ id: expect.any(String), username: expect.any(String), role: expect.any(String) });
    const changed = await viewer.post('/api/me/password', { currentPassword: 'vera-password-123', newPassword: 'vera-password-456' });
    expect(changed.status).toBe(204);
    expect((await viewer.post('/api/logout')).status).toBe(204);
    expect((await viewer.get('/api/me')).status).toBe(401);
  });
});
