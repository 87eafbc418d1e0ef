/**
 * Authorization matrix: every REST route × every kind of caller, with the expected answer.
 * The routes are read from the express app and each must appear in POLICY below, so a new route
 * fails this test until someone decides who may call it. Callers: nobody, a device credential,
 * a viewer / technician / admin session, viewer / technician / admin API tokens, a revoked
 * token, and a session that was logged out. "allowed" means neither 401 nor 403 (the route may
 * still answer 400/404 to the placeholder ids and empty bodies used here).
 *
 * Also: a device never reads or writes another device's data, revoked enrollment tokens,
 * rotated-away credentials and disabled devices are refused, and sessions and tokens expire.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH, LIVE_WS_PATH } from '../../shared/protocol.js';
import { SESSION_IDLE_MS, SESSION_TTL_MS } from '../../server/auth/sessions.js';
import { createApp } from '../../server/api/app.js';
import { manualClock } from '../helpers/receivers.js';
import { listRoutes, type RouteInfo } from '../helpers/routes.js';
import { agentDistRoutes, installScriptRoutes } from '../../server/agent-dist/agent-dist-routes.js';
import { loadAgentArtifacts } from '../../server/agent-dist/artifacts.js';
import { ADMIN_PASSWORD, ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

type Access = 'public' | 'any' | 'act' | 'act-session' | 'admin' | 'admin-session' | 'session' | 'self-or-admin' | 'self-or-admin-session' | 'self-or-tech';

/**
 * Who may call what. `act` = admin or technician; `session` and `*-session` = a person's session:
 * any API token gets 403 SESSION_REQUIRED, whatever its role (checked before the role).
 */
