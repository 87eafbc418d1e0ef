/**
 * Monthly delivery: on the first working day of the month in the client's zone, from 08:00, the
 * previous month's report goes out as a PDF attachment through the delivery queue to a real SMTP
 * server on loopback; a client without report contacts is archived as such, not skipped silently.
 *
 * August 2026 starts on a Saturday: the July report is due Monday 3 August, 08:00 in
 * Europe/Amsterdam (CEST, UTC+2) = 06:00Z.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dueReportMonth, firstWorkingDay } from '../../server/billing/report-scheduler.js';
import { hasBrowser } from '../e2e/browser.js';
import { manualClock, startSmtpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';

const at = (iso: string) => Date.parse(iso);

describe('when the monthly report is due', () => {
  const table: [string, string, string | null][] = [
    ['2026-08-01T10:00:00Z', 'Europe/Amsterdam', null], // Saturday
    ['2026-08-03T05:59:00Z', 'Europe/Amsterdam', null], // Monday 07:59 local
    ['2026-08-03T06:00:00Z', 'Europe/Amsterdam', '2026-07'], // Monday 08:00 local
    ['2026-08-20T12:00:00Z', 'Europe/Amsterdam', '2026-07'], // later in the month: still July's
    ['2026-12-31T23:30:00Z', 'Europe/Amsterdam', null], // 1 Jan 00:30 local, before 08:00
    ['2027-01-01T07:00:00Z', 'Europe/Amsterdam', '2026-12'], // Friday 1 Jan 08:00 local: December's
  ];
  it.each(table)('%s in %s → %s', (iso, tz, month) => {
    expect(dueReportMonth(at(iso), tz)).toBe(month);
  });
  it('finds the first Monday–Friday', () => {
    expect([firstWorkingDay(2026, 8), firstWorkingDay(2026, 11), firstWorkingDay(2026, 12), firstWorkingDay(2027, 5)]).toEqual([3, 2, 1, 3]);
  });
});

describe('scheduled delivery', () => {
  let t: TestServer | undefined;
  let smtp: SmtpReceiver | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await t?.close();
    await smtp?.close();
    t = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('e-mails last month\u2019s PDF on the first working day, once; a client without contacts is listed', { timeout: 90_000 }, async () => {
    if (!hasBrowser()) return;
    smtp = await startSmtpReceiver();
    const clock = manualClock(at('2026-06-15T09:00:00Z'));
    t = await startTestServer({ clock, reportSchedule: false, branding: { mspName: 'Quarkpulse IT' } });
    const api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    const mail = await api.post('/api/channels', {
      type: 'email',
      name: 'Mail relay',
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'Quarkpulse <rapport@example.com>' },
    });
    expect(mail.status, mail.text).toBe(201);
    const jansen = (
      await api.post('/api/clients', { name: 'Jansen Accountants', contract: 'monthly', monthlyFee: 450, hourlyRate: 90, timezone: 'Europe/Amsterdam' })
    ).json;
    const silent = (await api.post('/api/clients', { name: 'Stil BV', contract: 'monthly', monthlyFee: 200, hourlyRate: 80, timezone: 'Europe/Amsterdam' }))
      .json;
    const token = (await api.post(`/api/clients/${jansen.id}/enrollment-tokens`, {})).json.token as string;
    await api.post('/api/enroll', { token, hostname: 'jansen-srv01', machineId: 'j1' });
    expect(
      (
        await api.put(`/api/reports/client-settings/${jansen.id}`, {
          language: 'nl',
          reportContacts: ['directie@jansen.example'],
          roundingIncrementMin: 15,
          minimumChargeMin: 0,
          internalCostRate: 0,
        })
      ).status,
    ).toBe(200);

    const scheduler = t.server.ctx.billing.reportScheduler;
    clock.set(at('2026-08-03T05:59:00Z'));
    await scheduler.tick();
    expect(t.server.ctx.billing.clientReportStore.listArchive(jansen.id)).toEqual([]);

    clock.set(at('2026-08-03T06:01:00Z'));
    await api.login('admin', ADMIN_PASSWORD); // the June session has expired
    await scheduler.tick();
    await scheduler.tick(); // a second run finds the month done
    await smtp.waitFor(1, 20_000);
    expect(smtp.mails).toHaveLength(1);
    const m = smtp.mails[0]!;
    expect(m.to).toEqual(['directie@jansen.example']);
    expect(m.subject).toBe('Quarkpulse IT: maandrapport juli 2026 voor Jansen Accountants');
    const pdfPart = /Content-Type: application\/pdf;[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9+/=\r\n]+)/.exec(m.raw);
    expect(pdfPart, 'the mail carries a PDF attachment').not.toBeNull();
    const pdf = Buffer.from(pdfPart![1]!.replace(/\r\n/g, ''), 'base64');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-mailpdf-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'r.pdf'), pdf);
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Jansen Accountants · juli 2026');
    expect(text).toContain('jansen-srv01');

    const archive = (await api.get(`/api/reports/client-report/archive?client=${jansen.id}`)).json;
    expect(archive.map((a: { month: string; delivery: string }) => [a.month, a.delivery])).toEqual([['2026-07', 'sent']]);
    const silentArchive = (await api.get(`/api/reports/client-report/archive?client=${silent.id}`)).json;
    expect(silentArchive.map((a: { month: string; delivery: string; detail: string }) => [a.month, a.delivery, a.detail])).toEqual([
      ['2026-07', 'no-contacts', 'no report contacts'],
    ]);
    const archived = await fetch(`${t.url}/api/reports/client-report/archive/${archive[0].id}`, { headers: { cookie: api.cookie } });
    expect(
      Buffer.from(await archived.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    // Re-send by hand: a second mail with the same report.
    const again = await api.post('/api/reports/client-report/send', { client: jansen.id, month: '2026-07' });
    expect(again.status, again.text).toBe(201);
    await smtp.waitFor(2, 20_000);
    expect(smtp.mails).toHaveLength(2);
  });

  /** A server at 2026-06-15 with a mail channel to `smtp` and Jansen (Dutch, the given contacts, one device). */
  async function jansenWithContacts(contacts: string[], opts: { chromiumPath?: string } = {}) {
    smtp = await startSmtpReceiver();
    const clock = manualClock(at('2026-06-15T09:00:00Z'));
    t = await startTestServer({ clock, reportSchedule: false, branding: { mspName: 'Quarkpulse IT' }, ...opts });
    const api = new ApiClient(t.url);
    await api.login('admin', ADMIN_PASSWORD);
    const mail = await api.post('/api/channels', {
      type: 'email',
      name: 'Mail relay',
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'Quarkpulse <rapport@example.com>' },
    });
    expect(mail.status, mail.text).toBe(201);
    const jansen = (
      await api.post('/api/clients', { name: 'Jansen Accountants', contract: 'monthly', monthlyFee: 450, hourlyRate: 90, timezone: 'Europe/Amsterdam' })
    ).json;
    const token = (await api.post(`/api/clients/${jansen.id}/enrollment-tokens`, {})).json.token as string;
    await api.post('/api/enroll', { token, hostname: 'jansen-srv01', machineId: 'j1' });
    const settings = { language: 'nl', reportContacts: contacts, roundingIncrementMin: 1, minimumChargeMin: 0, internalCostRate: 0 };
    expect((await api.put(`/api/reports/client-settings/${jansen.id}`, settings)).status).toBe(200);
    clock.set(at('2026-08-03T06:01:00Z'));
    await api.login('admin', ADMIN_PASSWORD);
    return { api, jansen, server: t.server };
  }
  const reportDeliveries = (server: TestServer['server']) =>
    server.db.prepare('SELECT idempotency_key AS key, to_address AS "to" FROM deliveries WHERE kind = \'report\' ORDER BY to_address').all() as {
      key: string;
      to: string;
    }[];

  it('a crash between archive and queue, and a second scheduled run, still send once per contact', { timeout: 120_000 }, async () => {
    if (!hasBrowser()) return;
    const contacts = ['directie@jansen.example', 'it@jansen.example'];
    const { api, jansen, server } = await jansenWithContacts(contacts);
    const { reportScheduler: scheduler, clientReportStore: store } = server.ctx.billing;

    // The process "dies" while writing the archive row, after the deliveries were inserted.
    const archive = store.archive;
    store.archive = () => {
      throw new Error('simulated crash while archiving');
    };
    await scheduler.tick();
    store.archive = archive;
    expect(reportDeliveries(server), 'the deliveries rolled back with the archive row').toEqual([]);
    expect(store.listArchive(jansen.id)).toEqual([]);

    await scheduler.tick(); // the next run sends the month
    // A second scheduler for the same month (another process, a retried run) past the "done" check.
    expect((await scheduler.send(jansen.id, '2026-07', { scheduled: true })).delivery).toBe('sent');
    expect(reportDeliveries(server)).toEqual(contacts.map((to) => ({ key: `report:${jansen.id}|2026-07|${to}`, to })));
    await smtp!.waitFor(2, 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(smtp!.mails.map((m) => m.to).sort()).toEqual(contacts.map((c) => [c]));
    expect(store.listArchive(jansen.id).map((a) => a.delivery)).toEqual(['sent']);

    // A re-send by hand is a distinct, audited send.
    const again = await api.post('/api/reports/client-report/send', { client: jansen.id, month: '2026-07' });
    expect(again.status, again.text).toBe(201);
    await smtp!.waitFor(4, 20_000);
    const audit = (await api.get(`/api/audit?entityType=client&entityId=${jansen.id}`)).json;
    expect(JSON.stringify(audit)).toContain('monthly report 2026-07 of Jansen Accountants: sent');
  });

  it('a PDF that cannot be rendered is archived as failed with the reason, never mailed, and tried at most 3 times', { timeout: 90_000 }, async () => {
    // A "browser" that exits at once.
    const { api, jansen, server } = await jansenWithContacts(['directie@jansen.example'], { chromiumPath: '/bin/false' });
    const { reportScheduler: scheduler, clientReportStore: store } = server.ctx.billing;
    for (let i = 0; i < 5; i++) await scheduler.tick();
    const reason =
      'the PDF could not be rendered (2 attempts): chromium at /bin/false did not start or closed at once (is it a working chromium? set QP_CHROMIUM_PATH): Target page, context or browser has been closed';
    expect(store.listArchive(jansen.id).map((a) => [a.month, a.delivery, a.detail, a.pdfBytes])).toEqual(
      Array.from({ length: 3 }, () => ['2026-07', 'failed', reason, 0]),
    );
    expect(reportDeliveries(server)).toEqual([]);
    // A send by hand says why, and sends nothing either.
    const byHand = await api.post('/api/reports/client-report/send', { client: jansen.id, month: '2026-07' });
    expect([byHand.status, byHand.json.error]).toEqual([502, { code: 'REPORT_NOT_SENT', message: reason }]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(smtp!.mails).toEqual([]);
    expect(reportDeliveries(server)).toEqual([]);
  });
});
