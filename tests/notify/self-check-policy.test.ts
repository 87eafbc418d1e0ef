/** The server's own health facts and what they mean, table by table (server/notify/self-check-policy.ts). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_CHECK_LIMITS, evaluateSelfChecks, shouldNotify, type SelfCheckFacts } from '../../server/notify/self-check-policy.js';

const NOW = Date.UTC(2026, 11, 4, 3, 0, 0);
const MIN = 60_000;
const GB = 1e9;
const healthy: SelfCheckFacts = {
  nowMs: NOW,
  startedAtMs: NOW - 60 * MIN,
  oldestPendingOutboxMs: null,
  oldestRetryingDeliveryMs: null,
  deadLastHour: 0,
  connectedAgents: 40,
  shortestIntervalMs: 10_000,
  lastIngestCommitMs: NOW - 2_000,
  disk: { path: '/var/lib/quarkpulse', freeBytes: 60 * GB, totalBytes: 100 * GB },
  databaseBytes: 3 * GB,
  backup: null,
};
const check = (facts: Partial<SelfCheckFacts>, id: string) => evaluateSelfChecks({ ...healthy, ...facts }).find((c) => c.id === id);

describe('evaluateSelfChecks', () => {
  it('is all ok for a healthy server, without a backup check when no directory is configured', () => {
    const all = evaluateSelfChecks(healthy);
    expect(all.map((c) => `${c.id} ${c.status}`)).toEqual(['outbox ok', 'deliveries ok', 'ingest ok', 'disk ok', 'database ok']);
    expect(all.find((c) => c.id === 'disk')!.summary).toBe('Disk: 60 GB free of 100 GB (60.0 %) under /var/lib/quarkpulse');
  });

  it.each([
    ['outbox: a job waiting 1 min is normal', { oldestPendingOutboxMs: NOW - MIN }, 'outbox', 'ok', 'Notifications are dispatched as they come'],
    [
      'outbox: waiting 3 min is stuck',
      { oldestPendingOutboxMs: NOW - 3 * MIN },
      'outbox',
      'warning',
      'Notifications stuck: the oldest alert notification has waited 3 min to be dispatched (limit 2 min)',
    ],
    ['outbox: waiting 11 min is critical', { oldestPendingOutboxMs: NOW - 11 * MIN }, 'outbox', 'critical', undefined],
    ['deliveries: one retried for 5 min is still trying', { oldestRetryingDeliveryMs: NOW - 5 * MIN }, 'deliveries', 'ok', undefined],
    [
      'deliveries: retried for 20 min is failing',
      { oldestRetryingDeliveryMs: NOW - 20 * MIN },
      'deliveries',
      'critical',
      'Messages failing: one has been retried for 20 min without reaching its receiver (limit 15 min); see the Notifications page',
    ],
    [
      'deliveries: two given up in the last hour',
      { deadLastHour: 2 },
      'deliveries',
      'warning',
      '2 messages were given up in the last hour; see the Notifications page',
    ],
    [
      'ingest: agents connected, nothing stored for 3 min',
      { lastIngestCommitMs: NOW - 3 * MIN },
      'ingest',
      'critical',
      'Reports not stored: 40 agents are connected but nothing was stored for 3 min (limit 2 min)',
    ],
    ['ingest: nothing stored, but no agent connected', { lastIngestCommitMs: NOW - 3 * MIN, connectedAgents: 0 }, 'ingest', 'ok', 'No agent connected'],
    [
      'ingest: agents on a 10 min interval owe nothing for 30 min',
      { lastIngestCommitMs: NOW - 20 * MIN, shortestIntervalMs: 10 * MIN },
      'ingest',
      'ok',
      undefined,
    ],
    ['ingest: just started, nothing stored yet', { lastIngestCommitMs: null, startedAtMs: NOW - MIN }, 'ingest', 'ok', undefined],
    ['ingest: started 5 min ago and nothing stored since', { lastIngestCommitMs: null, startedAtMs: NOW - 5 * MIN }, 'ingest', 'critical', undefined],
    [
      'disk: 8 % free is nearly full',
      { disk: { path: '/data', freeBytes: 8 * GB, totalBytes: 100 * GB } },
      'disk',
      'warning',
      'Disk nearly full: 8 GB free of 100 GB (8.0 %) under /data (limit 10 % free)',
    ],
    ['disk: 4 % free is critical', { disk: { path: '/data', freeBytes: 4 * GB, totalBytes: 100 * GB } }, 'disk', 'critical', undefined],
    [
      'database: 25 GB over 20',
      { databaseBytes: 25 * GB },
      'database',
      'warning',
      'Database large: 25 GB (limit 20 GB); check metric retention (docs/STORAGE.md)',
    ],
    ['database: 31 GB is critical', { databaseBytes: 31 * GB }, 'database', 'critical', undefined],
    ['backup: a day old is fine', { backup: { dir: '/backup', newestMs: NOW - 24 * 60 * MIN } }, 'backup', 'ok', 'Backup: the newest in /backup is 1 d old'],
    [
      'backup: three days old',
      { backup: { dir: '/backup', newestMs: NOW - 72 * 60 * MIN } },
      'backup',
      'warning',
      'Backup old: the newest in /backup is 3 d old (limit 2 d)',
    ],
    ['backup: five days old is critical', { backup: { dir: '/backup', newestMs: NOW - 120 * 60 * MIN } }, 'backup', 'critical', undefined],
    ['backup: none in the directory', { backup: { dir: '/backup', newestMs: null } }, 'backup', 'critical', 'No backup: nothing found in /backup (limit 2 d)'],
  ] as const)('%s', (_name, facts, id, status, summary) => {
    const c = check(facts as Partial<SelfCheckFacts>, id)!;
    expect(c.status).toBe(status);
    if (summary) expect(c.summary).toBe(summary);
  });

  it('names the free pages of the database file, and the one-time vacuum when the file cannot give them back', () => {
    expect(check({ databasePages: { freeFraction: 0.004, canReclaim: true } }, 'database')!.summary).toBe(
      'Database: 3 GB (limit 20 GB), 0.4 % of it free pages',
    );
    const old = check({ databasePages: { freeFraction: 0.62, canReclaim: false } }, 'database')!;
    expect([old.status, old.summary]).toEqual([
      'ok',
      'Database: 3 GB (limit 20 GB), 62 % of it free pages; stop the server and run `quarkpulse db vacuum` to give them back',
    ]);
    expect(check({ databaseBytes: 25 * GB, databasePages: { freeFraction: 0.62, canReclaim: false } }, 'database')!.summary).toBe(
      'Database large: 25 GB (limit 20 GB), 62 % of it free pages; stop the server and run `quarkpulse db vacuum` to give them back; check metric retention (docs/STORAGE.md)',
    );
    expect(check({ databaseBytes: 25 * GB, databasePages: { freeFraction: 0.3, canReclaim: true } }, 'database')!.summary).toBe(
      'Database large: 25 GB (limit 20 GB); check metric retention (docs/STORAGE.md)',
    );
  });

  it('takes its limits from the caller', () => {
    expect(
      evaluateSelfChecks({ ...healthy, databaseBytes: 2 * GB }, { ...DEFAULT_SELF_CHECK_LIMITS, databaseMaxBytes: GB }).find((c) => c.id === 'database')!
        .status,
    ).toBe('critical');
  });
});

describe('shouldNotify', () => {
  it.each([
    [undefined, 'ok', false],
    [undefined, 'warning', true],
    [undefined, 'critical', true],
    ['ok', 'ok', false],
    ['ok', 'warning', true],
    ['warning', 'warning', false],
    ['warning', 'critical', true],
    ['critical', 'warning', true],
    ['critical', 'ok', true],
  ] as const)('told %s, now %s: %s', (before, after, expected) => {
    expect(shouldNotify(before, after)).toBe(expected);
  });
});