const POLICY = `
GET /api/health public
POST /api/login public
POST /api/logout public
GET /api/me any
POST /api/enroll public
GET /api/setup public
POST /api/setup/check public
POST /api/setup/test-email public
POST /api/setup public
GET /api/clients any
POST /api/clients act
GET /api/clients/:id any
PATCH /api/clients/:id act
DELETE /api/clients/:id admin
POST /api/clients/:id/enrollment-tokens act
GET /api/clients/:id/enrollment-tokens any
GET /api/clients/:id/agent-config any
PUT /api/clients/:id/agent-config act
GET /api/devices any
GET /api/devices/:id any
PATCH /api/devices/:id act
POST /api/devices/:id/disable act
POST /api/devices/:id/enable act
POST /api/devices/:id/rotate-credential act
GET /api/devices/:id/agent-config any
PUT /api/devices/:id/agent-config act
PUT /api/devices/:id/parent act
GET /api/devices/:id/metrics any
POST /api/clients/:id/probed-devices act
GET /api/devices/:id/probe any
PUT /api/devices/:id/probe act
POST /api/clients/:id/discovery-scans act
GET /api/clients/:id/discovery-scans any
GET /api/discovery-scans/:id any
DELETE /api/discovery-scans/:id act
POST /api/discovery-scans/:id/found/:address/adopt act
POST /api/clients/:id/status-links act
GET /api/clients/:id/status-links any
DELETE /api/status-links/:id act
GET /status/:token public
GET /api/rules any
GET /api/rules/effective any
GET /api/rules/:id any
POST /api/rules act
PATCH /api/rules/:id act
DELETE /api/rules/:id act
GET /api/alerts any
GET /api/alerts/:id any
POST /api/alerts/:id/acknowledge act
POST /api/alerts/:id/resolve act
POST /api/alerts/:id/assign act
POST /api/alerts/:id/comments act
GET /api/alerts/:id/time-entries any
POST /api/alerts/:id/time-entries act
DELETE /api/alerts/:id/time-entries/:entryId act
GET /api/incidents any
POST /api/incidents act
GET /api/incidents/:id any
POST /api/incidents/:id/close act
POST /api/incidents/:id/bill act
POST /api/incidents/:id/comments act
GET /api/incidents/:id/time-entries any
POST /api/incidents/:id/time-entries act
DELETE /api/incidents/:id/time-entries/:entryId act
GET /api/maintenance any
GET /api/maintenance/:id any
POST /api/maintenance act
PUT /api/maintenance/:id act
DELETE /api/maintenance/:id act
GET /api/reports/billing any
GET /api/reports/contract-advice any
GET /api/reports/contract-history any
GET /api/reports/client-report any
POST /api/reports/client-report/send act
GET /api/reports/client-report/archive any
GET /api/reports/client-report/archive/:id any
GET /api/reports/billing.csv any
GET /api/reports/time-entries.csv any
GET /api/reports/billing-all any
GET /api/reports/client-settings/:clientId any
PUT /api/reports/client-settings/:clientId act
GET /api/channels any
GET /api/channels/types any
POST /api/channels act
GET /api/channels/:id any
PATCH /api/channels/:id act
DELETE /api/channels/:id act
POST /api/channels/:id/test act
GET /api/users any
GET /api/users/:id self-or-admin
POST /api/users admin-session
PATCH /api/users/:id self-or-admin-session
DELETE /api/users/:id admin-session
GET /api/users/:id/contacts self-or-tech
POST /api/users/:id/contacts self-or-tech
DELETE /api/users/:id/contacts/:contactId self-or-tech
POST /api/me/password session
PUT /api/me/locale session
GET /api/oncall/now any
GET /api/oncall/gaps any
GET /api/oncall/fallback any
PUT /api/oncall/fallback admin
GET /api/oncall/grouping any
GET /api/system/checks admin
GET /api/jobs any
GET /api/jobs/compliance any
GET /api/jobs/:id any
POST /api/jobs act-session
GET /api/maintenance-policies any
GET /api/maintenance-policies/:id any
POST /api/maintenance-policies act-session
DELETE /api/maintenance-policies/:id act
GET /api/settings/public-url any
POST /api/settings/public-url/check admin
PUT /api/settings/public-url admin
POST /api/system/checks/run admin
PUT /api/oncall/grouping admin
POST /api/oncall/test-page any
GET /api/oncall/schedules any
POST /api/oncall/schedules act
GET /api/oncall/schedules/:id any
PATCH /api/oncall/schedules/:id act
DELETE /api/oncall/schedules/:id act
GET /api/oncall/schedules/:id/shifts any
GET /api/oncall/schedules/:id/overrides any
POST /api/oncall/schedules/:id/overrides act
DELETE /api/oncall/schedules/:id/overrides/:overrideId act
GET /api/escalation-policies any
POST /api/escalation-policies act
GET /api/escalation-policies/:id any
PATCH /api/escalation-policies/:id act
DELETE /api/escalation-policies/:id act
GET /api/notifications any
GET /api/notifications/summary any
GET /api/notifications/digest any
PUT /api/notifications/digest admin
GET /api/notifications/:id any
POST /api/notifications/:id/retry act
DELETE /api/enrollment-tokens/:id act
GET /api/api-tokens admin
POST /api/api-tokens admin-session
DELETE /api/api-tokens/:id admin-session
GET /api/audit admin
GET /api/audit/export admin
GET /ack/:token public
POST /ack/:token public
POST /api/login/second-factor public
GET /api/me/two-factor session
POST /api/me/two-factor/start session
POST /api/me/two-factor/confirm session
POST /api/me/two-factor/recovery-codes session
POST /api/me/two-factor/disable session
GET /api/auth/two-factor-policy admin-session
PUT /api/auth/two-factor-policy admin-session
DELETE /api/auth/users/:id/two-factor admin-session
GET /api/auth/sso admin-session
PUT /api/auth/sso admin-session
GET /api/sign-in-methods public
GET /auth/sso/start public
GET /auth/sso/callback public
GET /agent/signing-key public
GET /agent/manifest.json public
GET /agent/download/:version/:platform public
GET /install.sh public
`
  .trim()
  .split('\n')
  .map((line) => line.trim().split(' ') as [string, string, Access]);

/**
 * Every route that changes a credential, a user's role or an API token. Each must be session-only
 * in POLICY, and the "admin by API token" test below attacks each with a real body.
 */
const CREDENTIAL_ROUTES = [
  'POST /api/users',
  'PATCH /api/users/:id',
  'DELETE /api/users/:id',
  'POST /api/me/password',
  'POST /api/api-tokens',
  'DELETE /api/api-tokens/:id',
  // Single sign-on decides who can sign in and with which role.
  'PUT /api/auth/sso',
];

