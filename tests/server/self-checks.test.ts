/**
 * The watcher watched from inside, on a real server: self-checks measure the real data
 * directory (free space with statfs, the database file's size), a real backup directory and a
 * real agent's reports, and page the admins by e-mail (nodemailer → smtp-server on loopback)
 * when a check goes bad — once, not every minute — and again when it is ok. Limits are set so
 * that this machine's real disk and database cross them.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { manualClock, startSmtpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { createUser } from '../helpers/oncall-setup.js';
import { resolveServerSettings } from '../../server/config.js';

const MIN = 60_000;
const DAY = 86_400_000;

describe('self-checks page the admins', () => {
  let t: TestServer;
  let api: ApiClient;
  let smtp: SmtpReceiver;
  let clock: ReturnType<typeof manualClock>;
  let dataDir: string;
  let backupDir: string;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    smtp = await startSmtpReceiver();
    clock = manualClock(Date.now());
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-selfcheck-'));
    backupDir = mkdtempSync(path.join(tmpdir(), 'qp-backups-'));
    // The newest backup is three days old (limit two).
    const file = path.join(backupDir, 'quarkpulse-old.db');
    writeFileSync(file, 'backup');
    utimesSync(file, new Date(clock.now() - 3 * DAY), new Date(clock.now() - 3 * DAY));
    t = await startTestServer({
      dataDir,
      clock,
      notifyTickIntervalMs: 3_600_000,
      ruleTickIntervalMs: 3_600_000,
      // Run by the test, not by the timer. The disk limit is above any real free share and the
      // database limit below any real file: both really measured, both over.
      selfChecks: { intervalMs: 3_600_000, backupDir, limits: { diskMinFreePct: 50, databaseMaxBytes: 1 } },
    });
    api = new ApiClient(t.url);
    await api.login();
    const admin = (await api.get('/api/users')).json.find((u: { username: string }) => u.username === 'admin');
    expect((await api.request('PATCH', `/api/users/${admin.id}`, { email: 'admin@example.com' })).status).toBe(200);
    await createUser(api, 'anna', 'admin', 'anna@example.com');
    await createUser(api, 'piet', 'technician', 'piet@example.com');
    const mail = await api.post('/api/channels', {
      type: 'email',
      name: 'Mail',
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'alerts@example.com' },
    });
    expect(mail.status, mail.text).toBe(201);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(backupDir, { recursive: true, force: true });
  });

  async function runChecks() {
    const r = await api.post('/api/system/checks/run', {});
    expect(r.status, r.text).toBe(200);
    await t.server.ctx.notify.tick();
    return r.json.checks as { id: string; status: string; summary: string }[];
  }
  const subjects = (to: string) => smtp.to(to).map((m) => m.subject.replace(/ \d[\d.]* (B|KB|MB|GB|TB)\b/g, ' N').replace(/\(\d+\.\d %\)/, '(N %)'));

  it('pages every admin once per change, through the delivery path, and again when it clears', async () => {
    const disk = (await runChecks()).find((c) => c.id === 'disk')!;
    // The real free share of this machine's disk, under the limit of 50 %: warning, or critical under 25 %.
    expect(['warning', 'critical']).toContain(disk.status);
    expect(disk.summary).toMatch(
      new RegExp(`^Disk nearly full: .+ free of .+ \\(\\d+\\.\\d %\\) under ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(limit 50 % free\\)$`),
    );

    const expected = [
      `[SERVER ${disk.status.toUpperCase()}] Disk nearly full: N free of N (N %) under ${dataDir} (limit 50 % free)`,
      '[SERVER CRITICAL] Database large: N (limit N); check metric retention (docs/STORAGE.md)',
      `[SERVER WARNING] Backup old: the newest in ${backupDir} is 3 d old (limit 2 d)`,
    ];
    expect(subjects('admin@example.com').sort()).toEqual([...expected].sort());
    expect(subjects('anna@example.com').sort()).toEqual([...expected].sort());
    expect(smtp.to('piet@example.com')).toEqual([]); // technicians are not paged about the server
    const backupMail = smtp.to('admin@example.com').find((m) => m.subject.includes('Backup old'))!;
    expect(backupMail.text).toContain('You are told again when it changes or clears.');

    // A minute later nothing changed: nothing is sent again.
    clock.advance(MIN);
    await runChecks();
    expect(smtp.to('admin@example.com')).toHaveLength(3);

    // A fresh backup: the all-clear, to the same admins.
    writeFileSync(path.join(backupDir, 'quarkpulse-new.db'), 'backup');
    clock.advance(MIN);
    const after = await runChecks();
    expect(after.find((c) => c.id === 'backup')).toMatchObject({ status: 'ok' });
    expect(subjects('admin@example.com').at(-1)).toMatch(new RegExp(`^\\[SERVER OK\\] Backup: the newest in .+ is .+ old$`));
    expect(subjects('anna@example.com')).toHaveLength(4);

    // Each message is a delivery like any page: listed, with its purpose.
    const deliveries = (await api.get('/api/notifications?limit=100')).json as { purpose: string; kind: string }[];
    expect(deliveries.filter((d) => d.kind === 'server.failing' && d.purpose === 'page')).toHaveLength(6);
    expect(deliveries.filter((d) => d.kind === 'server.ok' && d.purpose === 'update')).toHaveLength(2);

    // Viewers and technicians cannot read it; admins see every verdict.
    const tech = new ApiClient(t.url);
    await tech.login('piet', 'piet-password-1');
    expect((await tech.get('/api/system/checks')).status).toBe(403);
    const listed = (await api.get('/api/system/checks')).json;
    expect(listed.isEnabled).toBe(true);
    expect(listed.checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`).sort()).toEqual(
      ['backup ok', `disk ${disk.status}`, 'database critical', 'deliveries ok', 'ingest ok', 'outbox ok'].sort(),
    );
  });

  it('notices an agent connected while nothing is stored, and its recovery', async () => {
    const dev = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01' });
    const agent = await startTestAgent(t.url, dev.deviceToken, { hostname: 'jansen-srv01' });
    agents.push(agent);
    await agent.report([{ name: 'cpu.loadPct', value: 12 }], clock.now());
    await runChecks();
    const before = smtp.mails.length;

    // Three minutes without a stored report while the agent stays connected (10 s interval).
    clock.advance(3 * MIN);
    const ingest = (await runChecks()).find((c) => c.id === 'ingest')!;
    expect(ingest).toMatchObject({ status: 'critical', summary: 'Reports not stored: 1 agent is connected but nothing was stored for 3 min (limit 2 min)' });
    expect(smtp.mails.slice(before).map((m) => m.subject)).toEqual([
      '[SERVER CRITICAL] Reports not stored: 1 agent is connected but nothing was stored for 3 min (limit 2 min)',
      '[SERVER CRITICAL] Reports not stored: 1 agent is connected but nothing was stored for 3 min (limit 2 min)',
    ]);

    await agent.report([{ name: 'cpu.loadPct', value: 14 }], clock.now());
    expect((await runChecks()).find((c) => c.id === 'ingest')).toMatchObject({ status: 'ok', summary: 'Reports are stored as they come' });
    expect(smtp.mails.slice(before + 2).map((m) => m.subject)).toEqual([
      '[SERVER OK] Reports are stored as they come',
      '[SERVER OK] Reports are stored as they come',
    ]);
  });

  it('refuses self-check settings that cannot work, saying what to fix', () => {
    const base = { QP_ADMIN_PASSWORD: 'selfcheck-admin-password-1' };
    expect(() => resolveServerSettings({}, { ...base, QP_DISK_MIN_FREE_PCT: '0' })).toThrow(
      'invalid setting diskMinFreePct: QP_DISK_MIN_FREE_PCT must be 1–50 %',
    );
    expect(() => resolveServerSettings({}, { ...base, QP_DISK_MIN_FREE_PCT: 'lots' })).toThrow('QP_DISK_MIN_FREE_PCT must be a percentage');
    expect(() => resolveServerSettings({}, { ...base, QP_DB_MAX_GB: '-1' })).toThrow('invalid setting databaseMaxGb: QP_DB_MAX_GB must be more than 0 GB');
    expect(() => resolveServerSettings({}, { ...base, QP_BACKUP_MAX_AGE_DAYS: '400' })).toThrow('QP_BACKUP_MAX_AGE_DAYS must be at most 365 days');
    expect(resolveServerSettings({}, { ...base, QP_BACKUP_DIR: '/backup' })).toMatchObject({
      backupDir: '/backup',
      backupMaxAgeDays: 2,
      databaseMaxGb: 20,
      diskMinFreePct: 10,
    });
  });
});
