/**
 * Audit log: each kind of change leaves one entry naming who, what and when (contract changes
 * with old → new), a change that fails leaves none, only admins read it, and pages walk
 * newest-first with a cursor and filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/api-types.js';
import { disableOfflineRule, fireDiskAlert } from '../helpers/oncall-setup.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('audit log', () => {
  let t: TestServer;
  let admin: ApiClient;
  let tech: ApiClient;
  let viewer: ApiClient;

  beforeAll(async () => {
    t = await startTestServer();
    admin = new ApiClient(t.url);
    await admin.login();
    for (const [name, role] of [
      ['tess', 'technician'],
      ['vic', 'viewer'],
    ] as const) {
      expect((await admin.post('/api/users', { username: name, password: `${name}-password-1`, role })).status).toBe(201);
    }
    tech = new ApiClient(t.url);
    await tech.login('tess', 'tess-password-1');
    viewer = new ApiClient(t.url);
    await viewer.login('vic', 'vic-password-1');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function entries(query = ''): Promise<AuditEntry[]> {
    const r = await admin.get(`/api/audit${query}`);
    expect(r.status, r.text).toBe(200);
    return r.json.entries;
  }
  const latest = async (action: string) => (await entries()).find((e) => e.action === action);

  it('records who changed a contract, with old → new', async () => {
    const c = (await tech.post('/api/clients', { name: 'Acme', contract: 'monthly', monthlyFee: 400 })).json;
    const changed = await tech.request('PATCH', `/api/clients/${c.id}`, { contract: 'break-fix', hourlyRate: 95 });
    expect(changed.status).toBe(200);
    const e = await latest('client.update');
    expect(e).toMatchObject({
      actorName: 'tess',
      entityType: 'client',
      entityId: c.id,
      summary: 'changed client "Acme": contract monthly → break-fix (and hourlyRate)',
      detail: { changes: { contract: { from: 'monthly', to: 'break-fix' }, hourlyRate: { from: 0, to: 95 } } },
    });
    expect(e!.atMs).toBeGreaterThan(Date.now() - 60_000);
    expect(await latest('client.create')).toMatchObject({ actorName: 'tess', entityId: c.id, summary: 'created client "Acme" (monthly)' });
  });

  it('records nothing for a change that was refused', async () => {
    const before = (await entries()).length;
    expect((await tech.post('/api/clients', { name: 'Acme', contract: 'monthly' })).status).toBe(409);
    expect((await tech.request('PATCH', '/api/rules/default-offline', { isEnabled: false })).status).toBe(403);
    expect((await viewer.post('/api/clients', { name: 'Viewer Co', contract: 'monthly' })).status).toBe(403);
    expect((await entries()).length).toBe(before);
  });

  it('records rules, maintenance, channels, schedules, users, tokens and devices', async () => {
    const dev = await enrollTestDevice(admin, { clientName: 'Globex' });
    // Rules: enable/disable get their own action, other edits are updates.
    await admin.request('PATCH', '/api/rules/default-offline', { isEnabled: false });
    await admin.request('PATCH', '/api/rules/default-offline', { isEnabled: true });
    const rule = (
      await admin.post('/api/rules', {
        name: 'Hot CPU',
        kind: 'threshold',
        metric: 'cpu.loadPct',
        op: 'above',
        threshold: 95,
        forMs: 60_000,
        scope: { type: 'client', clientId: dev.clientId },
      })
    ).json;
    await admin.request('PATCH', `/api/rules/${rule.id}`, { threshold: 97 });
    await admin.delete(`/api/rules/${rule.id}`);
    const mw = (
      await admin.post('/api/maintenance', {
        name: 'Patch night',
        kind: 'one-off',
        scope: { type: 'client', clientId: dev.clientId },
        startsAtMs: Date.now() + 3_600_000,
        endsAtMs: Date.now() + 7_200_000,
      })
    ).json;
    await admin.delete(`/api/maintenance/${mw.id}`);
    const ch = (
      await admin.post('/api/channels', { type: 'webhook', name: 'Ops hook', config: { url: 'http://127.0.0.1:9/hook', secret: 'hook-secret-0123456789' } })
    ).json;
    await admin.request('PATCH', `/api/channels/${ch.id}`, { config: { url: 'http://127.0.0.1:9/other', secret: 'another-secret-0123456789' } });
    const me = (await admin.get('/api/me')).json;
    const layer = { name: 'Weekly', userIds: [me.id], startDate: '2025-01-06', handoffTime: '09:00' };
    expect((await admin.post('/api/oncall/schedules', { name: 'Primary', timezone: 'Europe/Amsterdam', layers: [layer] })).status).toBe(201);
    const tok = (await admin.post('/api/api-tokens', { name: 'ci script', role: 'viewer' })).json;
    await admin.delete(`/api/api-tokens/${tok.id}`);
    await admin.post(`/api/devices/${dev.deviceId}/disable`);
    await admin.post(`/api/devices/${dev.deviceId}/enable`);
    const user = (await admin.post('/api/users', { username: 'temp', password: 'temp-password-1', role: 'viewer' })).json;
    await admin.request('PATCH', `/api/users/${user.id}`, { password: 'temp-password-2' });
    await admin.delete(`/api/users/${user.id}`);

    const list = await entries('?limit=500');
    const actions = list.map((e) => e.action);
    for (const a of [
      'enrollment-token.create',
      'rule.disable',
      'rule.enable',
      'rule.create',
      'rule.update',
      'rule.delete',
      'maintenance.create',
      'maintenance.delete',
      'channel.create',
      'channel.update',
      'schedule.create',
      'api-token.create',
      'api-token.revoke',
      'device.disable',
      'device.enable',
      'user.create',
      'user.password-reset',
      'user.delete',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(list.find((e) => e.action === 'rule.update')).toMatchObject({
      summary: `changed rule "Hot CPU": threshold`,
      detail: { changes: { threshold: { from: 95, to: 97 } } },
    });
    // Channel secrets never reach the log, not even in details.
    const dump = JSON.stringify(list);
    expect(dump).not.toContain('hook-secret-0123456789');
    expect(dump).not.toContain('another-secret-0123456789');
    expect(dump).not.toContain('temp-password');
    expect(dump).not.toContain(tok.token);
    expect(list.find((e) => e.action === 'user.password-reset')).toMatchObject({
      actorName: 'admin',
      entityId: user.id,
      summary: 'set a new password for temp',
    });
  });

  it('records who acknowledged and resolved an alert, and who booked and billed time', async () => {
    await disableOfflineRule(admin);
    const { agent, alert } = await fireDiskAlert(t, admin, { clientName: 'Initech', hostname: 'db-01' });
    try {
      expect((await tech.post(`/api/alerts/${alert!.id}/acknowledge`, { note: 'on it' })).status).toBe(200);
      expect((await tech.post(`/api/alerts/${alert!.id}/resolve`, {})).status).toBe(200);
    } finally {
      agent.close();
    }
    const forAlert = await entries(`?entityType=alert&entityId=${alert!.id}`);
    expect(forAlert.map((e) => [e.action, e.actorName])).toEqual([
      ['alert.resolve', 'tess'],
      ['alert.acknowledge', 'tess'],
    ]);
    expect(forAlert[1]!.summary).toMatch(/^acknowledged alert ".+" on db-01$/);

    const bf = await enrollTestDevice(admin, { clientName: 'Hooli', contract: 'break-fix' });
    const inc = (await tech.post('/api/incidents', { clientId: bf.clientId, title: 'Printer jam' })).json;
    await tech.post(`/api/incidents/${inc.id}/time-entries`, { minutes: 45, date: '2025-03-03' });
    await tech.post(`/api/incidents/${inc.id}/close`, {});
    await admin.post(`/api/incidents/${inc.id}/bill`, {});
    expect((await entries(`?entityType=incident&entityId=${inc.id}`)).map((e) => `${e.actorName} ${e.action}: ${e.summary}`)).toEqual([
      'admin incident.bill: billed incident "Printer jam" (45 min)',
      'tess incident.close: closed incident "Printer jam"',
      'tess incident.time-book: booked 45 min by tess on 2025-03-03',
      'tess incident.open: opened incident "Printer jam"',
    ]);
  });

  it('records logins and failed logins without the password, and unknown names not at all', async () => {
    const anon = new ApiClient(t.url);
    await anon.post('/api/login', { username: 'vic', password: 'wrong-password-xyz' });
    await anon.post('/api/login', { username: 'my-secret-passphrase', password: 'x' });
    const failures = (await entries('?limit=500')).filter((e) => e.action === 'login.failure');
    expect(failures.slice(0, 2).map((e) => [e.actorName, e.summary])).toEqual([
      [null, 'failed login for an unknown username'],
      ['vic', 'failed login for vic'],
    ]);
    expect(failures[0]!.detail).toEqual({ remote: expect.stringMatching(/127\.0\.0\.1/) });
    const dump = JSON.stringify(await entries('?limit=500'));
    expect(dump).not.toContain('wrong-password-xyz');
    expect(dump).not.toContain('my-secret-passphrase');
    expect(await entries('?actor=vic&limit=500')).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'login.success', actorName: 'vic' })]));
  });

  it('is for admins only, pages newest first with a cursor, and validates its query', async () => {
    expect((await tech.get('/api/audit')).json.error.code).toBe('FORBIDDEN');
    expect((await viewer.get('/api/audit')).status).toBe(403);
    expect((await new ApiClient(t.url).get('/api/audit')).status).toBe(401);
    const all = await entries('?limit=500');
    const first = (await admin.get('/api/audit?limit=3')).json;
    expect(first.entries.map((e: AuditEntry) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
    expect(first.nextBefore).toBe(all[2]!.id);
    const second = (await admin.get(`/api/audit?limit=3&before=${first.nextBefore}`)).json;
    expect(second.entries.map((e: AuditEntry) => e.id)).toEqual(all.slice(3, 6).map((e) => e.id));
    const ids = all.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const last = (await admin.get(`/api/audit?limit=500&before=${all.at(-1)!.id + 1}`)).json;
    expect(last).toEqual({ entries: [all.at(-1)], nextBefore: null });
    expect((await admin.get('/api/audit?limit=0')).json.error.code).toBe('VALIDATION_FAILED');
    expect((await admin.get('/api/audit?bogus=1')).json.error.code).toBe('VALIDATION_FAILED');
  });
});
