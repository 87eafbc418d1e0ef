/**
 * End to end on a real server: one monthly and one break-fix client cross the same threshold
 * through the raw agent protocol. The monthly one gets an alert and a queued notification; the
 * break-fix one gets an incident and none; both clear; time booked on the incident shows up in
 * the billing report; the contract advisor's recommendation follows its own numbers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';

describe('contract-aware alerting end to end', () => {
  let t: TestServer;
  let api: ApiClient;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
  });

  it('alerts and pages the monthly client, logs a billable incident for the break-fix client', async () => {
    const monthly = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-srv' });
    const breakFix = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
    const a = await startTestAgent(t.url, monthly.deviceToken, { hostname: 'jansen-srv' });
    const b = await startTestAgent(t.url, breakFix.deviceToken, { hostname: 'devries-pc' });
    agents.push(a, b);
    const disk = (pct: number) => [
      { name: 'fs.usedPct', labels: { mount: '/' }, value: pct },
      { name: 'cpu.loadPct', value: 12 },
    ];

    await Promise.all([a.report(disk(60)), b.report(disk(60))]);
    expect((await api.get('/api/alerts')).json).toEqual([]);

    // Both cross the default "filesystem > 90 %" rule.
    await Promise.all([a.report(disk(96)), b.report(disk(96))]);
    const alerts = (await api.get(`/api/alerts?state=open&client=${monthly.clientId}`)).json;
    expect(alerts).toMatchObject([
      {
        ruleId: 'default-filesystem-full',
        state: 'firing',
        severity: 'critical',
        deviceId: monthly.deviceId,
        hostname: 'jansen-srv',
        clientName: 'Jansen Accountants',
        isNotified: true,
        labels: { mount: '/' },
      },
    ]);
    expect((await api.get(`/api/alerts?client=${breakFix.clientId}`)).json).toEqual([]);
    const incidents = (await api.get(`/api/incidents?client=${breakFix.clientId}`)).json;
    expect(incidents).toMatchObject([
      { source: 'rule', state: 'open', deviceId: breakFix.deviceId, hostname: 'devries-pc', ruleKind: 'threshold', severity: 'critical' },
    ]);
    expect((await api.get(`/api/incidents?client=${monthly.clientId}`)).json).toEqual([]);

    const outbox = () => t.server.ctx.alerting.outbox.list();
    await t.server.ctx.notify.tick(); // the on-call module takes the job (tests/server/oncall-*.test.ts deliver it)
    expect(outbox().map((j) => [j.kind, j.alertId, j.status])).toEqual([['alert.firing', alerts[0].id, 'dispatched']]);

    // The incident kept the device's values at opening for the technician.
    const incident = (await api.get(`/api/incidents/${incidents[0].id}`)).json;
    expect(incident.snapshot).toEqual({ 'fs.usedPct{mount=/}': 96, 'cpu.loadPct': 12 });

    // A technician acknowledges the alert: recorded, and the on-call hears it.
    const acked = await api.post(`/api/alerts/${alerts[0].id}/acknowledge`, { note: 'looking at it' });
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });
    expect(acked.json.events.map((e: { actor: string; action: string }) => [e.actor, e.action])).toEqual([
      ['system', 'fired'],
      ['system', 'paged'],
      ['admin', 'acknowledged'],
    ]);

    // Both clear.
    await Promise.all([a.report(disk(50)), b.report(disk(50))]);
    expect((await api.get(`/api/alerts/${alerts[0].id}`)).json).toMatchObject({ state: 'resolved', resolution: 'cleared', resolvedBy: 'system' });
    expect((await api.get(`/api/incidents/${incidents[0].id}`)).json).toMatchObject({ state: 'closed', closure: 'cleared' });
    expect(outbox().map((j) => j.kind)).toEqual(['alert.firing', 'alert.acknowledged', 'alert.resolved']);
    expect(outbox().every((j) => j.alertId === alerts[0].id)).toBe(true);

    // Time on the incident → billing report → billed.
    const today = new Date().toISOString().slice(0, 10);
    const month = today.slice(0, 7);
    const booked = await api.post(`/api/incidents/${incidents[0].id}/time-entries`, { minutes: 90, note: 'cleared the disk, moved the archive', date: today });
    expect(booked.status).toBe(201);
    expect(booked.json).toMatchObject({ technician: 'admin', minutes: 90, date: today });
    await api.post(`/api/incidents/${incidents[0].id}/time-entries`, { minutes: 45, technician: 'piet', date: today });
    const billing = (await api.get(`/api/reports/billing?client=${breakFix.clientId}&month=${month}`)).json;
    expect(billing).toMatchObject({
      clientName: 'Bakkerij de Vries',
      month,
      currency: 'EUR',
      hourlyRate: 90,
      totalMinutes: 135,
      totalHours: 2.25,
      totalAmount: 202.5,
    });
    expect(billing.incidents).toEqual([
      {
        incidentId: incidents[0].id,
        title: incidents[0].title,
        state: 'closed',
        openedAtMs: incidents[0].openedAtMs,
        minutes: 135,
        billedMinutes: 135,
        hours: 2.25,
        amount: 202.5,
        notes: ['cleared the disk, moved the archive'],
      },
    ]);
    expect((await api.post(`/api/incidents/${incidents[0].id}/bill`)).json).toMatchObject({ state: 'billed', bookedMinutes: 135 });
    expect((await api.get(`/api/reports/billing?client=${breakFix.clientId}&month=${month}`)).json.incidents[0].state).toBe('billed');

    // The advisor speaks only after 30 days of data (counted from a device's first report): this
    // client's devices have reported for 40 — an empty 1-hour rollup block 40 days old says so.
    const fortyDaysAgo = Date.now() - 40 * 86_400_000;
    t.server.db
      .prepare(
        "INSERT INTO rollup_1h_blocks (device_id, start_ms, end_ms, point_count, value_count, payload) SELECT id, ?, ?, 0, 0, x'' FROM devices WHERE client_id = ?",
      )
      .run(fortyDaysAgo, fortyDaysAgo + 3_600_000, breakFix.clientId);
    // The advisor: 135 min × 90 = 202.50 against a 500 monthly fee for the month.
    const [y, m] = month.split('-').map(Number) as [number, number];
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const advice = (await api.get(`/api/reports/contract-advice?client=${breakFix.clientId}&from=${month}-01&to=${month}-${last}`)).json;
    expect(advice).toMatchObject({
      contract: 'break-fix',
      months: 1,
      monthly: { fee: 500, amount: 500 },
      breakFix: { hourlyRate: 90, bookedMinutes: 135, estimatedMinutes: 0, amount: 202.5 },
      paid: 202.5,
      alternative: 500,
      incidents: { count: 1, bySeverity: { critical: 1, warning: 0, info: 0 } },
      recommendation: 'break-fix',
    });
    expect(advice.proactiveAlerts).toMatchObject([{ source: 'incident', id: incidents[0].id, ruleKind: 'threshold' }]);
    expect(advice.reasons[0]).toBe('Break-fix would have cost €202.50, €297.50 less than the monthly fees of €500.00.');
    // Consistent with its own numbers.
    expect(advice.breakFix.amount < advice.monthly.amount).toBe(advice.recommendation === 'break-fix');

    // More work booked on a new incident tips it the other way.
    const manual = await api.post('/api/incidents', { clientId: breakFix.clientId, deviceId: breakFix.deviceId, title: 'Client called: mail not working' });
    expect(manual.status).toBe(201);
    await api.post(`/api/incidents/${manual.json.id}/time-entries`, { minutes: 300, date: today });
    const after = (await api.get(`/api/reports/contract-advice?client=${breakFix.clientId}&from=${month}-01&to=${month}-${last}`)).json;
    expect(after.breakFix.amount).toBe(652.5);
    expect(after.recommendation).toBe('monthly');
  });
});
