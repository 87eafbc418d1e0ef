/**
 * What the dashboard needs beyond raw REST: alert and incident changes pushed over the live socket
 * (from the engine and from people), device summaries carrying their open problems for the fleet
 * colours, and the contract advisor month by month.
 */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { ClientInfo } from '../../shared/api-types.js';
import type { Client } from '../../server/store/clients.js';
import { LIVE_WS_PATH } from '../../shared/paths.js';
import { monthRanges } from '../../server/billing/contract-history.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { WsTestClient } from '../helpers/ws-client.js';

describe('live alerts, incidents and fleet health', () => {
  let t: TestServer;
  let api: ApiClient;
  const agents: TestAgent[] = [];
  const sockets: WsTestClient[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    for (const s of sockets.splice(0)) s.close();
    await t.close();
  });

  const disk = (pct: number) => [
    { name: 'fs.usedPct', labels: { mount: '/' }, value: pct },
    { name: 'cpu.loadPct', value: 10 },
  ];

  it('pushes alert and incident changes and the devices they colour', async () => {
    const monthly = await enrollTestDevice(api, { clientName: 'Jansen', contract: 'monthly', hostname: 'jansen-srv' });
    const breakFix = await enrollTestDevice(api, { clientName: 'De Vries', contract: 'break-fix', hostname: 'devries-pc' });
    const a = await startTestAgent(t.url, monthly.deviceToken, { hostname: 'jansen-srv' });
    const b = await startTestAgent(t.url, breakFix.deviceToken, { hostname: 'devries-pc' });
    agents.push(a, b);
    await Promise.all([a.report(disk(50)), b.report(disk(50))]);
    const live = await WsTestClient.connect(t.url.replace('http', 'ws') + LIVE_WS_PATH, { cookie: api.cookie });
    sockets.push(live);

    await Promise.all([a.report(disk(96)), b.report(disk(96))]);
    const fired = await live.next((m) => m.type === 'alerts');
    expect(fired).toMatchObject({ isResync: false, alerts: [{ deviceId: monthly.deviceId, state: 'firing', severity: 'critical', hostname: 'jansen-srv' }] });
    const opened = await live.next((m) => m.type === 'incidents');
    expect(opened).toMatchObject({ isResync: false, incidents: [{ deviceId: breakFix.deviceId, state: 'open', bookedMinutes: 0 }] });
    const colours = await live.next((m) => m.type === 'devices' && m.devices.some((d: { firingAlerts: number }) => d.firingAlerts > 0));
    expect(colours.devices.find((d: { id: string }) => d.id === monthly.deviceId)).toMatchObject({
      firingAlerts: 1,
      openAlerts: 1,
      openIncidents: 0,
      worstSeverity: 'critical',
    });

    const fleet = (await api.get('/api/devices')).json;
    expect(
      fleet.map((d: { hostname: string; firingAlerts: number; openIncidents: number; worstSeverity: string | null }) => [
        d.hostname,
        d.firingAlerts,
        d.openIncidents,
        d.worstSeverity,
      ]),
    ).toEqual([
      ['devries-pc', 0, 1, 'critical'],
      ['jansen-srv', 1, 0, 'critical'],
    ]);

    // People act: the acknowledgement and the booked time reach every dashboard.
    await api.post(`/api/alerts/${fired.alerts[0].id}/acknowledge`, {});
    expect(await live.next((m) => m.type === 'alerts')).toMatchObject({ alerts: [{ id: fired.alerts[0].id, state: 'acknowledged', acknowledgedBy: 'admin' }] });
    const acked = await live.next(
      (m) => m.type === 'devices' && m.devices.some((d: { id: string; firingAlerts: number }) => d.id === monthly.deviceId && d.firingAlerts === 0),
    );
    expect(acked.devices.find((d: { id: string }) => d.id === monthly.deviceId)).toMatchObject({ firingAlerts: 0, openAlerts: 1, worstSeverity: 'critical' });
    await api.post(`/api/incidents/${opened.incidents[0].id}/time-entries`, { minutes: 45, note: 'cleaned up' });
    expect(await live.next((m) => m.type === 'incidents')).toMatchObject({ incidents: [{ id: opened.incidents[0].id, bookedMinutes: 45 }] });

    // The condition clears: resolved, closed, and the devices are healthy again.
    await Promise.all([a.report(disk(50)), b.report(disk(50))]);
    expect(await live.next((m) => m.type === 'alerts')).toMatchObject({ alerts: [{ state: 'resolved', resolution: 'cleared' }] });
    expect(await live.next((m) => m.type === 'incidents')).toMatchObject({ incidents: [{ state: 'closed' }] });
    const healthy = (await api.get('/api/devices')).json;
    expect(healthy.map((d: { worstSeverity: string | null; openAlerts: number }) => [d.worstSeverity, d.openAlerts])).toEqual([
      [null, 0],
      [null, 0],
    ]);
  });

  it('serves the contract advisor month by month', async () => {
    const c = (await api.post('/api/clients', { name: 'Visser', contract: 'break-fix', monthlyFee: 300, hourlyRate: 90 })).json;
    const r = await api.get(`/api/reports/contract-history?client=${c.id}&months=6`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ clientId: c.id, clientName: 'Visser', contract: 'break-fix', currency: 'EUR' });
    // A client created today has one (partial) month of history.
    expect(r.json.months).toHaveLength(1);
    expect(r.json.months[0]).toMatchObject({ breakFixAmount: 0, bookedMinutes: 0, problems: 0 });
    // A client created minutes ago has no devices reporting: no verdict until 30 days of data.
    expect(r.json.advice.recommendation).toBe('insufficient-data');
    expect((await api.get(`/api/reports/contract-history?client=${c.id}&months=99`)).json.error.code).toBe('VALIDATION_FAILED');
    expect((await api.get('/api/reports/contract-history?client=nope')).json.error.code).toBe('CLIENT_NOT_FOUND');
  });

  it('answers clients in the shape the dashboard reads', () => {
    expectTypeOf<Client>().toEqualTypeOf<ClientInfo>();
  });

  it('cuts months in calendar order, from the client start, ending today', () => {
    expect(monthRanges('2026-03-14', '2025-01-10', 4)).toEqual([
      { month: '2025-12', from: '2025-12-01', to: '2025-12-31' },
      { month: '2026-01', from: '2026-01-01', to: '2026-01-31' },
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-14' },
    ]);
    expect(monthRanges('2026-03-14', '2026-02-20', 12)).toEqual([
      { month: '2026-02', from: '2026-02-20', to: '2026-02-28' },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-14' },
    ]);
  });
});
