/**
 * Retention of what grows forever (issue 17, item 11), on a real server with a fake clock:
 * finished deliveries (and their attempts) go after 90 days, expired sessions at once, the audit
 * log after 400 days (never less than six months), a pending delivery never; pruned audit entries
 * are counted in one `retention.prune` entry. And the audit log is exportable: GET
 * /api/audit/export streams it as CSV or NDJSON, oldest first, to admins, defused against
 * spreadsheet formulas, itself audited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../server/series/index.js';
import { validateRecordRetention } from '../../server/audit/record-retention.js';
import { manualClock, startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { captureLog } from './helpers/log-capture.js';

async function until(check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 20_000) throw new Error('condition not reached within 20 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('record retention', () => {
  let t: TestServer | undefined;
  let http: HttpReceiver | undefined;
  afterEach(async () => {
    await t?.close();
    await http?.close();
    t = undefined;
    http = undefined;
  });

  it('refuses an audit retention under six months, with what to fix', () => {
    expect(() => validateRecordRetention({ deliveriesMs: 90 * DAY_MS, auditMs: 90 * DAY_MS })).toThrow(
      'audit log retention must be at least 183 days, six months (got 90 days)',
    );
    expect(() => validateRecordRetention({ deliveriesMs: 0, auditMs: 400 * DAY_MS })).toThrow('delivery retention must be at least 1 day (got 0 days)');
  });

  it('prunes finished deliveries after 90 days, expired sessions, and audit entries after 400 days; keeps pending deliveries', async () => {
    const t0 = Date.now();
    const clock = manualClock(t0);
    http = await startHttpReceiver();
    t = await startTestServer({ clock, recordRetentionIntervalMs: 50, storageUpkeep: false });
    const db = t.server.db;
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const api = new ApiClient(t.url);
    await api.login();
    const hook = (await api.post('/api/channels', { type: 'webhook', name: 'Tickets', config: { url: http.url('/hook'), secret: 'a-webhook-secret-0123' } }))
      .json;
    const testSends = async (n: number) => {
      for (let i = 0; i < n; i++) expect((await api.post(`/api/channels/${hook.id}/test`, {})).json).toMatchObject({ ok: true });
    };
    await testSends(3);
    // A delivery still waiting for its turn, created long before any cutoff: never pruned.
    db.prepare(
      `INSERT INTO deliveries (idempotency_key, purpose, kind, channel_type, channel_name, recipient, destination_key, message_json, status, next_attempt_at_ms, created_at_ms, budget_from_ms)
       VALUES ('pending-1', 'page', 'alert', 'webhook', 'Tickets', 'x', 'webhook:x', '{}', 'pending', ?, ?, ?)`,
    ).run(t0 + 2_000 * DAY_MS, t0, t0);
    const other = new ApiClient(t.url);
    await other.login();
    expect(count('SELECT count(*) AS n FROM deliveries')).toBe(4);
    expect(count('SELECT count(*) AS n FROM delivery_attempts')).toBe(3);
    const auditAtStart = count('SELECT count(*) AS n FROM audit_log');

    clock.advance(30 * DAY_MS);
    await api.login();
    await testSends(2);
    // Both earlier sessions have long expired: pruned, the new one stays.
    await until(() => count('SELECT count(*) AS n FROM sessions') === 1);

    clock.advance(61 * DAY_MS); // t0 + 91 days
    await api.login();
    await until(() => count('SELECT count(*) AS n FROM deliveries') === 3);
    expect(db.prepare("SELECT idempotency_key AS k, status FROM deliveries WHERE status = 'pending'").all()).toEqual([{ k: 'pending-1', status: 'pending' }]);
    expect(count('SELECT count(*) AS n FROM delivery_attempts')).toBe(2);
    expect(count('SELECT count(*) AS n FROM audit_log WHERE at_ms < ' + (t0 + DAY_MS))).toBe(auditAtStart);

    clock.advance(310 * DAY_MS); // t0 + 401 days
    await api.login();
    await until(() => count('SELECT count(*) AS n FROM audit_log WHERE at_ms < ' + (t0 + DAY_MS)) === 0);
    expect(count('SELECT count(*) AS n FROM deliveries')).toBe(1);
    const prune = (
      (await api.get('/api/audit?entityType=audit-log')).json.entries as { action: string; actorName: string; summary: string; detail: { audit: number } }[]
    ).find((e) => e.action === 'retention.prune')!;
    expect(prune).toMatchObject({
      actorName: 'retention',
      summary: `deleted ${auditAtStart} audit entries older than 400 days`,
      detail: { audit: auditAtStart },
    });
    // Entries from day 30 on (371 days old) are kept.
    expect(count(`SELECT count(*) AS n FROM audit_log WHERE at_ms >= ${t0 + 30 * DAY_MS} AND at_ms < ${t0 + 31 * DAY_MS}`)).toBeGreaterThan(0);
  });
});

describe('audit export', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** Splits RFC 4180 CSV text into rows of cells. */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        row.push(cell);
        cell = '';
      } else if (ch === '\r' && text[i + 1] === '\n') {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = '';
        i++;
      } else cell += ch;
    }
    return rows;
  }

  it('streams the whole log as CSV and NDJSON to admins, oldest first, formulas defused, and records who exported it', async () => {
    const log = captureLog('warn');
    t = await startTestServer({ storageUpkeep: false, logger: log.logger });
    const api = new ApiClient(t.url);
    await api.login();
    const hostile = '=HYPERLINK("http://evil.example","click"), with "quotes"\nand a newline';
    expect((await api.post('/api/clients', { name: hostile, contract: 'monthly' })).status).toBe(201);
    // More than two chunks of 1,000 rows.
    t.server.db.transaction(() => {
      for (let i = 0; i < 2_345; i++)
        t!.server.ctx.audit.record(
          { id: 'u', name: 'bulk' },
          { action: 'client.update', entityType: 'client', entityId: `c${i}`, summary: `bulk change ${i}` },
        );
    })();
    const all = t.server.db.prepare('SELECT id FROM audit_log ORDER BY id').all() as { id: number }[];

    await api.post('/api/users', { username: '@evil', password: 'evil-password-1', role: 'viewer' });
    const viewer = new ApiClient(t.url);
    await viewer.login('@evil', 'evil-password-1');
    // Both formats and a viewer's attempt at once.
    const [csv, ndjson, refused] = await Promise.all([
      api.get('/api/audit/export?format=csv'),
      api.get('/api/audit/export?format=ndjson'),
      viewer.get('/api/audit/export?format=csv'),
    ]).catch((e) => {
      throw new Error(`${e}: ${JSON.stringify(log.lines())}`);
    });
    expect([refused.status, refused.json.error.code]).toEqual([403, 'FORBIDDEN']);

    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="quarkpulse-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual(['id', 'atMs', 'atIso', 'actorId', 'actorName', 'action', 'entityType', 'entityId', 'summary', 'detail']);
    const body = rows.slice(1);
    // Every entry up to the first export, once, oldest first (the exports themselves may follow).
    expect(body.slice(0, all.length).map((r) => Number(r[0]))).toEqual(all.map((r) => r.id));
    // Quotes, commas and newlines survive the round trip.
    const created = body.find((r) => r[5] === 'client.create')!;
    expect(created[8]).toContain(hostile);
    // A cell that a spreadsheet would run as a formula gets an apostrophe: a username may start with @.
    const login = body.find((r) => r[5] === 'login.success' && r[4]!.includes('evil'))!;
    expect(login[4]).toBe("'@evil");
    expect(body.flatMap((r) => r).filter((c) => /^[=+\-@]/.test(c))).toEqual([]);

    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = ndjson.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, all.length).map((e) => e.id)).toEqual(all.map((r) => r.id));
    const page = (await api.get('/api/audit?limit=5')).json.entries as { id: number }[];
    // The same entries as GET /api/audit, field for field.
    for (const e of page) {
      const fromExport = lines.find((l) => l.id === e.id);
      if (fromExport) expect(fromExport).toEqual(e);
    }
    const exports = (await api.get('/api/audit?entityType=audit-log')).json.entries as { action: string; actorName: string; summary: string }[];
    expect(
      exports
        .filter((e) => e.action === 'audit.export')
        .map((e) => [e.actorName, e.summary])
        .sort(),
    ).toEqual([
      ['admin', 'exported the audit log as CSV'],
      ['admin', 'exported the audit log as NDJSON'],
    ]);
  });

  it('exports a time range and refuses an inverted one', async () => {
    t = await startTestServer({ storageUpkeep: false });
    const api = new ApiClient(t.url);
    await api.login();
    const rows = t.server.db.prepare('SELECT id, at_ms FROM audit_log ORDER BY id').all() as { id: number; at_ms: number }[];
    const from = rows[0]!.at_ms;
    const r = await api.get(`/api/audit/export?format=ndjson&from=${from}&to=${from + 1}`);
    expect(
      r.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual(rows.filter((x) => x.at_ms === from).map((x) => x.id));
    const bad = await api.get('/api/audit/export?from=10&to=5');
    expect([bad.status, bad.json.error]).toEqual([400, { code: 'INVALID_RANGE', message: 'query: from must be before to' }]);
    const unknown = await api.get('/api/audit/export?format=xml');
    expect([unknown.status, unknown.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
