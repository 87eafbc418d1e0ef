/**
 * Single sign-on (OIDC) against a real OpenID provider on loopback (npm `oidc-provider`): the
 * authorization code flow with PKCE end to end over real sockets, roles from the provider's
 * groups claim (and changed by it at the next sign-in), refusals that land on the login page
 * with a code, a round trip that cannot be replayed or finished without its cookie, linking by
 * verified e-mail only, password sign-in limited to a break-glass admin, the client secret
 * sealed and write-only, and settings an API token cannot change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { signInWithSso, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { rawDatabaseFiles } from '../helpers/raw-db.js';

const roleMap = { admin: ['qp-admins'], technician: ['qp-techs'], viewer: ['qp-readers'] };

describe('single sign-on with OpenID Connect', () => {
  let t: TestServer | undefined;
  let idp: TestOidcProvider | undefined;
  afterEach(async () => {
    await t?.close();
    await idp?.close();
    t = idp = undefined;
  });

  async function setUp(accounts: Parameters<typeof startOidcProvider>[1]) {
    t = await startTestServer();
    idp = await startOidcProvider(`${t.url}/auth/sso/callback`, accounts);
    const admin = new ApiClient(t.url);
    await admin.login();
    const settings = {
      isEnabled: true,
      displayName: 'Authentik',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ['openid', 'profile', 'email', 'groups'],
      roleClaim: 'groups',
      roleMap,
      defaultRole: null,
      usernameClaim: 'preferred_username',
      passwordSignIn: 'everyone',
      breakGlassUsernames: [],
    };
    const put = await admin.put('/api/auth/sso', settings);
    expect(put.status, put.text).toBe(200);
    return { admin, settings };
  }

  const asSession = (cookie: string | undefined) => {
    const c = new ApiClient(t!.url);
    c.cookie = `qp_session=${cookie}`;
    return c;
  };

  it('signs a person in through the provider, makes their user with the mapped role, and follows the provider’s groups', async () => {
    const { admin } = await setUp({
      alice: { preferred_username: 'alice', email: 'alice@msp.example', email_verified: true, groups: ['staff', 'qp-admins'] },
    });
    const view = (await admin.get('/api/auth/sso')).json;
    expect(view).toMatchObject({ isEnabled: true, hasClientSecret: true, redirectUri: `${t!.url}/auth/sso/callback`, updatedBy: 'admin' });
    expect(JSON.stringify(view)).not.toContain(idp!.clientSecret);
    for (const f of rawDatabaseFiles(t!.dataDir)) expect(f.includes(idp!.clientSecret)).toBe(false);
    expect((await new ApiClient(t!.url).get('/api/sign-in-methods')).json).toEqual({
      password: 'everyone',
      sso: { displayName: 'Authentik', startUrl: '/auth/sso/start' },
    });

    const first = await signInWithSso(t!.url, 'alice');
    expect(first.location).toBe(`${t!.url}/#/`);
    expect(first.sessionCookie).toMatch(/^qps_/);
    // The round-trip cookie is gone once the sign-in ended.
    expect(first.jar.get(t!.url, 'qp_sso_flow')).toBeUndefined();
    const alice = asSession(first.sessionCookie);
    const me = (await alice.get('/api/me')).json;
    expect(me).toMatchObject({ username: 'alice', role: 'admin', signInMethod: 'sso', twoFactor: { isRequired: false } });
    // An admin by single sign-on may do admin things (the provider did the second factor).
    expect((await alice.get('/api/users')).status).toBe(200);
    const users = (await admin.get('/api/users')).json as { username: string; email: string | null; role: string }[];
    expect(users.find((u) => u.username === 'alice')).toMatchObject({ role: 'admin', email: 'alice@msp.example' });
    // No password works for a user made by single sign-on.
    expect((await new ApiClient(t!.url).post('/api/login', { username: 'alice', password: '' })).status).toBe(400);
    expect((await new ApiClient(t!.url).post('/api/login', { username: 'alice', password: '!sso-only' })).json.error.code).toBe('INVALID_CREDENTIALS');

    // She makes an API token, then the provider moves her to the technicians: the next sign-in
    // demotes her here and revokes the token.
    const token = (await alice.post('/api/api-tokens', { name: 'alice script', role: 'admin' })).json.token as string;
    idp!.accounts.get('alice')!.groups = ['qp-techs'];
    const second = await signInWithSso(t!.url, 'alice');
    expect((await asSession(second.sessionCookie).get('/api/me')).json).toMatchObject({ username: 'alice', role: 'technician' });
    const byToken = await fetch(`${t!.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(byToken.status).toBe(401);
    // Still one user: linked by issuer and subject, not made again.
    expect(((await admin.get('/api/users')).json as { username: string }[]).filter((u) => u.username === 'alice')).toHaveLength(1);

    const audit = (await admin.get('/api/audit?entityType=user')).json.entries as { action: string; summary: string; actorName: string }[];
    expect(audit.find((e) => e.action === 'user.create' && e.summary.includes('alice'))).toMatchObject({ actorName: 'single sign-on (Authentik)' });
    expect(audit.filter((e) => e.action === 'login.success' && e.summary === 'alice signed in with Authentik')).toHaveLength(2);
    expect(audit.find((e) => e.action === 'user.update' && e.summary.includes('alice'))).toBeDefined();
  });

  it('refuses a person whose groups give no role, with the reason on the login page and in the audit log', async () => {
    const { admin } = await setUp({ bob: { preferred_username: 'bob', groups: ['staff'] }, erin: { preferred_username: 'erin' } });
    const out = await signInWithSso(t!.url, 'bob');
    expect(out.sessionCookie).toBeUndefined();
    const at = new URL(out.location);
    expect(at.pathname).toBe('/');
    expect(at.hash).toBe('#/login');
    expect(at.searchParams.get('sso_error')).toBe('SSO_NO_ROLE');
    expect(at.searchParams.get('sso_message')).toContain('none of the groups');
    expect(((await admin.get('/api/users')).json as { username: string }[]).map((u) => u.username)).not.toContain('bob');
    // No groups claim at all: the message says what to fix, not that the person is in no group.
    const erin = new URL((await signInWithSso(t!.url, 'erin')).location);
    expect(erin.searchParams.get('sso_error')).toBe('SSO_NO_ROLE');
    expect(erin.searchParams.get('sso_message')).toContain('Authentik sent no "groups" claim');
    const audit = (await admin.get('/api/audit?entityType=user')).json.entries as { action: string; detail: { code?: string } }[];
    expect(audit.find((e) => e.action === 'login.failure' && e.detail.code === 'SSO_NO_ROLE')).toBeDefined();
  });

  it('cannot be finished without the round-trip cookie, with another sign-in’s state, or twice with one code', async () => {
    await setUp({ alice: { preferred_username: 'alice', groups: ['qp-readers'] } });
    // The browser that comes back is not the one that started (no cookie): refused.
    const noCookie = await signInWithSso(t!.url, 'alice', {
      beforeCallback: (url, jar) => {
        jar.set(url, 'qp_sso_flow', undefined);
        return url;
      },
    });
    expect(new URL(noCookie.location).searchParams.get('sso_error')).toBe('SSO_FLOW_INVALID');
    expect(noCookie.sessionCookie).toBeUndefined();

    // A code delivered with a forged state (login CSRF): the state does not match the cookie's.
    const forged = await signInWithSso(t!.url, 'alice', {
      beforeCallback: (url) => {
        const u = new URL(url);
        u.searchParams.set('state', 'attacker-chosen-state');
        return u.href;
      },
    });
    expect(new URL(forged.location).searchParams.get('sso_error')).toBe('SSO_TOKEN_INVALID');
    expect(forged.sessionCookie).toBeUndefined();

    // A good sign-in, then its callback replayed with the same cookie: the code is spent.
    const good = await signInWithSso(t!.url, 'alice');
    expect(good.sessionCookie).toBeDefined();
    const flow = await fetch(`${t!.url}/auth/sso/start`, { redirect: 'manual' });
    const cookie = flow.headers
      .getSetCookie()
      .find((c) => c.startsWith('qp_sso_flow='))!
      .split(';')[0]!;
    expect(flow.headers.getSetCookie().find((c) => c.startsWith('qp_sso_flow='))).toMatch(/HttpOnly/i);
    expect(flow.headers.getSetCookie().find((c) => c.startsWith('qp_sso_flow='))).toMatch(/SameSite=Lax/i);
    const replay = await fetch(good.callbackUrl, { redirect: 'manual', headers: { cookie } });
    expect(new URL(replay.headers.get('location')!, t!.url).searchParams.get('sso_error')).toMatch(/^SSO_(TOKEN|FLOW)_INVALID$/);
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('qp_session='))).toBe(false);
  });

  it('links an existing user only by the e-mail the provider verified', async () => {
    const { admin } = await setUp({
      carol: { preferred_username: 'carol', email: 'carol@msp.example', email_verified: true, groups: ['qp-techs'] },
      dave: { preferred_username: 'dave', email: 'dave@elsewhere.example', email_verified: true, groups: ['qp-admins'] },
    });
    await admin.post('/api/users', { username: 'carol', password: 'carol-local-password-1', role: 'technician', email: 'carol@msp.example' });
    await admin.post('/api/users', { username: 'dave', password: 'dave-local-password-1', role: 'viewer', email: 'dave@msp.example' });

    const carol = await signInWithSso(t!.url, 'carol');
    expect((await asSession(carol.sessionCookie).get('/api/me')).json).toMatchObject({ username: 'carol', role: 'technician', signInMethod: 'sso' });
    // Her password still works: linking adds a way in, it takes none away.
    expect((await new ApiClient(t!.url).post('/api/login', { username: 'carol', password: 'carol-local-password-1' })).status).toBe(200);

    // Someone at the provider named dave, with another e-mail address: not the local dave.
    const dave = await signInWithSso(t!.url, 'dave');
    expect(dave.sessionCookie).toBeUndefined();
    expect(new URL(dave.location).searchParams.get('sso_error')).toBe('SSO_USERNAME_TAKEN');
    expect(((await admin.get('/api/users')).json as { username: string; role: string }[]).find((u) => u.username === 'dave')!.role).toBe('viewer');
  });

  it('limits password sign-in to the break-glass admin, and refuses settings that would lock everyone out', async () => {
    const { admin, settings } = await setUp({});
    await admin.post('/api/users', { username: 'tess', password: 'tess-local-password-1', role: 'technician' });
    const notAdmin = await admin.put('/api/auth/sso', { ...settings, passwordSignIn: 'break-glass', breakGlassUsernames: ['tess'] });
    expect(notAdmin.status).toBe(400);
    expect(notAdmin.json.error.code).toBe('SSO_BREAK_GLASS_INVALID');
    expect((await admin.put('/api/auth/sso', { ...settings, passwordSignIn: 'break-glass', breakGlassUsernames: [] })).json.error.code).toBe(
      'SSO_BREAK_GLASS_INVALID',
    );
    expect((await admin.put('/api/auth/sso', { ...settings, isEnabled: false, passwordSignIn: 'break-glass', breakGlassUsernames: ['admin'] })).status).toBe(
      400,
    );

    const { clientSecret: _omit, ...keepSecret } = settings;
    const ok = await admin.put('/api/auth/sso', { ...keepSecret, passwordSignIn: 'break-glass', breakGlassUsernames: ['admin'] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.hasClientSecret).toBe(true); // omitted secret: kept
    expect((await new ApiClient(t!.url).get('/api/sign-in-methods')).json.password).toBe('break-glass');

    const tess = await new ApiClient(t!.url).post('/api/login', { username: 'tess', password: 'tess-local-password-1' });
    expect(tess.status).toBe(403);
    expect(tess.json.error).toMatchObject({ code: 'PASSWORD_SIGN_IN_OFF', message: expect.stringContaining('Sign in with Authentik') });
    // The same answer for a name that does not exist and a wrong password: nothing is revealed.
    expect((await new ApiClient(t!.url).post('/api/login', { username: 'nobody', password: 'x' })).json.error.code).toBe('PASSWORD_SIGN_IN_OFF');
    expect((await new ApiClient(t!.url).post('/api/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
  });

  it('checks the settings at the boundary, and an API token can neither read nor change them', async () => {
    const { admin, settings } = await setUp({});
    const plainHttp = await admin.put('/api/auth/sso', { ...settings, issuer: 'http://idp.example.com/realms/msp' });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.json.error.message).toContain('https');
    expect((await admin.put('/api/auth/sso', { ...settings, roleMap: { admin: [], technician: [], viewer: [] } })).json.error.code).toBe('SSO_ROLE_MAP_EMPTY');
    expect((await admin.put('/api/auth/sso', { ...settings, surprise: true })).status).toBe(400);
    expect((await admin.put('/api/auth/sso', { ...settings, roleClaim: 'a..b' })).status).toBe(400);

    const token = (await admin.post('/api/api-tokens', { name: 'ops', role: 'admin' })).json.token as string;
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', JSON.stringify(settings)],
    ] as const) {
      const r = await fetch(`${t!.url}/api/auth/sso`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('SESSION_REQUIRED');
    }

    // Turned off: the start link says so on the login page instead of reaching the provider.
    await admin.put('/api/auth/sso', { ...settings, isEnabled: false });
    const start = await fetch(`${t!.url}/auth/sso/start`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    expect(new URL(start.headers.get('location')!, t!.url).searchParams.get('sso_error')).toBe('SSO_DISABLED');
    expect((await new ApiClient(t!.url).get('/api/sign-in-methods')).json).toEqual({ password: 'everyone', sso: null });
  });

  it('says so when the provider cannot be reached', async () => {
    const { admin, settings } = await setUp({});
    await idp!.close();
    idp = undefined;
    await admin.put('/api/auth/sso', { ...settings, issuer: settings.issuer.replace(/:\d+$/, ':9') });
    const start = await fetch(`${t!.url}/auth/sso/start`, { redirect: 'manual' });
    const at = new URL(start.headers.get('location')!, t!.url);
    expect(at.searchParams.get('sso_error')).toBe('SSO_PROVIDER_UNREACHABLE');
    expect(at.searchParams.get('sso_message')).toContain('127.0.0.1:9');
    // The server keeps answering.
    expect((await fetch(`${t!.url}/api/health`)).status).toBe(200);
  });
});
