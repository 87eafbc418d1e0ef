/**
 * The rule engine on a real SQLite file with a fake clock: reports are handed to it as ingest
 * would after a commit, and time is driven by the test (ticks for offline, `for` windows and
 * maintenance). Each test asserts the rows the engine committed.
 */
import { createAuditLog } from '../../server/audit/audit-log.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createClientStore, type ClientStore } from '../../server/store/clients.js';
import { createDeviceStore, type DeviceStore } from '../../server/store/devices.js';
import { createUserStore } from '../../server/store/users.js';
import { createAlerting, type Alerting } from '../../server/alerting/index.js';
import type { StoredReport } from '../../server/ingest/ingest.js';
import type { Sample } from '../../shared/protocol.js';
import { formatSeriesKey } from '../../shared/metrics.js';
import { FLAP_DAMPING } from '../../server/alerting/policy/condition.js';
import { MAINTENANCE_GRACE_MS } from '../../server/alerting/policy/routing.js';

const T0 = Date.parse('2025-07-01T10:00:00Z');

describe('rule engine', () => {
  let dir: string;
  let db: Db;
  let clients: ClientStore;
  let devices: DeviceStore;
  let alerting: Alerting;
  let nowMs: number;
  let seq: number;
  const clock = { now: () => nowMs };

  function build(): Alerting {
    const a = createAlerting({
      db,
      users: createUserStore(db),
      clients,
      devices,
      logger: pino({ level: 'silent' }),
      audit: createAuditLog({ db, now: clock.now }),
      now: clock.now,
      tickIntervalMs: 3_600_000,
    });
    a.engine.start();
    return a;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-engine-'));
    db = openDatabase(dir);
    clients = createClientStore(db);
    devices = createDeviceStore(db);
    nowMs = T0;
    seq = 0;
    alerting = build();
  });
  afterEach(() => {
    alerting.engine.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function device(contract: 'monthly' | 'break-fix', name: string = contract): { deviceId: string; clientId: string } {
    const client = clients.findByName(name) ?? clients.create({ name, contract, monthlyFee: 400, hourlyRate: 80, timezone: 'Europe/Amsterdam' }, nowMs);
    const { device: d } = devices.enroll({ clientId: client.id, hostname: `${name}-pc`, deviceToken: `tok-${Math.random()}` }, nowMs);
    return { deviceId: d.id, clientId: client.id };
  }

  const latest = new Map<string, Record<string, number>>();
  /** Hands one report to the engine as ingest would after committing it, at the current fake time. */
  function report(deviceId: string, metrics: Sample[]): void {
    const l = { ...(latest.get(deviceId) ?? {}) };
    for (const s of metrics) l[formatSeriesKey(s.name, s.labels)] = s.value;
    latest.set(deviceId, l);
    const stored: StoredReport = {
      deviceId,
      streamId: 'stream-test',
      report: { type: 'report', v: 1, seq: ++seq, tsMs: nowMs, metrics },
      receivedAtMs: nowMs,
      latest: l,
    };
    alerting.engine.onReportsCommitted([stored]);
  }
  const fs = (pct: number, mount = '/'): Sample => ({ name: 'fs.usedPct', labels: { mount }, value: pct });
  const cpu = (pct: number): Sample => ({ name: 'cpu.loadPct', value: pct });
  const advance = (ms: number) => (nowMs += ms);

  const alertRows = () =>
    db
      .prepare('SELECT id, state, rule_id, is_in_maintenance, is_notified, is_flapping, resolution, summary FROM alerts ORDER BY opened_at_ms, rowid')
      .all() as any[];
  const incidentRows = () => db.prepare('SELECT id, state, closure, snapshot_json, title FROM incidents ORDER BY opened_at_ms, rowid').all() as any[];
  const outboxKinds = () => (db.prepare('SELECT kind FROM outbox ORDER BY id').all() as { kind: string }[]).map((r) => r.kind);

  it('routes the same condition to an alert with a notification (monthly) and to an incident without one (break-fix)', () => {
    const monthly = device('monthly');
    const breakFix = device('break-fix');
    report(monthly.deviceId, [fs(50), cpu(10)]);
    report(breakFix.deviceId, [fs(50), cpu(10)]);
    advance(10_000);
    report(monthly.deviceId, [fs(95)]);
    report(breakFix.deviceId, [fs(95)]);
    expect(alertRows()).toMatchObject([{ state: 'firing', rule_id: 'default-filesystem-full', is_notified: 1, summary: '/ 95 % full' }]);
    expect(incidentRows()).toMatchObject([{ state: 'open', title: 'Filesystem almost full: / 95 % full' }]);
    expect(JSON.parse(incidentRows()[0].snapshot_json)).toEqual({ 'fs.usedPct{mount=/}': 95, 'cpu.loadPct': 10 });
    expect(outboxKinds()).toEqual(['alert.firing']);

    advance(10_000);
    report(monthly.deviceId, [fs(88)]); // in the hysteresis band: stays open
    report(breakFix.deviceId, [fs(88)]);
    expect(alertRows()[0].state).toBe('firing');
    advance(10_000);
    report(monthly.deviceId, [fs(60)]);
    report(breakFix.deviceId, [fs(60)]);
    expect(alertRows()).toMatchObject([{ state: 'resolved', resolution: 'cleared' }]);
    expect(incidentRows()).toMatchObject([{ state: 'closed', closure: 'cleared' }]);
    expect(outboxKinds()).toEqual(['alert.firing', 'alert.resolved']);
    const job = alerting.outbox.list()[0]!;
    expect(job).toMatchObject({ status: 'pending', attempts: 0, idempotencyKey: `alert.firing:${alertRows()[0].id}` });
    expect(job.payload).toMatchObject({ kind: 'alert.firing', hostname: 'monthly-pc', clientName: 'monthly', severity: 'critical', labels: { mount: '/' } });
  });

  it('keeps one open alert per (rule, device, labels)', () => {
    const { deviceId } = device('monthly');
    report(deviceId, [fs(95, '/'), fs(97, '/data')]);
    advance(10_000);
    report(deviceId, [fs(96, '/'), fs(98, '/data')]);
    expect(alertRows()).toHaveLength(2);
    expect(() =>
      db
        .prepare(
          `INSERT INTO alerts (id, rule_id, rule_name, rule_kind, severity, device_id, client_id, labels_json, state, summary, opened_at_ms)
        SELECT 'dup', rule_id, rule_name, rule_kind, severity, device_id, client_id, labels_json, 'firing', summary, 0 FROM alerts LIMIT 1`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });

  it('opens a `for` rule from the ticker once the window has passed with fresh breaching samples', () => {
    const { deviceId } = device('monthly');
    for (let i = 0; i < 29; i++) {
      report(deviceId, [cpu(97)]);
      advance(10_000);
      alerting.engine.tick();
    }
    // 290 s of breach: the 5-minute window is not over yet.
    expect(alertRows()).toHaveLength(0);
    report(deviceId, [cpu(97)]);
    advance(15_000);
    alerting.engine.tick(); // 305 s since the first breach, last sample 15 s old: still fresh
    expect(alertRows()).toMatchObject([{ rule_id: 'default-cpu-high', state: 'firing' }]);
  });

  it('opens an offline alert from the ticker and resolves it on the next report', () => {
    const { deviceId } = device('monthly');
    report(deviceId, [cpu(10)]); // default interval 10 s; offline after > 3 intervals
    advance(30_000);
    alerting.engine.tick();
    expect(alertRows()).toHaveLength(0);
    advance(1_000);
    alerting.engine.tick();
    expect(alertRows()).toMatchObject([{ rule_id: 'default-offline', state: 'firing', summary: 'Offline: no report for 31 s (one expected every 10 s)' }]);
    advance(60_000);
    alerting.engine.tick();
    expect(alertRows()).toHaveLength(1);
    report(deviceId, [cpu(10)]);
    expect(alertRows()).toMatchObject([{ state: 'resolved' }]);
    expect(outboxKinds()).toEqual(['alert.firing', 'alert.resolved']);
  });

  it('records alerts in maintenance without paging, and sends no "resolved" when they clear', () => {
    const { deviceId, clientId } = device('monthly');
    // Tuesday 2025-07-01 12:00–14:00 Amsterdam = 10:00–12:00 UTC.
    alerting.maintenanceService.create(
      { kind: 'recurring', name: 'Patch Tuesday', scope: { type: 'client', clientId }, daysOfWeek: ['tue'], startTime: '12:00', endTime: '14:00' },
      { id: 'u-admin', username: 'admin' },
    );
    report(deviceId, [fs(95)]);
    expect(alertRows()).toMatchObject([{ state: 'firing', is_in_maintenance: 1, is_notified: 0 }]);
    advance(60_000);
    report(deviceId, [fs(40)]);
    expect(alertRows()).toMatchObject([{ state: 'resolved' }]);
    expect(outboxKinds()).toEqual([]);
  });

  it('pages an alert that opened in maintenance only if it outlasts the window and its grace', () => {
    const { deviceId } = device('monthly');
    /** Reports every 10 s (so the device is not offline) and ticks, for `ms`. */
    const keepReporting = (ms: number, metrics: Sample[]) => {
      for (let t = 0; t < ms; t += 10_000) {
        advance(10_000);
        report(deviceId, metrics);
        alerting.engine.tick();
      }
    };
    alerting.maintenanceService.create(
      { kind: 'one-off', name: 'Server move', scope: { type: 'device', deviceId }, startsAtMs: T0 - 60_000, endsAtMs: T0 + 600_000 },
      { id: 'u-admin', username: 'admin' },
    );
    report(deviceId, [fs(95, '/'), fs(96, '/data')]);
    expect(alertRows().map((a) => a.is_notified)).toEqual([0, 0]);
    keepReporting(610_000, [fs(95, '/'), fs(96, '/data')]); // window over
    report(deviceId, [fs(95, '/'), fs(40, '/data')]); // /data recovered after the window, within the grace
    alerting.engine.tick();
    expect(outboxKinds()).toEqual([]);
    keepReporting(MAINTENANCE_GRACE_MS, [fs(95, '/')]);
    expect(alertRows().map((a) => [a.state, a.is_notified])).toEqual([
      ['firing', 1],
      ['resolved', 0],
    ]);
    expect(outboxKinds()).toEqual(['alert.firing']);
    alerting.engine.tick();
    expect(outboxKinds()).toEqual(['alert.firing']); // once
    report(deviceId, [fs(40, '/')]);
    expect(outboxKinds()).toEqual(['alert.firing', 'alert.resolved']);
  });

  it('applies a contract change to conditions that open after it', () => {
    const { deviceId, clientId } = device('monthly', 'Switcher');
    report(deviceId, [fs(95)]);
    expect(alertRows()).toHaveLength(1);
    clients.update(clientId, { contract: 'break-fix' });
    alerting.engine.refreshClient(clientId);
    advance(10_000);
    report(deviceId, [fs(96)]); // same condition, still the alert
    expect(incidentRows()).toHaveLength(0);
    report(deviceId, [fs(50)]);
    expect(alertRows()).toMatchObject([{ state: 'resolved' }]);
    expect(outboxKinds()).toEqual(['alert.firing', 'alert.resolved']);
    advance(10_000);
    report(deviceId, [fs(97)]); // a new condition: break-fix now
    expect(incidentRows()).toMatchObject([{ state: 'open' }]);
    expect(alertRows()).toHaveLength(1);
    expect(outboxKinds()).toHaveLength(2);
  });

  it('damps flapping: the third opening in the window is flagged and held open', () => {
    const { deviceId } = device('monthly');
    for (let i = 0; i < 10; i++) {
      report(deviceId, [fs(i % 2 === 0 ? 95 : 50)]);
      advance(10_000);
    }
    expect(alertRows().map((a) => [a.state, a.is_flapping])).toEqual([
      ['resolved', 0],
      ['resolved', 0],
      ['firing', 1],
    ]);
    for (let t = 0; t <= FLAP_DAMPING.holdMs; t += 60_000) {
      report(deviceId, [fs(50)]);
      advance(60_000);
    }
    expect(alertRows()[2].state).toBe('resolved');
  });

  it('does not fire again after a restart, and resolves what was open before it', () => {
    const { deviceId } = device('monthly');
    report(deviceId, [fs(95)]);
    alerting.engine.stop();
    alerting = build(); // a new engine over the same database
    advance(10_000);
    report(deviceId, [fs(96)]);
    expect(alertRows()).toHaveLength(1);
    report(deviceId, [fs(40)]);
    expect(alertRows()).toMatchObject([{ state: 'resolved' }]);
    expect(outboxKinds()).toEqual(['alert.firing', 'alert.resolved']);
  });

  it('closes conditions whose rule was disabled for the client', () => {
    const { deviceId, clientId } = device('break-fix');
    report(deviceId, [fs(95)]);
    expect(incidentRows()).toMatchObject([{ state: 'open' }]);
    alerting.ruleService.create(
      { overridesRuleId: 'default-filesystem-full', scope: { type: 'client', clientId }, isEnabled: false },
      { id: null, username: 'tech', role: 'technician' },
    );
    expect(incidentRows()).toMatchObject([{ state: 'closed', closure: 'rule-removed' }]);
    report(deviceId, [fs(99)]);
    expect(incidentRows()).toHaveLength(1);
  });

  it('keeps open conditions with the old client when a device moves, and closes those of rules that no longer apply', () => {
    const { deviceId, clientId } = device('monthly', 'Old owner');
    alerting.ruleService.create(
      { name: 'Old owner CPU', kind: 'threshold', metric: 'cpu.loadPct', op: 'above', threshold: 50, scope: { type: 'client', clientId } },
      { id: null, username: 'tech', role: 'technician' },
    );
    report(deviceId, [fs(95), cpu(70)]);
    expect(alertRows().map((a) => a.state)).toEqual(['firing', 'firing']);
    const newOwner = clients.create({ name: 'New owner', contract: 'break-fix' }, nowMs);
    devices.moveToClient(deviceId, newOwner.id);
    alerting.engine.refreshDevice(deviceId);
    const rows = () => db.prepare('SELECT rule_name, state, resolution, client_id FROM alerts ORDER BY rule_name').all();
    expect(rows()).toEqual([
      { rule_name: 'Filesystem almost full', state: 'firing', resolution: null, client_id: clientId },
      { rule_name: 'Old owner CPU', state: 'resolved', resolution: 'rule-removed', client_id: clientId },
    ]);
    advance(10_000);
    report(deviceId, [fs(40), cpu(70)]);
    expect((rows() as { state: string }[]).map((r) => r.state)).toEqual(['resolved', 'resolved']);
    advance(10_000);
    report(deviceId, [fs(96)]);
    expect(incidentRows()).toHaveLength(1); // the new owner is break-fix
  });

  it('uses a client override instead of the global rule', () => {
    const a = device('monthly', 'Strict');
    const b = device('monthly', 'Relaxed');
    alerting.ruleService.create(
      { overridesRuleId: 'default-filesystem-full', scope: { type: 'client', clientId: b.clientId }, threshold: 97, clearThreshold: 95 },
      { id: null, username: 'tech', role: 'technician' },
    );
    report(a.deviceId, [fs(96)]);
    report(b.deviceId, [fs(96)]);
    expect(alertRows()).toHaveLength(1);
    report(b.deviceId, [fs(98)]);
    expect(alertRows()).toHaveLength(2);
    expect((db.prepare('SELECT DISTINCT rule_id FROM alerts').all() as { rule_id: string }[]).map((r) => r.rule_id)).toEqual(['default-filesystem-full']);
  });

  it('leaves an alert resolved by hand alone until its condition clears and opens again', () => {
    const { deviceId } = device('monthly');
    report(deviceId, [fs(95)]);
    const [open] = alertRows();
    alerting.alertActions.resolve(open.id, { id: 'u1', username: 'anna' }, 'cleaned up /tmp');
    advance(10_000);
    report(deviceId, [fs(94)]); // still over the threshold: no second alert
    expect(alertRows()).toHaveLength(1);
    report(deviceId, [fs(40)]);
    advance(10_000);
    report(deviceId, [fs(95)]);
    expect(alertRows().map((a) => a.state)).toEqual(['resolved', 'firing']);
    expect(alerting.alerts.events(open.id).map((e) => [e.actor, e.action, e.detail])).toEqual([
      ['system', 'fired', '/ 95 % full (notification queued)'],
      ['anna', 'resolved', 'cleaned up /tmp'],
    ]);
  });

  it('forecasts a filling disk from the trend of its used bytes', () => {
    const { deviceId } = device('monthly');
    const GB = 1e9;
    for (let i = 0; i <= 12; i++) {
      report(deviceId, [
        { name: 'fs.sizeBytes', labels: { mount: '/' }, value: 100 * GB },
        { name: 'fs.usedBytes', labels: { mount: '/' }, value: (60 + i) * GB }, // 1 GB per 10 min
      ]);
      advance(10 * 60_000);
    }
    expect(alertRows()).toMatchObject([{ rule_id: 'default-filesystem-forecast', state: 'firing' }]);
    expect(alertRows()[0].summary).toBe('/ 67 % full, full in about 6 hours');
  });
});