/** Bodies where an empty one would be refused for another reason than the caller's role. */
const BODIES: Record<string, object> = {
  // An empty rule is global, which only admins may change: a client scope asks the role question alone.
  'POST /api/rules': { scope: { type: 'client', clientId: 'placeholder' } },
};

interface Principal {
  name: string;
  role: 'viewer' | 'technician' | 'admin' | null;
  isToken: boolean;
  headers: () => Record<string, string>;
  /** The code a refused credential gets (401). */
  code401: string;
}

function expected(access: Access, p: Principal): 'allowed' | 401 | 403 {
  if (access === 'public') return 'allowed';
  if (p.role === null) return 401;
  const isAct = p.role === 'admin' || p.role === 'technician';
  switch (access) {
    case 'any':
      return 'allowed';
    case 'act':
    case 'self-or-tech':
      return isAct ? 'allowed' : 403;
    case 'admin':
    case 'self-or-admin':
      return p.role === 'admin' ? 'allowed' : 403;
    case 'admin-session':
      return p.role === 'admin' && !p.isToken ? 'allowed' : 403;
    case 'act-session':
      return isAct && !p.isToken ? 'allowed' : 403;
    case 'self-or-admin-session':
      return p.role === 'admin' && !p.isToken ? 'allowed' : 403;
    case 'session':
      return p.isToken ? 403 : 'allowed';
  }
}

