/**
 * Read-only status links through a real server: made by a technician, opened without a login,
 * the client's devices with their state now and this month's availability in the client's
 * report language, host names hidden when chosen, the token only as a hash in the database, and
 * a revoked link answering 404 at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { rawDatabaseFiles } from '../helpers/raw-db.js';

describe('status links', () => {
  let t: TestServer;
  let api: ApiClient;
  let agent: TestAgent | undefined;
  beforeEach(async () => {
    t = await startTestServer({ ruleTickIntervalMs: 100 });
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    agent?.close();
    await t.close();
  });

  it('shows the devices without a login, hides host names when asked, and is gone once revoked', async () => {
    const online = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', contract: 'monthly', hostname: 'devries-kassa' });
    const token = (await api.post(`/api/clients/${online.clientId}/enrollment-tokens`, {})).json.token as string;
    const offline = await api.post('/api/enroll', { token, hostname: 'devries-laptop', machineId: 'm-laptop' });
    expect(offline.status).toBe(201);
    agent = await startTestAgent(t.url, online.deviceToken, { hostname: 'devries-kassa' });
    await agent.report([{ name: 'cpu.loadPct', value: 12 }]);

    const made = await api.post(`/api/clients/${online.clientId}/status-links`, { label: 'for the shop window' });
    expect(made.status, made.text).toBe(201);
    expect(made.json.url).toMatch(new RegExp(`^${t.url}/status/qps_[A-Za-z0-9_-]{43}$`));
    const secret = String(made.json.url).split('/status/')[1]!;
    // The token is in that answer only: not in the list, not in the database.
    const listed = await api.get(`/api/clients/${online.clientId}/status-links`);
    expect(listed.json.links).toMatchObject([{ id: made.json.id, label: 'for the shop window', showHostnames: true, revokedAtMs: null }]);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    for (const f of rawDatabaseFiles(t.dataDir)) expect(f.includes(secret)).toBe(false);

    // No cookie: the page, in the client's report language (Dutch by default).
    const page = await fetch(made.json.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<title>Status van Bakkerij de Vries</title>');
    expect(html).toMatch(/devries-kassa<\/td><td><span class="state state-ok">Werkt<\/span>/);
    expect(html).toMatch(/devries-laptop<\/td><td><span class="state state-offline">Offline<\/span><\/td><td class="num">–/);
    expect(html).toContain('1 apparaat vraagt aandacht');
    expect(html).not.toContain('<script');

    // In English once the client's report language is English; host names hidden on a second link.
    const { language, reportContacts, roundingIncrementMin, minimumChargeMin, internalCostRate } = (
      await api.get(`/api/reports/client-settings/${online.clientId}`)
    ).json;
    expect(language).toBe('nl');
    const english = { language: 'en', reportContacts, roundingIncrementMin, minimumChargeMin, internalCostRate };
    expect((await api.put(`/api/reports/client-settings/${online.clientId}`, english)).status).toBe(200);
    const anonymous = await api.post(`/api/clients/${online.clientId}/status-links`, { showHostnames: false });
    const anonHtml = await (await fetch(anonymous.json.url)).text();
    expect(anonHtml).toContain('<title>Status of Bakkerij de Vries</title>');
    expect(anonHtml).toContain('Computer 1</td><td><span class="state state-ok">Working');
    expect(anonHtml).toContain('Computer 2</td><td><span class="state state-offline">Offline');
    expect(anonHtml).not.toContain('devries-');

    // Revoked: 404 at once; a second revoke says so; unknown and malformed tokens are 404 too.
    const revoked = await api.delete(`/api/status-links/${made.json.id}`);
    expect(revoked.json.revokedAtMs).toEqual(expect.any(Number));
    const gone = await fetch(made.json.url);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('This status link does not exist or was revoked');
    expect((await api.delete(`/api/status-links/${made.json.id}`)).json.error.code).toBe('STATUS_LINK_REVOKED');
    expect((await fetch(`${t.url}/status/qps_${'A'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${t.url}/status/nonsense`)).status).toBe(404);
    expect((await fetch(anonymous.json.url)).status).toBe(200);

    const audit = (await api.get(`/api/audit?entityType=client&entityId=${online.clientId}`)).json;
    const actions = (audit.entries ?? audit.rows ?? audit).map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a.startsWith('status-link.'))).toEqual(['status-link.revoke', 'status-link.create', 'status-link.create']);
  });
});
