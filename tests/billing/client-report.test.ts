/**
 * The monthly client report on a seeded month, checked against figures computed by hand, through
 * the public REST API of a real server, and the PDF printed by a real chromium parsed back with
 * pdftotext (poppler-utils).
 *
 * Seeded November 2026 for "Jansen Accountants" (monthly, Europe/Amsterdam, CET = UTC+1):
 *   period  = 2026-10-31T23:00Z … 2026-11-30T23:00Z = 30 days = 43,200 min per device
 *   srv01   offline 10:00–16:00Z on 10 Nov (360 min), acknowledged after 15 min
 *   pc02    offline 22:00Z 31 Oct – 01:00Z 1 Nov (opened before the period: 120 min inside it)
 *           CPU critical 08:00–09:00Z on 20 Nov, acknowledged after 5 min, 45 min booked
 *   srv01 availability 1 − 360/43,200 = 99.17 %; pc02 1 − 120/43,200 = 99.72 %
 *   overall 1 − 480/86,400 = 99.44 %; problems in the period: 2 (both critical)
 *   MTTA (15 + 5) / 2 = 10 min; MTTR (360 + 60) / 2 = 210 min = 3 h 30 min
 *
 * And "Bakker Installatie" (break-fix, €80/h, 15-minute increments, at least 60 min per incident):
 *   incident "Printer jams" opened 12 Nov 09:00Z, closed 12 Nov 11:00Z; booked 50 + 20 min
 *   billed 60 + 30 = 90 min = 1.5 h × €80 = €120
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateId } from '../../server/lib/secrets.js';
import { createJobStore } from '../../server/store/jobs.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { manualClock } from '../helpers/receivers.js';
import { hasBrowser } from '../e2e/browser.js';
import { startTestAgent } from '../helpers/test-agent.js';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

describe('monthly client report', () => {
  let t: TestServer | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function seedNovember(branding: { mspName?: string; logoFile?: string } = { mspName: 'Quarkpulse IT' }) {
    const clock = manualClock(at('2026-10-15T09:00:00Z'));
    t = await startTestServer({ clock, branding });
    const api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    const client = (
      await api.post('/api/clients', { name: 'Jansen Accountants', contract: 'monthly', monthlyFee: 450, hourlyRate: 90, timezone: 'Europe/Amsterdam' })
    ).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const srvEnrolled = (await api.post('/api/enroll', { token, hostname: 'jansen-srv01', machineId: 'm-srv01' })).json;
    const pcEnrolled = (await api.post('/api/enroll', { token, hostname: 'jansen-pc02', machineId: 'm-pc02' })).json;
    const [srv, pc] = [srvEnrolled.deviceId as string, pcEnrolled.deviceId as string];
    // Both report once on 15 Oct: the advisor counts its days from a device's first report.
    for (const [enrolled, hostname] of [
      [srvEnrolled, 'jansen-srv01'],
      [pcEnrolled, 'jansen-pc02'],
    ] as const) {
      const agent = await startTestAgent(t.url, enrolled.deviceToken as string, { hostname });
      await agent.report([{ name: 'cpu.loadPct', value: 5 }], clock.now());
      agent.close();
    }

    const { alerts, rules } = t.server.ctx.alerting;
    // The CPU rule for the threshold alert, so the report can word it as what it is.
    const ruleOf = (kind: string) => rules.list().find((r) => r.kind === kind && (kind !== 'threshold' || r.id === 'default-cpu-high'))!;
    const alert = (deviceId: string, kind: 'offline' | 'threshold', summary: string, openedAtMs: number, ackAtMs: number | null, resolvedAtMs: number) => {
      const rule = ruleOf(kind);
      const id = generateId();
      alerts.insert({
        id,
        ruleId: rule.id,
        ruleName: rule.name,
        ruleKind: rule.kind,
        severity: 'critical',
        deviceId,
        clientId: client.id,
        labelsJson: '{}',
        summary,
        value: null,
        isInMaintenance: false,
        isFlapping: false,
        isNotified: true,
        openedAtMs,
      });
      if (ackAtMs !== null) alerts.acknowledgeIfFiring(id, ackAtMs, 'admin');
      alerts.resolveIfOpen(id, resolvedAtMs, 'system', 'cleared');
      return id;
    };
    alert(srv, 'offline', 'jansen-srv01 is offline', at('2026-11-10T10:00:00Z'), at('2026-11-10T10:15:00Z'), at('2026-11-10T16:00:00Z'));
    alert(pc, 'offline', 'jansen-pc02 is offline', at('2026-10-31T22:00:00Z'), null, at('2026-11-01T01:00:00Z'));
    const cpu = alert(
      pc,
      'threshold',
      'CPU at 97 % for 5 min on jansen-pc02',
      at('2026-11-20T08:00:00Z'),
      at('2026-11-20T08:05:00Z'),
      at('2026-11-20T09:00:00Z'),
    );

    const bakker = (
      await api.post('/api/clients', { name: 'Bakker Installatie', contract: 'break-fix', monthlyFee: 300, hourlyRate: 80, timezone: 'Europe/Amsterdam' })
    ).json;
    const bakkerSettings = { language: 'nl', reportContacts: [], roundingIncrementMin: 15, minimumChargeMin: 60, internalCostRate: 0 };
    expect((await api.put(`/api/reports/client-settings/${bakker.id}`, bakkerSettings)).status).toBe(200);
    const bakkerToken = (await api.post(`/api/clients/${bakker.id}/enrollment-tokens`, {})).json.token as string;
    await api.post('/api/enroll', { token: bakkerToken, hostname: 'bakker-pc01', machineId: 'b-pc01' });
    clock.set(at('2026-11-12T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    const jam = (await api.post('/api/incidents', { clientId: bakker.id, title: 'Printer jams', severity: 'warning' })).json;
    for (const [minutes, note] of [
      [50, 'replaced the fuser unit'],
      [20, 'checked the print queue remotely'],
    ] as const)
      expect((await api.post(`/api/incidents/${jam.id}/time-entries`, { minutes, note, date: '2026-11-12' })).status).toBe(201);
    clock.set(at('2026-11-12T11:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    const closed = await api.post(`/api/incidents/${jam.id}/close`, {});
    expect(closed.status, closed.text).toBeLessThan(300);

    clock.set(at('2026-12-02T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    const booked = await api.post(`/api/alerts/${cpu}/time-entries`, { minutes: 45, note: 'killed a runaway backup job', date: '2026-11-20' });
    expect(booked.status, booked.text).toBe(201);
    return { api, client, srv, pc, bakker };
  }

  it('computes availability, MTTA/MTTR and booked time as computed by hand', { timeout: 60_000 }, async () => {
    const { api, client } = await seedNovember();
    const r = await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=en`);
    expect(r.status, r.text).toBe(200);
    const report = t!.server.ctx.billing.clientReports.build(client.id, '2026-11', 'en');
    expect(report.hasData).toBe(true);
    expect(report.availability.overallPct).toBe(99.44);
    expect(report.availability.devices.map((d) => [d.hostname, d.availabilityPct, d.downMs / MIN, d.outages])).toEqual([
      ['jansen-srv01', 99.17, 360, 1],
      ['jansen-pc02', 99.72, 120, 1],
    ]);
    expect(report.problems).toMatchObject({ total: 2, critical: 2, alerts: 2, acknowledged: 2, mttaMs: 10 * MIN, mttrMs: 210 * MIN, bookedMinutes: 45 });
    // The HTML page says the same in words.
    expect(r.text).toContain('99.44%');
    expect(r.text).toContain('Average time to acknowledge</td><td class="num">10 minutes');
    expect(r.text).toContain('Average time to resolve</td><td class="num">3 h 30 min');
    expect(r.text).toContain('December 2026'.replace('December', 'November'));
    // What was done: the note of the time booked on the CPU alert.
    expect(r.text).toContain('resolved after 1 h 0 min · 45 minutes<div class="note">killed a runaway backup job</div>');
    // The advice has 31+ days of data: a verdict, not "not enough data".
    expect(report.advice.recommendation).not.toBe('insufficient-data');
  });

  it('counts the maintenance jobs that finished in the month, by task, and the updates they installed', { timeout: 60_000 }, async () => {
    const { api, client, srv, pc } = await seedNovember();
    const jobs = createJobStore(t!.server.db);
    const job = (deviceId: string, task: string, state: 'done' | 'failed', atIso: string, result: Record<string, unknown> | null = null) => {
      const id = generateId();
      jobs.insert({
        id,
        deviceId,
        clientId: client.id,
        task,
        params: {},
        notBeforeMs: at(atIso) - MIN,
        notAfterMs: at(atIso) + MIN,
        nonce: id,
        incidentId: null,
        createdAtMs: at(atIso) - MIN,
        createdBy: 'admin',
      });
      const outcome = {
        code: null,
        message: null,
        exitCode: state === 'done' ? 0 : 1,
        durationMs: 1_000,
        output: '',
        outputBytes: 0,
        outputSha256: null,
        result,
      };
      expect(jobs.finish(id, deviceId, { ...outcome, state, atMs: at(atIso) })).toBe(true);
    };
    job(srv, 'updates.install', 'done', '2026-11-08T02:00:00Z', { installed: ['KB5044284', 'KB5044033', 'KB890830'] });
    job(pc, 'updates.install', 'failed', '2026-11-08T02:30:00Z');
    job(srv, 'health.check', 'done', '2026-11-15T02:00:00Z');
    // Outside the month (the client's time zone): 23:30Z on 31 Oct is 1 Nov 00:30 in Amsterdam, in; 23:30Z on 30 Nov is December, out.
    job(pc, 'cleanup', 'done', '2026-10-31T23:30:00Z');
    job(pc, 'health.check', 'done', '2026-11-30T23:30:00Z');
    const report = t!.server.ctx.billing.clientReports.build(client.id, '2026-11', 'en');
    expect(report.maintenance).toEqual({
      jobs: 4,
      succeeded: 3,
      failed: 1,
      updatesInstalled: 3,
      byTask: [
        { task: 'updates.install', count: 2 },
        { task: 'cleanup', count: 1 },
        { task: 'health.check', count: 1 },
      ],
    });
    const en = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=en`)).text;
    expect(en).toContain('4 jobs: 3 succeeded, 1 failed');
    expect(en).toContain('<li>Update installations: 2</li>');
    expect(en).toContain('3 updates installed');
    const nl = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=nl`)).text;
    expect(nl).toContain('<li>Installaties van updates: 2</li>');
    expect(nl).toContain('3 updates geïnstalleerd');
    expect(nl).not.toContain('updates.install');

    // What is coming: a Windows 10 PC out of security updates, on hardware from 2018 (its agent's facts).
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const enrolled = await api.post('/api/enroll', {
      token,
      hostname: 'jansen-pc07',
      machineId: 'm-pc07',
      facts: { distro: 'Microsoft Windows 10 Pro', release: '10.0.19045', biosDate: '2018-06-12' },
    });
    expect(enrolled.status, enrolled.text).toBe(201);
    expect(t!.server.ctx.billing.clientReports.build(client.id, '2026-11', 'en').coming.ageing).toEqual([
      { hostname: 'jansen-pc07', kind: 'os-unsupported', os: 'Windows 10', endsOn: '2025-10-14' },
      { hostname: 'jansen-pc07', kind: 'old-hardware', year: 2018, years: 8 },
    ]);
    const comingEn = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=en`)).text;
    expect(comingEn).toContain('jansen-pc07: Windows 10 has had no security updates since 14 Oct 2025; upgrade or replace it');
    expect(comingEn).toContain('jansen-pc07: hardware from 2018 (8 years old); plan its replacement');
    const comingNl = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=nl`)).text;
    expect(comingNl).toContain('jansen-pc07: Windows 10 krijgt sinds 14 okt 2025 geen beveiligingsupdates meer; upgraden of vervangen');
  });

  it('what is coming: a disk predicted full, pending security updates, a device not seen for a week', { timeout: 60_000 }, async () => {
    const { api, client, srv, pc } = await seedNovember();
    const deviceStore = t!.server.ctx.devices;
    const jobs = createJobStore(t!.server.db);
    const scanId = generateId();
    const scanAt = at('2026-11-30T02:00:00Z');
    jobs.insert({
      id: scanId,
      deviceId: srv,
      clientId: client.id,
      task: 'updates.scan',
      params: {},
      notBeforeMs: scanAt - MIN,
      notAfterMs: scanAt + MIN,
      nonce: scanId,
      incidentId: null,
      createdAtMs: scanAt - MIN,
      createdBy: 'admin',
    });
    const outcome = { code: null, message: null, exitCode: 0, durationMs: 1_000, output: '', outputBytes: 0, outputSha256: null };
    expect(jobs.finish(scanId, srv, { ...outcome, result: { pendingCount: 7, securityCount: 3 }, state: 'done', atMs: scanAt })).toBe(true);
    deviceStore.recordLatest(srv, at('2026-12-02T08:59:00Z'), { 'updates.pendingCount': 7 });
    // A disk-full forecast on srv01, still open: the report gives the time it gave the disk, in either language.
    const forecast = t!.server.ctx.alerting.rules.list().find((r) => r.kind === 'forecast')!;
    t!.server.ctx.alerting.alerts.insert({
      id: generateId(),
      ruleId: forecast.id,
      ruleName: forecast.name,
      ruleKind: forecast.kind,
      severity: 'warning',
      deviceId: srv,
      clientId: client.id,
      labelsJson: JSON.stringify({ mount: 'C:' }),
      summary: 'Disk C: at 91 % used, full in about 3 days',
      value: 91,
      isInMaintenance: false,
      isFlapping: false,
      isNotified: true,
      openedAtMs: at('2026-11-29T10:00:00Z'),
    });
    deviceStore.recordLatest(pc, at('2026-11-20T09:00:00Z'), {});

    const report = t!.server.ctx.billing.clientReports.build(client.id, '2026-11', 'en');
    expect(report.coming.pendingUpdates).toEqual([{ hostname: 'jansen-srv01', count: 7, security: 3 }]);
    expect(report.coming.notSeenForAWeek).toEqual([{ hostname: 'jansen-pc02', lastSeenMs: at('2026-11-20T09:00:00Z') }]);
    const en = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=en`)).text;
    expect(en).toContain('<li>jansen-srv01: 3 security updates pending, and 4 other updates</li>');
    expect(en).toContain('<li>jansen-pc02: not seen since 20 Nov 2026</li>');
    expect(en).toContain('<li>Disk predicted full: jansen-srv01 (C:), full in about 3 days (forecast of 29 Nov 2026)</li>');
    const nl = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=nl`)).text;
    expect(nl).toContain('<li>jansen-srv01: 3 beveiligingsupdates wachten op installatie, en 4 andere updates</li>');
    expect(nl).toContain('<li>jansen-pc02: niet meer gezien sinds 20 nov 2026</li>');
    expect(nl).toContain('<li>Schijf binnenkort vol: jansen-srv01 (C:), vol over ongeveer 3 dagen (voorspelling van 29 nov 2026)</li>');
  });

  it('prints the same figures to a real PDF, in Dutch', { timeout: 90_000 }, async () => {
    if (!hasBrowser()) return;
    expect(existsSync('/usr/bin/pdftotext'), 'pdftotext (poppler-utils) is needed; .ci/run installs it').toBe(true);
    const { api, client } = await seedNovember();
    const res = await fetch(`${t!.url}/api/reports/client-report?client=${client.id}&month=2026-11&format=pdf&lang=nl`, { headers: { cookie: api.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-pdf-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'r.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ');
    expect(text).toContain('Maandrapport');
    expect(text).toContain('Jansen Accountants · november 2026');
    expect(text).toContain('99,44%');
    expect(text).toMatch(/jansen-srv01\s+99,17%\s+6 u 0 min\s+1/);
    expect(text).toMatch(/jansen-pc02\s+99,72%\s+2 u 0 min\s+1/);
    expect(text).toMatch(/Gemiddelde tijd tot reactie\s+10 minuten/);
    expect(text).toMatch(/Gemiddelde tijd tot oplossing\s+3 u 30 min/);
    expect(text).toMatch(/Bestede tijd\s+45 minuten/);
    expect(text).toContain('Quarkpulse IT');
    // The problems in Dutch, from what they are, not the server's English words.
    expect(text).toMatch(/kritiek Niet bereikbaar\s+jansen-\s+opgelost na 6 u 0 min\s+11:00\s+\(offline\)/);
    expect(text).toContain('CPU-belasting hoog');
    expect(text).toContain('killed a runaway backup job');
    expect(text).not.toContain('is offline');
    expect(text).not.toContain('CPU at 97 %');
  });

  it('shows the MSP name beside its logo in the header, on the page and in the PDF', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-logo-'));
    dirs.push(dir);
    // A 1×1 PNG.
    const logo = path.join(dir, 'logo.png');
    writeFileSync(logo, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
    const { api, client } = await seedNovember({ mspName: 'De Vries ICT', logoFile: logo });
    const html = (await api.get(`/api/reports/client-report?client=${client.id}&month=2026-11&format=html&lang=en`)).text;
    const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    expect(header).toContain('src="data:image/png;base64,');
    expect(header).toContain('<b>De Vries ICT</b>');
    if (!hasBrowser()) return;
    const res = await fetch(`${t!.url}/api/reports/client-report?client=${client.id}&month=2026-11&format=pdf&lang=en`, { headers: { cookie: api.cookie } });
    expect(res.status).toBe(200);
    writeFileSync(path.join(dir, 'r.pdf'), Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    // In the header, before the first section — not only in the footer's "Generated … by".
    expect(text.slice(0, text.indexOf('Summary'))).toContain('De Vries ICT');
  });

  it('bills a break-fix incident with the client rounding and shows its notes, on the page and in the PDF', { timeout: 90_000 }, async () => {
    const { api, bakker } = await seedNovember();
    const report = t!.server.ctx.billing.clientReports.build(bakker.id, '2026-11', 'nl');
    expect(report.problems).toMatchObject({ total: 1, incidents: 1, bookedMinutes: 70, billedAmount: 120, mttrMs: 120 * MIN });
    expect(report.problems.list.map((c) => [c.summary, c.bookedMinutes, c.notes])).toEqual([
      ['Printer jams', 70, ['replaced the fuser unit', 'checked the print queue remotely']],
    ]);
    expect(report.advice.paid).toBe(120);
    const en = (await api.get(`/api/reports/client-report?client=${bakker.id}&month=2026-11&format=html&lang=en`)).text;
    expect(en).toContain('Billed for this time</td><td class="num">€120.00');
    expect(en).toContain('Paid under your contract</td><td class="num">€120.00');
    expect(en).toContain(
      'resolved after 2 h 0 min · 1 h 10 min<div class="note">replaced the fuser unit</div><div class="note">checked the print queue remotely</div>',
    );
    if (!hasBrowser()) return;
    const res = await fetch(`${t!.url}/api/reports/client-report?client=${bakker.id}&month=2026-11&format=pdf&lang=nl`, { headers: { cookie: api.cookie } });
    expect(res.status).toBe(200);
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-bakker-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'r.pdf'), Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ');
    expect(text).toMatch(/Gefactureerd voor deze tijd\s+€ 120,00/);
    expect(text).toMatch(/Betaald onder uw contract\s+€ 120,00/);
    expect(text).toContain('replaced the fuser unit');
    expect(text).toContain('checked the print queue remotely');
  });

  it('a client of 3 days gets "not enough data", and a period without devices says so', { timeout: 60_000 }, async () => {
    const clock = manualClock(at('2026-12-01T09:00:00Z'));
    t = await startTestServer({ clock });
    const api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    const client = (await api.post('/api/clients', { name: 'Nieuw BV', contract: 'monthly', monthlyFee: 300, hourlyRate: 80, timezone: 'Europe/Amsterdam' }))
      .json;
    const empty = t.server.ctx.billing.clientReports.build(client.id, '2026-11', 'en');
    expect(empty.hasData).toBe(false);
    expect(t.server.ctx.billing.clientReports.html(client.id, '2026-11', 'en')).toContain(
      'There is no data for this period: no device of Nieuw BV was monitored',
    );
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const enrolled = (await api.post('/api/enroll', { token, hostname: 'nieuw-pc01', machineId: 'n1' })).json;
    const agent = await startTestAgent(t.url, enrolled.deviceToken as string, { hostname: 'nieuw-pc01' });
    await agent.report([{ name: 'cpu.loadPct', value: 5 }], clock.now());
    agent.close();
    clock.set(at('2026-12-04T09:00:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    const a = await api.get(`/api/reports/contract-advice?client=${client.id}&from=2026-12-01&to=2026-12-31`);
    expect(a.status, a.text).toBe(200);
    expect(a.json.recommendation).toBe('insufficient-data');
    expect(a.json.reasons[0]).toBe('Not enough data yet: 3 days with devices reporting, at least 30 needed for a verdict.');
  });

  it('bills with the client rounding and exports CSV with its columns', { timeout: 60_000 }, async () => {
    const clock = manualClock(at('2026-11-03T09:00:00Z'));
    t = await startTestServer({ clock });
    const api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    const client = (
      await api.post('/api/clients', { name: 'Bakker, "de" Zoon', contract: 'break-fix', monthlyFee: 300, hourlyRate: 80, timezone: 'Europe/Amsterdam' })
    ).json;
    const put = await api.put(`/api/reports/client-settings/${client.id}`, {
      language: 'nl',
      reportContacts: ['eigenaar@bakker.example'],
      roundingIncrementMin: 15,
      minimumChargeMin: 30,
      internalCostRate: 40,
    });
    expect(put.status, put.text).toBe(200);
    const bad = await api.put(`/api/reports/client-settings/${client.id}`, {
      language: 'de',
      reportContacts: [],
      roundingIncrementMin: 0,
      minimumChargeMin: 0,
      internalCostRate: 0,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('VALIDATION_FAILED');
    const inc = (await api.post('/api/incidents', { clientId: client.id, title: 'Printer jams' })).json;
    for (const [minutes, note] of [
      [5, 'call, printer'],
      [20, '=SUM(A1) remote fix'],
    ] as const) {
      const r = await api.post(`/api/incidents/${inc.id}/time-entries`, { minutes, note, date: '2026-11-03' });
      expect(r.status, r.text).toBe(201);
    }
    const b = (await api.get(`/api/reports/billing?client=${client.id}&month=2026-11`)).json;
    // 5 → 15, 20 → 30: 45 billed minutes (above the 30 min minimum) × €80/h = €60
    expect([b.totalMinutes, b.totalBilledMinutes, b.totalAmount]).toEqual([25, 45, 60]);
    const csv = await api.get(`/api/reports/billing.csv?client=${client.id}&month=2026-11`);
    expect(csv.status).toBe(200);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe('incident_id,title,state,opened_at,booked_minutes,billed_minutes,billed_hours,amount,currency,notes');
    expect(lines[1]).toBe(`${inc.id},Printer jams,open,2026-11-03T09:00:00.000Z,25,45,0.75,60,EUR,"call, printer | =SUM(A1) remote fix"`);
    expect(lines[2]).toBe('total,,,,25,45,0.75,60,EUR,');
    const entries = await api.get(`/api/reports/time-entries.csv?client=${client.id}&month=2026-11`);
    expect(entries.text.split('\r\n').slice(0, 3)).toEqual([
      'date,on,id,technician,minutes,note',
      `2026-11-03,incident,${inc.id},admin,5,"call, printer"`,
      `2026-11-03,incident,${inc.id},admin,20,'=SUM(A1) remote fix`,
    ]);
    const all = (await api.get('/api/reports/billing-all?month=2026-11')).json;
    expect(all.clients).toEqual([
      {
        clientId: client.id,
        clientName: 'Bakker, "de" Zoon',
        contract: 'break-fix',
        currency: 'EUR',
        revenue: 60,
        effortMinutes: 25,
        effortCost: 16.67,
        profit: 43.33,
        billedMinutes: 45,
      },
    ]);
  });
});