describe('authorization matrix', () => {
  let t: TestServer;
  let routes: RouteInfo[];
  const principals: Principal[] = [];
  let checks = 0;

  beforeAll(async () => {
    t = await startTestServer();
    const admin = new ApiClient(t.url);
    await admin.login();
    const artifacts = loadAgentArtifacts({ dirs: [], key: t.server.ctx.signingKey!, serverVersion: t.server.ctx.version, logger: t.server.ctx.logger });
    const extra = { agentDist: agentDistRoutes(artifacts), installScripts: installScriptRoutes(artifacts, () => t.url) };
    routes = listRoutes(createApp(t.server.ctx, mkdtempSync(path.join(tmpdir(), 'qp-no-dashboard-')), extra)).filter((r) => r.path !== '/');
    const dev = await enrollTestDevice(admin);
    const session = async (username: string, role: 'viewer' | 'technician' | 'admin') => {
      if (username !== 'admin') expect((await admin.post('/api/users', { username, password: `${username}-password-1`, role })).status).toBe(201);
      const c = new ApiClient(t.url);
      await c.login(username, username === 'admin' ? undefined : `${username}-password-1`);
      return c.cookie;
    };
    const token = async (name: string, role: 'viewer' | 'technician' | 'admin') =>
      (await admin.post('/api/api-tokens', { name, role })).json as { id: string; token: string };
    const cookies = { viewer: await session('vera', 'viewer'), technician: await session('tom', 'technician'), admin: await session('admin', 'admin') };
    const ended = new ApiClient(t.url);
    await ended.login('tom', 'tom-password-1');
    const endedCookie = ended.cookie;
    await ended.post('/api/logout');
    const tokens = {
      viewer: await token('viewer-token', 'viewer'),
      technician: await token('tech-token', 'technician'),
      admin: await token('admin-token', 'admin'),
    };
    const revoked = await token('revoked-token', 'admin');
    await admin.delete(`/api/api-tokens/${revoked.id}`);

    const cookie = (c: string) => () => ({ cookie: c });
    const bearer = (b: string) => () => ({ authorization: `Bearer ${b}` });
    principals.push(
      { name: 'anonymous', role: null, isToken: false, headers: () => ({}), code401: 'UNAUTHENTICATED' },
      { name: 'device credential', role: null, isToken: true, headers: bearer(dev.deviceToken), code401: 'TOKEN_INVALID' },
      { name: 'logged-out session', role: null, isToken: false, headers: cookie(endedCookie), code401: 'UNAUTHENTICATED' },
      { name: 'revoked admin token', role: null, isToken: true, headers: bearer(revoked.token), code401: 'TOKEN_INVALID' },
      { name: 'viewer session', role: 'viewer', isToken: false, headers: cookie(cookies.viewer), code401: '' },
      { name: 'technician session', role: 'technician', isToken: false, headers: cookie(cookies.technician), code401: '' },
      { name: 'admin session', role: 'admin', isToken: false, headers: cookie(cookies.admin), code401: '' },
      { name: 'viewer token', role: 'viewer', isToken: true, headers: bearer(tokens.viewer.token), code401: '' },
      { name: 'technician token', role: 'technician', isToken: true, headers: bearer(tokens.technician.token), code401: '' },
      { name: 'admin token', role: 'admin', isToken: true, headers: bearer(tokens.admin.token), code401: '' },
    );
  });
  afterAll(async () => {
    console.info(`authz matrix: ${routes.length} routes × ${principals.length} callers = ${checks} checks`);
    await t?.close();
  });

  it('has a policy for every route and a route for every policy', () => {
    const registered = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(POLICY.map(([m, p]) => `${m} ${p}`).sort()).toEqual(registered);
  });

  it("requires a person's session on every route that changes credentials, roles or tokens", () => {
    const policy = new Map(POLICY.map(([m, p, a]) => [`${m} ${p}`, a]));
    expect(CREDENTIAL_ROUTES.map((r) => [r, policy.get(r)])).toEqual(CREDENTIAL_ROUTES.map((r) => [r, expect.stringMatching(/^(session|.*-session)$/)]));
  });

  it('lets people read and change their own account and contacts', async () => {
    for (const p of principals.filter((x) => x.role !== null && !x.isToken)) {
      const client = new ApiClient(t.url);
      const me = (await client.request('GET', '/api/me', undefined, p.headers())).json;
      for (const [method, url] of [
        ['GET', `/api/users/${me.id}`],
        ['GET', `/api/users/${me.id}/contacts`],
        ['PATCH', `/api/users/${me.id}`],
      ] as const) {
        const r = await client.request(method, url, method === 'PATCH' ? {} : undefined, p.headers());
        checks++;
        expect(r.status, `${p.name} ${method} ${url}`).toBe(200);
      }
    }
  });

  it('answers every route × caller as the policy says', async () => {
    const policy = new Map(POLICY.map(([m, p, a]) => [`${m} ${p}`, a]));
    // Logging out ends the caller's session, so it goes last.
    const ordered = [...routes].sort((a, b) => Number(a.path === '/api/logout') - Number(b.path === '/api/logout'));
    const got: string[] = [];
    const want: string[] = [];
    for (const p of principals) {
      const client = new ApiClient(t.url);
      for (const r of ordered) {
        const access = policy.get(`${r.method} ${r.path}`)!;
        const key = `${r.method} ${r.path}`;
        const res = await client.request(
          r.method,
          r.path.replace(/:(\w+)/g, 'placeholder-$1'),
          r.method === 'GET' ? undefined : (BODIES[key] ?? {}),
          p.headers(),
        );
        checks++;
        const exp = expected(access, p);
        const label = `${p.name} ${r.method} ${r.path}`;
        const outcome = res.status === 401 || res.status === 403 ? `${res.status} ${res.json?.error?.code}` : 'allowed';
        got.push(`${label} → ${outcome}`);
        const isSessionOnly = access === 'session' || access.endsWith('-session');
        const code = exp === 401 ? p.code401 : exp === 403 ? (isSessionOnly && p.isToken ? 'SESSION_REQUIRED' : 'FORBIDDEN') : '';
        want.push(`${label} → ${exp === 'allowed' ? 'allowed' : `${exp} ${code}`}`);
      }
    }
    expect(got).toEqual(want);
    expect(checks).toBeGreaterThan(900);
    // ~960 sequential requests: ~20 s alone on the 2-core machine, more beside other test files.
  }, 120_000);
});

