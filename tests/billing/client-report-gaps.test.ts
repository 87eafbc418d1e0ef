/**
 * Gaps an audit found in the client report and the advisor, each against a real server over a
 * real SQLite file:
 *   - an outage that began long before the period and is still open counts in full;
 *   - the contract comparison bills break-fix time with the client's rounding, as the bill does;
 *   - "days with devices reporting" counts from the first report, not from enrolment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateId } from '../../server/lib/secrets.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { manualClock } from '../helpers/receivers.js';
import { startTestAgent } from '../helpers/test-agent.js';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe('client report gaps', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(startIso: string) {
    const clock = manualClock(at(startIso));
    t = await startTestServer({ clock, reportSchedule: false });
    const api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    return { clock, api, server: t.server };
  }

  it('a device offline since 40 days before the month, still open, was down all month', { timeout: 60_000 }, async () => {
    const { clock, api, server } = await start('2026-09-01T09:00:00Z');
    const client = (
      await api.post('/api/clients', { name: 'Visser Transport', contract: 'monthly', monthlyFee: 400, hourlyRate: 90, timezone: 'Europe/Amsterdam' })
    ).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const device = (await api.post('/api/enroll', { token, hostname: 'visser-nas', machineId: 'v-nas' })).json.deviceId as string;
    const rule = server.ctx.alerting.rules.list().find((r) => r.kind === 'offline')!;
    // November in Amsterdam starts 2026-10-31T23:00Z; 40 days before that the NAS went offline, and it still is.
    server.ctx.alerting.alerts.insert({
      id: generateId(),
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: rule.kind,
      severity: 'critical',
      deviceId: device,
      clientId: client.id,
      labelsJson: '{}',
      summary: 'visser-nas is offline',
      value: null,
      isInMaintenance: false,
      isFlapping: false,
      isNotified: true,
      openedAtMs: at('2026-10-31T23:00:00Z') - 40 * DAY,
    });

    clock.set(at('2026-12-02T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    const report = server.ctx.billing.clientReports.build(client.id, '2026-11', 'en');
    expect(report.availability.overallPct).toBe(0);
    expect(report.availability.devices.map((d) => [d.hostname, d.availabilityPct, d.downMs / DAY, d.outages])).toEqual([['visser-nas', 0, 30, 1]]);
    const advice = await api.get(`/api/reports/contract-advice?client=${client.id}&from=2026-11-01&to=2026-11-30`);
    expect(advice.status, advice.text).toBe(200);
    expect(advice.json.downtime).toEqual({ events: 1, minutes: 30 * 24 * 60 });
    expect(report.advice.downtime).toEqual({ events: 1, minutes: 30 * 24 * 60 });
  });

  it('"paid under your contract" and "billed for this time" are one amount, with the client rounding', { timeout: 60_000 }, async () => {
    const { clock, api, server } = await start('2026-09-01T09:00:00Z');
    const client = (
      await api.post('/api/clients', { name: 'Bakker Installatie', contract: 'break-fix', monthlyFee: 300, hourlyRate: 80, timezone: 'Europe/Amsterdam' })
    ).json;
    const settings = { language: 'en', reportContacts: [], roundingIncrementMin: 15, minimumChargeMin: 60, internalCostRate: 0 };
    expect((await api.put(`/api/reports/client-settings/${client.id}`, settings)).status).toBe(200);
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    await api.post('/api/enroll', { token, hostname: 'bakker-pc01', machineId: 'b-pc01' });
    clock.set(at('2026-11-03T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    const inc = (await api.post('/api/incidents', { clientId: client.id, title: 'Printer jams', severity: 'warning' })).json;
    for (const minutes of [5, 20]) expect((await api.post(`/api/incidents/${inc.id}/time-entries`, { minutes, date: '2026-11-03' })).status).toBe(201);

    clock.set(at('2026-12-02T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    // 5 → 15, 20 → 30: 45 min, below the 60 min minimum → 60 min × €80/h = €80 (unrounded 25 min would be €33.33).
    const report = server.ctx.billing.clientReports.build(client.id, '2026-11', 'en');
    expect(report.problems.billedAmount).toBe(80);
    expect(report.advice.paid).toBe(80);
    expect(report.advice.breakFix).toMatchObject({ bookedMinutes: 25, billedMinutes: 60, amount: 80 });
    const html = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=en`)).text;
    expect(html).toContain('Billed for this time</td><td class="num">€80.00');
    expect(html).toContain('Paid under your contract</td><td class="num">€80.00');
    const advice = (await api.get(`/api/reports/contract-advice?client=${client.id}&from=2026-11-01&to=2026-11-30`)).json;
    expect([advice.paid, advice.breakFix.amount]).toEqual([80, 80]);
    expect(advice.assumptions).toContain('booked time is billed as the bill does: each entry rounded up to 15 minutes, at least 60 minutes per incident');
  });

  it('"days with devices reporting" count from the first report, not from enrolment', { timeout: 60_000 }, async () => {
    const { clock, api } = await start('2026-10-23T09:00:00Z');
    const client = (
      await api.post('/api/clients', { name: 'Stil Kantoor', contract: 'monthly', monthlyFee: 300, hourlyRate: 80, timezone: 'Europe/Amsterdam' })
    ).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    await api.post('/api/enroll', { token, hostname: 'stil-pc01', machineId: 's1' });
    const late = (await api.post('/api/enroll', { token, hostname: 'stil-pc02', machineId: 's2' })).json;
    const advice = async () => {
      await api.login('admin', ADMIN_PASSWORD);
      const r = await api.get(`/api/reports/contract-advice?client=${client.id}&from=2026-11-01&to=2026-11-30`);
      expect(r.status, r.text).toBe(200);
      return r.json;
    };
    // Enrolled 40 days ago, never reported: no data yet.
    clock.set(at('2026-12-02T09:00:00Z'));
    const none = await advice();
    expect([none.recommendation, none.observedDays]).toEqual(['insufficient-data', 0]);
    expect(none.reasons[0]).toBe('Not enough data yet: 0 days with devices reporting, at least 30 needed for a verdict.');
    // The second device first reported on 22 Nov, 40 days after its enrolment: 8 days up to the end of November.
    clock.set(at('2026-11-22T09:00:00Z'));
    const agent = await startTestAgent(t!.url, late.deviceToken as string, { hostname: 'stil-pc02' });
    await agent.report([{ name: 'cpu.loadPct', value: 5 }], clock.now());
    agent.close();
    clock.set(at('2026-12-02T09:00:00Z'));
    const some = await advice();
    expect([some.recommendation, some.observedDays]).toEqual(['insufficient-data', 8]);
    expect(some.reasons[0]).toBe('Not enough data yet: 8 days with devices reporting, at least 30 needed for a verdict.');
  });
});
