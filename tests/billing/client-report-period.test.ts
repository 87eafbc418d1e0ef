/**
 * The client report for any period: GET /api/reports/client-report?client=&from=&to= (local days
 * in the client's time zone, `to` not included) beside ?month=, as HTML, PDF and JSON, through a
 * real server; and the answers to bad periods.
 *
 * Seeded: "Jansen Accountants" (Europe/Amsterdam, CET = UTC+1 in November), srv01 offline
 * 10:00–16:00Z on 10 Nov. Period 2026-11-10 … 2026-11-12 (exclusive) = 2 days = 2,880 min:
 *   starts 2026-11-09T23:00Z, ends 2026-11-11T23:00Z; availability 1 − 360/2,880 = 87.5 %.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateId } from '../../server/lib/secrets.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { manualClock } from '../helpers/receivers.js';
import { hasBrowser } from '../e2e/browser.js';

const at = (iso: string) => Date.parse(iso);

describe('client report for any period', () => {
  let t: TestServer;
  let api: ApiClient;
  let clientId: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    const clock = manualClock(at('2026-09-01T09:00:00Z'));
    t = await startTestServer({ clock, reportSchedule: false, branding: { mspName: 'Quarkpulse IT' } });
    api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    const client = (
      await api.post('/api/clients', { name: 'Jansen Accountants', contract: 'monthly', monthlyFee: 450, hourlyRate: 90, timezone: 'Europe/Amsterdam' })
    ).json;
    clientId = client.id;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const srv = (await api.post('/api/enroll', { token, hostname: 'jansen-srv01', machineId: 'm-srv01' })).json.deviceId as string;
    const { alerts, rules } = t.server.ctx.alerting;
    const rule = rules.list().find((r) => r.kind === 'offline')!;
    const id = generateId();
    alerts.insert({
      id,
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: rule.kind,
      severity: 'critical',
      deviceId: srv,
      clientId: client.id,
      labelsJson: '{}',
      summary: 'jansen-srv01 is offline',
      value: null,
      isInMaintenance: false,
      isFlapping: false,
      isNotified: true,
      openedAtMs: at('2026-11-10T10:00:00Z'),
    });
    alerts.resolveIfOpen(id, at('2026-11-10T16:00:00Z'), 'system', 'cleared');
    clock.set(at('2026-12-02T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('answers the report of [from, to) as JSON, with the period in the client time zone', async () => {
    const r = await api.get(`/api/reports/client-report?client=${clientId}&from=2026-11-10&to=2026-11-12&format=json&lang=en`);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      clientId,
      month: null,
      from: '2026-11-10',
      to: '2026-11-12',
      periodStartMs: at('2026-11-09T23:00:00Z'),
      periodEndMs: at('2026-11-11T23:00:00Z'),
      hasData: true,
      availability: { overallPct: 87.5 },
    });
    expect(r.json.advice).toMatchObject({ from: '2026-11-10', to: '2026-11-11', downtime: { events: 1, minutes: 360 } });
    const month = await api.get(`/api/reports/client-report?client=${clientId}&month=2026-11&format=json`);
    expect(month.status, month.text).toBe(200);
    expect(month.json).toMatchObject({ month: '2026-11', from: '2026-11-01', to: '2026-12-01', periodStartMs: at('2026-10-31T23:00:00Z') });
  });

  it('renders the period as HTML, titled for a period', async () => {
    const r = await api.get(`/api/reports/client-report?client=${clientId}&from=2026-11-10&to=2026-11-12&lang=en`);
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('<h1>IT report</h1>');
    expect(r.text).toContain('Jansen Accountants · 10 Nov 2026 – 11 Nov 2026');
    expect(r.text).toContain('87.50%');
  });

  it('prints the period to a PDF', { timeout: 90_000 }, async () => {
    if (!hasBrowser()) return;
    const res = await fetch(`${t.url}/api/reports/client-report?client=${clientId}&from=2026-11-10&to=2026-11-12&format=pdf&lang=nl`, {
      headers: { cookie: api.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="${encodeURIComponent('Jansen Accountants-2026-11-10_2026-11-12.pdf')}"`);
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-period-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'r.pdf'), Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ');
    expect(text).toContain('IT-rapport');
    expect(text).toContain('Jansen Accountants · 10 nov 2026 – 11 nov 2026');
    expect(text).toContain('87,50%');
  });

  const bad: [string, string, number, string, string][] = [
    [
      'month and from',
      'month=2026-11&from=2026-11-01&to=2026-11-10',
      400,
      'PERIOD_AMBIGUOUS',
      'query: give either month=YYYY-MM or from=YYYY-MM-DD&to=YYYY-MM-DD, not both',
    ],
    ['no period', '', 400, 'PERIOD_REQUIRED', 'query: give month=YYYY-MM or from=YYYY-MM-DD&to=YYYY-MM-DD'],
    ['from without to', 'from=2026-11-01', 400, 'INVALID_PERIOD', 'query: to is missing: from and to go together'],
    ['to without from', 'to=2026-11-01', 400, 'INVALID_PERIOD', 'query: from is missing: from and to go together'],
    [
      'an empty period',
      'from=2026-11-12&to=2026-11-12',
      400,
      'INVALID_PERIOD',
      'query: from (2026-11-12) must be before to (2026-11-12); to is the first day not included',
    ],
    [
      'from after to',
      'from=2026-11-12&to=2026-11-01',
      400,
      'INVALID_PERIOD',
      'query: from (2026-11-12) must be before to (2026-11-01); to is the first day not included',
    ],
    ['367 days', 'from=2026-01-01&to=2027-01-03', 400, 'PERIOD_TOO_LONG', 'query: a report covers at most 366 days; 2026-01-01 to 2027-01-03 is 367 days'],
    ['not a calendar date', 'from=2026-02-30&to=2026-03-02', 400, 'VALIDATION_FAILED', 'query.from: must be a calendar date YYYY-MM-DD'],
    ['a date-time', 'from=2026-11-01T00:00&to=2026-11-02', 400, 'VALIDATION_FAILED', 'query.from: must be a calendar date YYYY-MM-DD'],
    ['an unknown format', 'month=2026-11&format=xml', 400, 'VALIDATION_FAILED', ''],
  ];
  it.each(bad)('refuses %s', async (_name, query, status, code, message) => {
    const r = await api.get(`/api/reports/client-report?client=${clientId}${query ? `&${query}` : ''}`);
    expect(r.status, r.text).toBe(status);
    expect(r.json.error.code).toBe(code);
    if (message) expect(r.json.error.message).toBe(message);
  });

  it('accepts 366 days, and answers 404 for an unknown client', async () => {
    expect((await api.get(`/api/reports/client-report?client=${clientId}&from=2026-01-01&to=2027-01-02&format=json`)).status).toBe(200);
    const r = await api.get('/api/reports/client-report?client=nope&from=2026-11-01&to=2026-11-02&format=json');
    expect([r.status, r.json.error.code]).toEqual([404, 'CLIENT_NOT_FOUND']);
  });
});