describe('admin by API token (a leaked admin token)', () => {
  let t: TestServer;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestServer();
    admin = new ApiClient(t.url);
    await admin.login();
  });
  afterAll(async () => {
    await t?.close();
  });
  const asToken = (token: string) => (method: string, url: string, body?: unknown) =>
    new ApiClient(t.url).request(method, url, body, { authorization: `Bearer ${token}` });
  const canLogin = async (username: string, password: string) => (await new ApiClient(t.url).post('/api/login', { username, password })).status === 200;

  it('changes no password, role, user or token on any credential route: 403 SESSION_REQUIRED, all attempts in flight at once', async () => {
    const vera = (await admin.post('/api/users', { username: 'vera', password: 'vera-password-1', role: 'viewer' })).json;
    const tom = (await admin.post('/api/users', { username: 'tom', password: 'tom-password-1', role: 'technician' })).json;
    const me = (await admin.get('/api/me')).json;
    const leaked = (await admin.post('/api/api-tokens', { name: 'leaked', role: 'admin' })).json as { id: string; token: string };
    const other = (await admin.post('/api/api-tokens', { name: 'backup script', role: 'admin' })).json as { id: string; token: string };
    const as = asToken(leaked.token);
    const attacks: [string, string, string, unknown][] = [
      ['PATCH /api/users/:id', 'PATCH', `/api/users/${me.id}`, { password: 'attacker-password-1' }],
      ['PATCH /api/users/:id', 'PATCH', `/api/users/${vera.id}`, { password: 'attacker-password-1' }],
      ['PATCH /api/users/:id', 'PATCH', `/api/users/${tom.id}`, { role: 'admin' }],
      ['PATCH /api/users/:id', 'PATCH', `/api/users/${me.id}`, { email: 'attacker@evil.example' }],
      ['POST /api/users', 'POST', '/api/users', { username: 'backdoor', password: 'backdoor-password-1', role: 'admin' }],
      ['DELETE /api/users/:id', 'DELETE', `/api/users/${vera.id}`, undefined],
      ['POST /api/me/password', 'POST', '/api/me/password', { currentPassword: 'x', newPassword: 'attacker-password-1' }],
      ['POST /api/api-tokens', 'POST', '/api/api-tokens', { name: 'forever', role: 'admin' }],
      ['DELETE /api/api-tokens/:id', 'DELETE', `/api/api-tokens/${other.id}`, undefined],
      // Point single sign-on at the attacker's provider, where everyone is an admin.
      [
        'PUT /api/auth/sso',
        'PUT',
        '/api/auth/sso',
        {
          isEnabled: true,
          displayName: 'Office 365',
          issuer: 'https://idp.evil.example',
          clientId: 'x',
          clientSecret: 'y',
          roleMap: { admin: [], technician: [], viewer: [] },
          defaultRole: 'technician',
        },
      ],
    ];
    // Every credential route is attacked at least once.
    expect([...new Set(attacks.map((a) => a[0]))].sort()).toEqual([...CREDENTIAL_ROUTES].sort());
    const answers = await Promise.all(attacks.map(([, method, url, body]) => as(method, url, body)));
    expect(answers.map((a, i) => `${attacks[i]![1]} ${attacks[i]![2]} → ${a.status} ${a.json?.error?.code}`)).toEqual(
      attacks.map(([, m, u]) => `${m} ${u} → 403 SESSION_REQUIRED`),
    );
    expect(answers[0]!.json.error.message).toBe('API tokens cannot change users, passwords, roles or tokens; log in as a person');

    // Nothing changed.
    expect(await canLogin('admin', ADMIN_PASSWORD)).toBe(true);
    expect(await canLogin('vera', 'vera-password-1')).toBe(true);
    expect(await canLogin('backdoor', 'backdoor-password-1')).toBe(false);
    const users = (await admin.get('/api/users')).json as { username: string; role: string; email: string | null }[];
    expect(users.map((u) => [u.username, u.role, u.email])).toEqual(
      expect.arrayContaining([
        ['admin', 'admin', null],
        ['tom', 'technician', null],
        ['vera', 'viewer', null],
      ]),
    );
    expect(users).toHaveLength(3);
    expect((await admin.get('/api/api-tokens')).json.map((x: { name: string; revokedAtMs: number | null }) => [x.name, x.revokedAtMs])).toEqual(
      expect.arrayContaining([
        ['leaked', null],
        ['backup script', null],
      ]),
    );
    expect((await asToken(other.token)('GET', '/api/me')).status).toBe(200);
    expect((await new ApiClient(t.url).get('/api/sign-in-methods')).json.sso).toBeNull();

    // What the token may still do to credentials: revoke itself.
    expect((await as('DELETE', `/api/api-tokens/${leaked.id}`)).json).toMatchObject({ id: leaked.id, revokedAtMs: expect.any(Number) });
    expect((await as('GET', '/api/me')).json.error.code).toBe('TOKEN_INVALID');
  });

  it('stops the tokens of a demoted or deleted user at once (and audits why)', async () => {
    await admin.post('/api/users', { username: 'alice', password: 'alice-password-1', role: 'admin' });
    await admin.post('/api/users', { username: 'bob', password: 'bob-password-1', role: 'admin' });
    const users = (await admin.get('/api/users')).json as { id: string; username: string }[];
    const idOf = (n: string) => users.find((u) => u.username === n)!.id;
    const mint = async (who: string, name: string, role: string) => {
      const c = new ApiClient(t.url);
      await c.login(who, `${who}-password-1`);
      return (await c.post('/api/api-tokens', { name, role })).json as { id: string; token: string };
    };
    const alices = [await mint('alice', 'alice admin', 'admin'), await mint('alice', 'alice viewer', 'viewer')];
    const bobs = [await mint('bob', 'bob admin', 'admin'), await mint('bob', 'bob tech', 'technician')];
    const mine = (await admin.post('/api/api-tokens', { name: 'admin own', role: 'admin' })).json as { token: string };
    const works = async (tk: { token: string }) => (await asToken(tk.token)('GET', '/api/me')).status;
    expect(await Promise.all([...alices, ...bobs, mine].map(works))).toEqual([200, 200, 200, 200, 200]);

    expect((await admin.request('PATCH', `/api/users/${idOf('alice')}`, { role: 'technician' })).status).toBe(200);
    expect((await admin.delete(`/api/users/${idOf('bob')}`)).status).toBe(204);
    expect(await Promise.all([...alices, ...bobs, mine].map(works))).toEqual([401, 401, 401, 401, 200]);
    // A new user of a deleted user's name inherits nothing.
    await admin.post('/api/users', { username: 'bob', password: 'bob-password-2', role: 'admin' });
    expect(await works(bobs[0]!)).toBe(401);

    const audit = (await admin.get('/api/audit?limit=200')).json;
    const entries = audit.entries as { action: string; summary: string }[];
    expect(
      entries
        .filter((e) => e.action === 'api-token.revoke' && e.summary.includes('its creator'))
        .map((e) => e.summary)
        .sort(),
    ).toEqual([
      'revoked API token "alice admin": its creator alice was demoted',
      'revoked API token "alice viewer": its creator alice was demoted',
      'revoked API token "bob admin": its creator bob was deleted',
      'revoked API token "bob tech": its creator bob was deleted',
    ]);
  });
});

