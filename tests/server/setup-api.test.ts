/**
 * First-start setup over the API, for what a browser test does not reach: every refusal with
 * its precise error and nothing half-made, the warnings about a public URL, two submissions at
 * once, a restart before setup (a new code), --public-url / QP_PUBLIC_URL winning over the
 * stored URL, the headless start with QP_ADMIN_PASSWORD, a later change by an admin reaching the
 * install script, and the log's warning while channels would link to a loopback address.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { captureLog } from '../security/helpers/log-capture.js';
import { resolveServerSettings } from '../../server/config.js';

const body = (code: string, over: Record<string, unknown> = {}) => ({
  code,
  admin: { username: 'admin', password: 'setup-password-1' },
  publicUrl: 'https://monitor.example.com',
  timezone: 'Europe/Amsterdam',
  ...over,
});

describe('first-start setup over the API', () => {
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  async function fresh(opts: Parameters<typeof startTestServer>[0] = {}) {
    const t = await startTestServer({ adminPassword: undefined, ...opts });
    servers.push(t);
    return { t, anon: new ApiClient(t.url), code: t.server.setupCode! };
  }

  it('refuses what cannot work with a precise error and makes nothing', async () => {
    const { t, anon, code } = await fresh();
    const refusals: [Record<string, unknown>, number, string, string][] = [
      [{ code: 'wrong' }, 403, 'SETUP_CODE_WRONG', 'the setup code is wrong'],
      [{ publicUrl: 'ftp://monitor.example.com' }, 400, 'PUBLIC_URL_INVALID', 'publicUrl: the public URL must start with https:// or http://, not ftp://'],
      [{ publicUrl: 'https://joost:secret@monitor.example.com' }, 400, 'PUBLIC_URL_INVALID', 'must not contain a user name or password'],
      [{ publicUrl: 'https://example.com/quarkpulse' }, 400, 'PUBLIC_URL_INVALID', 'must not have a path (/quarkpulse)'],
      [{ publicUrl: 'https://monitor.example.com/?x=1' }, 400, 'PUBLIC_URL_INVALID', 'must not have a query'],
      [{ publicUrl: 'monitor' }, 400, 'PUBLIC_URL_INVALID', '"monitor" is not a URL'],
      [{ timezone: 'Amsterdam' }, 400, 'TIMEZONE_INVALID', '"Amsterdam" is not an IANA time zone'],
      [{ admin: { password: 'short' } }, 400, 'VALIDATION_FAILED', 'at least 10 characters'],
      [{ client: { name: 'Jansen', contract: 'weekly' } }, 400, 'CONTRACT_INVALID', 'contract must be "monthly" or "break-fix"'],
      [{ email: { host: 'smtp.example.com' } }, 400, 'CHANNEL_CONFIG_INVALID', 'from is required'],
    ];
    for (const [over, status, codeName, text] of refusals) {
      const r = await anon.post('/api/setup', body(code, over));
      expect([r.status, r.json.error.code], JSON.stringify(over)).toEqual([status, codeName]);
      expect(r.json.error.message).toContain(text);
    }
    // Nothing was made: still waiting, no user, no channel, no client.
    expect((await anon.get('/api/setup')).json.isNeeded).toBe(true);
    expect(t.server.ctx.users.countUsers()).toBe(0);
    expect(t.server.ctx.notify.channels.list()).toEqual([]);
    expect(t.server.ctx.clients.list().map((c) => c.name)).toEqual([]);
  });

  it('warns about a public URL without refusing it', async () => {
    const { anon, code } = await fresh();
    const check = async (publicUrl: string) => (await anon.post('/api/setup/check', { code, publicUrl })).json.publicUrl as { url: string; warnings: string[] };
    expect(await check('https://monitor.example.com/')).toMatchObject({ url: 'https://monitor.example.com' });
    expect((await check('http://127.0.0.1:8080')).warnings).toEqual([
      '127.0.0.1 is this machine only (loopback): links in alert mails and install commands will not open on a phone or another PC',
    ]);
    expect((await check('https://10.0.0.5')).warnings).toEqual(['10.0.0.5 is a private-network address: links work only inside that network or over its VPN']);
    expect((await check('https://monitor.quarkpulse.invalid')).warnings).toEqual([
      'monitor.quarkpulse.invalid does not resolve from this server: check the DNS name (fine for an air-gapped install whose clients resolve it)',
    ]);
    expect((await check('http://203.0.113.10')).warnings).toEqual([
      'plain http: passwords and acknowledge links travel unencrypted; put the server behind HTTPS',
    ]);
  });

  it('sets up once when two browsers submit at the same time; a restart before setup makes a new code', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-setup-'));
    dirs.push(dataDir);
    const first = await fresh({ dataDir });
    const code = first.code;
    await first.t.close();
    servers.pop();
    const { t, anon } = await fresh({ dataDir });
    const newCode = t.server.setupCode!;
    expect(newCode).not.toBe(code);
    expect((await anon.post('/api/setup', body(code))).json.error.code).toBe('SETUP_CODE_WRONG');

    const [a, b] = await Promise.all([
      anon.post('/api/setup', body(newCode, { admin: { username: 'anna', password: 'setup-password-1' } })),
      new ApiClient(t.url).post('/api/setup', body(newCode, { admin: { username: 'piet', password: 'setup-password-2' } })),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(t.server.ctx.users.list().map((u) => u.username)).toHaveLength(1);
    // The winner is signed in by the answer.
    const winner = a.status === 201 ? anon : null;
    if (winner) expect((await winner.get('/api/me')).json.role).toBe('admin');
  });

  it('a headless start with QP_ADMIN_PASSWORD needs no setup', async () => {
    const t = await startTestServer();
    servers.push(t);
    expect(t.server.setupCode).toBeUndefined();
    expect(t.server.setupUrl()).toBeUndefined();
    expect((await new ApiClient(t.url).get('/api/setup')).json).toEqual({ isNeeded: false, publicUrlOverride: null });
  });

  it('--public-url / QP_PUBLIC_URL wins over the form and cannot be changed in the dashboard', async () => {
    const { t, anon, code } = await fresh({ publicUrl: 'https://monitor.example.com' });
    expect((await anon.get('/api/setup')).json).toEqual({ isNeeded: true, publicUrlOverride: 'https://monitor.example.com' });
    expect((await anon.post('/api/setup', body(code, { publicUrl: 'https://other.example.com' }))).status).toBe(201);
    // Reachable from outside: the new admin must set up two-factor login before anything else.
    const me = await anon.get('/api/me');
    expect(me.json.twoFactor).toMatchObject({ isRequired: true, isEnrolled: false });
    expect((await anon.get('/api/settings/public-url')).json.error.code).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect(t.server.ctx.setup.publicUrl(t.url)).toMatchObject({ publicUrl: 'https://monitor.example.com', source: 'flag', isLoopback: false });
    await expect(t.server.ctx.setup.setPublicUrl('https://third.example.com', { id: me.json.id, username: 'admin' })).rejects.toMatchObject({
      status: 409,
      code: 'PUBLIC_URL_FIXED',
    });
    expect(t.server.ctx.baseUrl()).toBe('https://monitor.example.com');

    expect(() => resolveServerSettings({ publicUrl: 'https://example.com/monitor' }, {})).toThrow(
      'invalid setting publicUrl: --public-url / QP_PUBLIC_URL: the public URL must not have a path (/monitor)',
    );
    expect(resolveServerSettings({ publicUrl: 'https://flag.example.com/' }, { QP_PUBLIC_URL: 'https://env.example.com' }).publicUrl).toBe(
      'https://flag.example.com',
    );
    expect(resolveServerSettings({}, { QP_PUBLIC_URL: 'https://env.example.com' }).publicUrl).toBe('https://env.example.com');
  });

  it('an admin changes the public URL later; install commands use it; the log warns while channels link to loopback', async () => {
    const log = captureLog('info');
    const { t, anon, code } = await fresh({ logger: log.logger });
    expect((await anon.post('/api/setup', body(code, { publicUrl: t.url }))).status).toBe(201);
    // This admin decides two-factor login is not required (a public URL would ask for it by default).
    expect((await anon.request('PUT', '/api/auth/two-factor-policy', { requiredRoles: [] })).status).toBe(200);
    expect(log.raw.some((l) => l.includes('links in notifications point at'))).toBe(false); // no channel yet
    const channel = await anon.post('/api/channels', {
      type: 'webhook',
      name: 'Ticketing',
      config: { url: 'https://tickets.example.com/hook', secret: 'a-webhook-secret-1' },
    });
    expect(channel.status, channel.text).toBe(201);
    expect(log.lines().filter((l) => String(l.msg).startsWith(`links in notifications point at ${t.url}, which only this machine opens`))).toHaveLength(1);

    const put = await anon.request('PUT', '/api/settings/public-url', { publicUrl: 'https://monitor.example.com' });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({ publicUrl: 'https://monitor.example.com', source: 'setup', isLoopback: false, hasChannels: true });
    const script = await fetch(`${t.url}/install.sh`);
    expect(await script.text()).toContain('https://monitor.example.com');
    const audit = (await anon.get('/api/audit?limit=5')).json.entries.map((e: { action: string; summary: string }) => `${e.action}: ${e.summary}`);
    expect(audit).toContain('server.public-url: set the public URL to https://monitor.example.com');
  });
});
