/**
 * The rule engine given several reports of one device in one commit, as ingest hands them under
 * load: what a breach earlier in a batch left (an open alert, a pending `for` window) must see the
 * later samples of the same batch, and every sample a rule reads counts as one evaluation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../server/audit/audit-log.js';
import { createAlerting, type Alerting } from '../../server/alerting/index.js';
import type { StoredReport } from '../../server/ingest/ingest.js';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';
import { createUserStore } from '../../server/store/users.js';
import { formatSeriesKey } from '../../shared/metrics.js';
import type { Sample } from '../../shared/protocol.js';

const T0 = Date.parse('2025-07-01T10:00:00Z');
const MIN = 60_000;

describe('rule engine, several reports of a device per commit', () => {
  let dir: string;
  let db: Db;
  let alerting: Alerting;
  let nowMs: number;
  let seq: number;
  let deviceId: string;
  const latest: Record<string, number> = {};

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-engine-batch-'));
    db = openDatabase(dir);
    const clients = createClientStore(db);
    const devices = createDeviceStore(db);
    nowMs = T0;
    seq = 0;
    alerting = createAlerting({
      db,
      users: createUserStore(db),
      clients,
      devices,
      logger: pino({ level: 'silent' }),
      audit: createAuditLog({ db, now: () => nowMs }),
      now: () => nowMs,
      tickIntervalMs: 3_600_000,
    });
    alerting.engine.start();
    const client = clients.create({ name: 'Batch', contract: 'monthly', monthlyFee: 400, hourlyRate: 80, timezone: 'Europe/Amsterdam' }, nowMs);
    deviceId = devices.enroll({ clientId: client.id, hostname: 'batch-pc', deviceToken: `tok-${Math.random()}` }, nowMs).device.id;
  });
  afterEach(() => {
    alerting.engine.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One stored report 10 s after the previous one, as ingest builds it. */
  function stored(metrics: Sample[]): StoredReport {
    nowMs += 10_000;
    for (const s of metrics) latest[formatSeriesKey(s.name, s.labels)] = s.value;
    return {
      deviceId,
      streamId: 'stream-batch',
      report: { type: 'report', v: 1, seq: ++seq, tsMs: nowMs, metrics },
      receivedAtMs: nowMs,
      latest: { ...latest },
    };
  }
  const fs = (pct: number): Sample => ({ name: 'fs.usedPct', labels: { mount: '/' }, value: pct });
  const cpu = (pct: number): Sample => ({ name: 'cpu.loadPct', value: pct });
  const alertRows = () => db.prepare('SELECT rule_id, state, resolution FROM alerts ORDER BY opened_at_ms, rowid').all();

  it('closes in the same commit what a breach earlier in it opened, and opens it again', () => {
    alerting.engine.onReportsCommitted([stored([fs(50)]), stored([fs(95)]), stored([fs(60)]), stored([fs(60)]), stored([fs(96)])]);
    expect(alertRows()).toEqual([
      { rule_id: 'default-filesystem-full', state: 'resolved', resolution: 'cleared' },
      { rule_id: 'default-filesystem-full', state: 'firing', resolution: null },
    ]);
  });

  it('breaks a `for` window with a healthy sample in the same commit as the breach that began it', () => {
    // CPU above 90 % for 5 min: the breach starts the window, the healthy sample after it breaks it.
    alerting.engine.onReportsCommitted([stored([cpu(95)]), stored([cpu(10)])]);
    nowMs += 5 * MIN;
    // A new window begins here: 5 min after the first breach, but no breach before this one counts.
    alerting.engine.onReportsCommitted([stored([cpu(95)])]);
    expect(alertRows()).toEqual([]);
    nowMs += 5 * MIN;
    alerting.engine.onReportsCommitted([stored([cpu(95)])]);
    expect(alertRows()).toEqual([{ rule_id: 'default-cpu-high', state: 'firing', resolution: null }]);
  });

  it('counts every sample a rule reads as an evaluation, skipped or not', () => {
    const before = alerting.engine.stats().evaluations;
    // fs.usedPct: the filesystem-full rule; cpu.loadPct: the CPU rule; mem.usedPct: the memory rule.
    alerting.engine.onReportsCommitted([stored([fs(10), cpu(10), { name: 'mem.usedPct', value: 10 }, { name: 'load.avg1', value: 1 }])]);
    expect(alerting.engine.stats().evaluations - before).toBe(3);
  });
});