describe('devices and credentials', () => {
  let t: TestServer;
  let api: ApiClient;
  const sockets: WsTestClient[] = [];
  beforeAll(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await t?.close();
  });
  const wsUrl = (p: string) => t.url.replace('http', 'ws') + p;
  async function agent(token: string, streamId: string): Promise<WsTestClient> {
    const c = await WsTestClient.connect(wsUrl(AGENT_WS_PATH), { authorization: `Bearer ${token}` });
    sockets.push(c);
    c.send({ type: 'hello', v: 1, agentVersion: 't', hostname: 'h', streamId, intervalMs: 10_000 });
    await c.next((m) => m.type === 'welcome');
    return c;
  }

  it("a device writes only its own data, even naming another device's stream, and reads nothing", async () => {
    const a = await enrollTestDevice(api, { hostname: 'a' });
    const b = await enrollTestDevice(api, { hostname: 'b' });
    const cb = await agent(b.deviceToken, 'stream-of-b-0001');
    cb.send({ type: 'report', v: 1, seq: 1, tsMs: Date.now() - 1000, metrics: [{ name: 'cpu.loadPct', value: 10 }] });
    await cb.next((m) => m.type === 'ack');
    // A claims B's stream id and B's device id: it still writes as A.
    const ca = await agent(a.deviceToken, 'stream-of-b-0001');
    ca.send({ type: 'report', v: 1, seq: 2, tsMs: Date.now(), metrics: [{ name: 'cpu.loadPct', value: 99 }] });
    await ca.next((m) => m.type === 'ack');
    ca.send({ type: 'report', v: 1, seq: 3, tsMs: Date.now(), deviceId: b.deviceId, metrics: [{ name: 'cpu.loadPct', value: 99 }] });
    expect(await ca.next((m) => m.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE', seq: 3 });
    expect(t.server.ctx.devices.lastSeq(b.deviceId, 'stream-of-b-0001')).toBe(1);
    expect(t.server.ctx.devices.findById(b.deviceId)!.latest['cpu.loadPct']).toBe(10);
    expect(t.server.ctx.devices.findById(a.deviceId)!.latest['cpu.loadPct']).toBe(99);
    // A device credential opens neither the REST API nor the dashboard socket.
    const asDevice = { authorization: `Bearer ${a.deviceToken}` };
    for (const p of [`/api/devices/${b.deviceId}`, `/api/devices/${b.deviceId}/metrics?name=cpu.loadPct`, `/api/devices/${a.deviceId}`]) {
      expect((await new ApiClient(t.url).request('GET', p, undefined, asDevice)).status, p).toBe(401);
    }
    expect((await WsTestClient.connect(wsUrl(LIVE_WS_PATH), asDevice).catch((e) => e)).statusCode).toBe(401);
    // An enrollment token is no device credential either.
    expect((await WsTestClient.connect(wsUrl(AGENT_WS_PATH), { authorization: `Bearer ${a.enrollmentToken}` }).catch((e) => e)).statusCode).toBe(401);
  });

  it('refuses revoked enrollment tokens, rotated-away credentials and disabled devices', async () => {
    const dev = await enrollTestDevice(api, { hostname: 'r' });
    const tokens = (await api.get(`/api/clients/${dev.clientId}/enrollment-tokens`)).json as { id: string }[];
    for (const tk of tokens) await api.delete(`/api/enrollment-tokens/${tk.id}`);
    const again = await api.post('/api/enroll', { token: dev.enrollmentToken, hostname: 'r2' });
    expect([again.status, again.json.error.code]).toEqual([401, 'ENROLLMENT_TOKEN_INVALID']);

    const c = await agent(dev.deviceToken, 'stream-rotate-01');
    const rotated = api.post(`/api/devices/${dev.deviceId}/rotate-credential`);
    const cred = await c.next((m) => m.type === 'credential');
    c.send({ type: 'credentialAck', v: 1 });
    expect((await rotated).json.status).toBe('rotated');
    expect((await WsTestClient.connect(wsUrl(AGENT_WS_PATH), { authorization: `Bearer ${dev.deviceToken}` }).catch((e) => e)).statusCode).toBe(401);

    const live = await agent(cred.deviceToken, 'stream-rotate-01');
    await api.post(`/api/devices/${dev.deviceId}/disable`);
    expect((await live.closed).code).toBe(4003);
    const refused = await WsTestClient.connect(wsUrl(AGENT_WS_PATH), { authorization: `Bearer ${cred.deviceToken}` }).catch((e) => e);
    expect([refused.statusCode, JSON.parse(refused.body).error]).toEqual([401, { code: 'AGENT_UNAUTHORIZED', message: 'device is disabled' }]);
  });
});

describe('expiry', () => {
  it('ends sessions after 2 h idle or 12 h in all, and API tokens at their expiry', async () => {
    const clock = manualClock(Date.now());
    const t = await startTestServer({ clock });
    try {
      const idle = new ApiClient(t.url);
      await idle.login();
      const busy = new ApiClient(t.url);
      await busy.login();
      const tok = (await busy.post('/api/api-tokens', { name: 'one day', role: 'viewer', expiresInDays: 1 })).json.token;
      clock.advance(SESSION_IDLE_MS - 60_000);
      expect((await busy.get('/api/me')).status).toBe(200);
      clock.advance(120_000);
      expect((await idle.get('/api/me')).json.error.code).toBe('UNAUTHENTICATED');
      // Kept busy, a session still ends at 12 h.
      while (clock.now() - Date.now() < SESSION_TTL_MS - SESSION_IDLE_MS) {
        clock.advance(SESSION_IDLE_MS / 2);
        expect((await busy.get('/api/me')).status).toBe(200);
      }
      clock.advance(SESSION_IDLE_MS);
      expect((await busy.get('/api/me')).status).toBe(401);
      expect((await new ApiClient(t.url).request('GET', '/api/me', undefined, { authorization: `Bearer ${tok}` })).status).toBe(200);
      clock.advance(12 * 3_600_000 + 1);
      expect((await new ApiClient(t.url).request('GET', '/api/me', undefined, { authorization: `Bearer ${tok}` })).json.error.code).toBe('TOKEN_INVALID');
    } finally {
      await t.close();
    }
  });
});
