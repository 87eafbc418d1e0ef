/**
 * The rule engine: thin glue around the pure policy and routing. It keeps one condition state per
 * (rule family, device, labels) in memory, feeds it every committed report (streaming, no
 * polling of the database) and a ticker for time-based conditions, and persists only transitions,
 * one transaction per batch, through the effect writer. Open alerts and incidents are read back
 * at start, so a restart does not fire again what is already open.
 *
 *   committed reports ─┐                                  ┌─▶ alerts / incidents / outbox (1 tx)
 *   ticker (offline,   ├─▶ evaluate (policy) ─▶ route ────┤
 *   for, clear-hold,   │     per matching rule            └─▶ states updated after the commit
 *   after-maintenance)─┘
 */
import type { Logger } from 'pino';
import type { EffectiveRule, Rule, Severity } from '../../../shared/alert-types.js';
import { oneLabelJsonOf, seriesKeyOf } from '../../../shared/metrics.js';
import type { StoredReport } from '../../ingest/ingest.js';
import type { Db } from '../../store/database.js';
import type { ClientStore } from '../../store/clients.js';
import type { DeviceStore } from '../../store/devices.js';
import type { RuleStore } from '../../store/rules.js';
import type { AlertStore } from '../../store/alerts.js';
import type { IncidentStore } from '../../store/incidents.js';
import type { MaintenanceStore } from '../../store/maintenance.js';
import type { OutboxStore } from '../../store/outbox.js';
import { canonicalLabels } from '../../series/index.js';
import { generateId } from '../../lib/secrets.js';
import { INITIAL_CONDITION, isIdleCondition } from '../policy/condition.js';
import { evaluate, type PolicyInput, type PolicyState } from '../policy/policy.js';
import { routeOpened, shouldPageAfterMaintenance, MAINTENANCE_GRACE_MS } from '../policy/routing.js';
import { labelsMatch } from '../policy/rule-index.js';
import { createEngineCache, type DeviceInfo } from './engine-cache.js';
import { createListeners } from '../../lib/listeners.js';
import { createEffectWriter, type Effect, type EngineChange } from './engine-writer.js';

export type { EngineChange } from './engine-writer.js';

/** What the engine is built from. */
export interface RuleEngineOptions {
  db: Db;
  rules: RuleStore;
  alerts: AlertStore;
  incidents: IncidentStore;
  maintenance: MaintenanceStore;
  outbox: OutboxStore;
  clients: ClientStore;
  devices: DeviceStore;
  logger: Logger;
  now: () => number;
  /** How often time-based conditions are checked, ms (default 5 s). */
  tickIntervalMs?: number;
}

/** The alert or incident an open condition is recorded as. */
interface RecordRef {
  target: 'alert' | 'incident';
  id: string;
}

interface Entry {
  familyId: string;
  deviceId: string;
  labelsJson: string;
  policy: PolicyState;
  record: RecordRef | null;
}

/** Changes decided in one batch, applied to memory only after their commit. */
interface Batch {
  entries: Map<string, Entry | null>;
  effects: Effect[];
  /** Alerts opened in maintenance without paging: alert id → condition key. */
  held: Map<string, HeldAlert>;
}

/** An alert that opened in maintenance and was not paged; it pages if it outlasts the window. */
interface HeldAlert {
  key: string;
  severity: Severity;
}

const keyOf = (familyId: string, deviceId: string, labelsJson: string) => `${familyId}\u0000${deviceId}\u0000${labelsJson}`;

/** Creates the engine; call start() once the stores are ready and stop() before closing the db. */
export function createRuleEngine(opts: RuleEngineOptions) {
  const { logger } = opts;
  const writer = createEffectWriter(opts);
  const fleet = createEngineCache(opts);
  const entries = new Map<string, Entry>();
  /** Keys of entries whose phase is pending or clearing: the ones a tick can move. */
  const timed = new Set<string>();
  const held = new Map<string, HeldAlert>();
  const changeListeners = createListeners<[EngineChange[]]>((err) => logger.error({ err }, 'rule engine listener failed'));
  // Which rules apply changed: for every device (undefined) or one that moved to another client.
  const ruleSetListeners = createListeners<[string | undefined]>((err) => logger.error({ err }, 'rule engine listener failed'));
  let ticker: NodeJS.Timeout | undefined;
  const stats = { evaluations: 0, transitions: 0, batches: 0, failedBatches: 0 };

  function newBatch(): Batch {
    return { entries: new Map(), effects: [], held: new Map() };
  }

  function currentEntry(batch: Batch, key: string): Entry | undefined {
    const pending = batch.entries.get(key);
    return pending === null ? undefined : (pending ?? entries.get(key));
  }

  /** Evaluates one input for one condition and records what follows in the batch. */
  function step(
    batch: Batch,
    rule: Rule,
    familyId: string,
    d: DeviceInfo,
    labelsJson: string,
    labels: Record<string, string>,
    input: PolicyInput,
    nowMs: number,
  ): void {
    const key = keyOf(familyId, d.id, labelsJson);
    const before = currentEntry(batch, key);
    stats.evaluations++;
    const result = evaluate(before?.policy ?? { condition: INITIAL_CONDITION, labels, lastValue: null }, input, rule, nowMs);
    let record = before?.record ?? null;
    for (const ev of result.events) {
      stats.transitions++;
      if (ev.type === 'opened') {
        const route = routeOpened({ contract: fleet.client(d.clientId).contract, severity: rule.severity, isInMaintenance: fleet.isInMaintenance(d, ev.atMs) });
        const id = generateId();
        batch.effects.push({
          type: 'open',
          key,
          id,
          route,
          ruleId: familyId,
          ruleName: rule.name,
          ruleKind: rule.kind,
          severity: rule.severity,
          deviceId: d.id,
          clientId: d.clientId,
          labelsJson,
          summary: ev.summary,
          value: ev.value,
          isFlapping: ev.isFlapping,
          atMs: ev.atMs,
          snapshot: route.target === 'incident' ? (d.latest ?? opts.devices.findById(d.id)?.latest ?? {}) : {},
        });
        if (route.target === 'alert' && route.isInMaintenance && rule.severity !== 'info') batch.held.set(id, { key, severity: rule.severity });
        record = { target: route.target, id };
      } else if (record) {
        batch.effects.push({ type: 'close', key, target: record.target, id: record.id, atMs: ev.atMs, summary: ev.summary, resolution: 'cleared' });
        record = null;
      }
    }
    const isIdle = record === null && !result.state.trend && isIdleCondition(result.state.condition, nowMs);
    if (isIdle) {
      if (before) batch.entries.set(key, null);
    } else if (!before || result.state !== before.policy || record !== before.record) {
      batch.entries.set(key, { familyId, deviceId: d.id, labelsJson, policy: result.state, record });
    }
  }

  function commit(batch: Batch): void {
    if (batch.effects.length === 0 && batch.entries.size === 0) return;
    let outcome: ReturnType<typeof writer.write>;
    try {
      outcome = writer.write(batch.effects);
    } catch (err) {
      stats.failedBatches++;
      logger.error({ err, effects: batch.effects.length }, 'rule evaluation batch could not be written; states kept as before');
      return;
    }
    stats.batches++;
    for (const [key, e] of batch.entries) {
      if (outcome.failedKeys.has(key)) continue;
      if (e === null) {
        entries.delete(key);
        timed.delete(key);
        continue;
      }
      entries.set(key, e);
      if (e.policy.condition.phase === 'pending' || e.policy.condition.phase === 'clearing') timed.add(key);
      else timed.delete(key);
    }
    for (const [id, h] of batch.held) if (!outcome.failedKeys.has(h.key)) held.set(id, h);
    for (const e of batch.effects) if (e.type !== 'open') held.delete(e.id);
    if (outcome.changes.length > 0) changeListeners.emit(outcome.changes);
  }

  /** Closes open conditions whose rule no longer applies to their device (rule or device changed). */
  function reconcile(batch: Batch, onlyDeviceId?: string): void {
    const nowMs = opts.now();
    for (const [key, e] of entries) {
      if (onlyDeviceId !== undefined && e.deviceId !== onlyDeviceId) continue;
      const d = fleet.device(e.deviceId);
      const effective = d ? fleet.rulesFor(d).all.find((x) => x.familyId === e.familyId) : undefined;
      const stillApplies = effective && (effective.rule.kind === 'offline' || labelsMatch(effective.rule.labels, e.policy.labels));
      if (stillApplies) continue;
      if (e.record)
        batch.effects.push({
          type: 'close',
          key,
          target: e.record.target,
          id: e.record.id,
          atMs: nowMs,
          summary: 'rule no longer applies',
          resolution: 'rule-removed',
        });
      batch.entries.set(key, null);
    }
  }

  /** Re-creates states for what is open in the database. */
  function rebuild(nowMs: number): void {
    const restore = (familyId: string, deviceId: string, labelsJson: string, openedAtMs: number, record: RecordRef) => {
      const condition = { ...INITIAL_CONDITION, phase: 'firing' as const, openedAtMs, recentOpensMs: [openedAtMs] };
      const labels = JSON.parse(labelsJson) as Record<string, string>;
      entries.set(keyOf(familyId, deviceId, labelsJson), { familyId, deviceId, labelsJson, policy: { condition, labels, lastValue: null }, record });
    };
    for (const a of opts.alerts.listOpen()) {
      restore(a.ruleId, a.deviceId, a.labelsJson, a.openedAtMs, { target: 'alert', id: a.id });
      if (a.state === 'firing' && a.isInMaintenance && !a.isNotified && a.severity !== 'info')
        held.set(a.id, { key: keyOf(a.ruleId, a.deviceId, a.labelsJson), severity: a.severity });
    }
    for (const i of opts.incidents.listOpenFromRules()) restore(i.ruleId, i.deviceId, i.labelsJson, i.openedAtMs, { target: 'incident', id: i.id });
    fleet.loadDevices(nowMs);
  }

  function evaluateReports(stored: readonly StoredReport[]): void {
    const batch = newBatch();
    for (const s of stored) {
      const d = fleet.device(s.deviceId);
      if (!d) continue;
      const nowMs = s.receivedAtMs;
      d.lastReportAtMs = Math.max(d.lastReportAtMs ?? 0, nowMs);
      d.latest = s.latest;
      const idx = fleet.rulesFor(d);
      for (const { familyId, rule } of idx.offline) {
        const key = keyOf(familyId, d.id, '{}');
        if (currentEntry(batch, key)) step(batch, rule, familyId, d, '{}', {}, { type: 'report' }, nowMs);
      }
      for (const sample of s.report.metrics) evaluateSample(batch, d, idx, sample, s.report.tsMs, s.latest, nowMs);
    }
    commit(batch);
  }

  /** One sample against the rules of its metric (and labels). */
  function evaluateSample(
    batch: ReturnType<typeof newBatch>,
    d: NonNullable<ReturnType<typeof fleet.device>>,
    idx: ReturnType<typeof fleet.rulesFor>,
    sample: { name: string; labels?: Record<string, string>; value: number },
    tsMs: number,
    latest: Record<string, number>,
    nowMs: number,
  ): void {
    const matching = idx.byMetric.get(sample.name);
    if (!matching) return;
    const labels = sample.labels ?? {};
    const labelsJson = oneLabelJsonOf(sample.name, sample.labels) ?? canonicalLabels(sample.labels);
    for (const { familyId, rule } of matching) {
      if (rule.kind === 'offline' || !labelsMatch(rule.labels, labels)) continue;
      const capacity = rule.kind === 'forecast' && rule.metric === 'fs.usedBytes' ? (latest[seriesKeyOf('fs.sizeBytes', sample.labels)] ?? null) : null;
      step(batch, rule, familyId, d, labelsJson, labels, { type: 'sample', value: sample.value, tsMs, labels, capacity }, nowMs);
    }
  }

  function tick(): void {
    const nowMs = opts.now();
    const batch = newBatch();
    for (const d of fleet.allDevices()) {
      // Probed devices have no offline rule of their own (engine-cache.ts, DeviceInfo.probeDeviceId).
      if (d.lastReportAtMs === null || d.isDisabled || d.probeDeviceId !== null) continue;
      const silentMs = nowMs - d.lastReportAtMs;
      for (const { familyId, rule } of fleet.rulesFor(d).offline) {
        if (rule.kind !== 'offline') continue;
        const key = keyOf(familyId, d.id, '{}');
        if (silentMs > rule.missedIntervals * d.intervalMs || entries.has(key)) {
          step(batch, rule, familyId, d, '{}', {}, { type: 'tick', intervalMs: d.intervalMs, silentMs }, nowMs);
        }
      }
    }
    for (const key of timed) {
      const e = entries.get(key);
      const d = e && fleet.device(e.deviceId);
      const effective = d && fleet.rulesFor(d).all.find((x) => x.familyId === e.familyId);
      if (!e || !d || !effective || effective.rule.kind === 'offline') continue;
      step(batch, effective.rule, e.familyId, d, e.labelsJson, e.policy.labels, { type: 'tick', intervalMs: d.intervalMs }, nowMs);
    }
    for (const [alertId, { key, severity }] of held) {
      const e = entries.get(key);
      const d = e && fleet.device(e.deviceId);
      if (!e || !d || e.record?.id !== alertId) {
        held.delete(alertId);
        continue;
      }
      // Only firing, unnotified alerts are held; the writer re-checks both against the stored row
      // (someone may have acknowledged it meanwhile).
      const page = shouldPageAfterMaintenance({
        state: 'firing',
        severity,
        wasNotified: false,
        isInMaintenanceNow: fleet.isInMaintenance(d, nowMs),
        wasInMaintenanceGraceAgo: fleet.isInMaintenance(d, nowMs - MAINTENANCE_GRACE_MS),
      });
      if (page) batch.effects.push({ type: 'page', key, id: alertId, atMs: nowMs });
    }
    commit(batch);
  }

  return {
    /** Loads rules, maintenance windows and open conditions, and starts the ticker. */
    start(): void {
      fleet.loadRules();
      fleet.loadMaintenance();
      rebuild(opts.now());
      const batch = newBatch();
      reconcile(batch);
      commit(batch);
      ticker = setInterval(() => {
        try {
          tick();
        } catch (err) {
          logger.error({ err }, 'rule tick failed');
        }
      }, opts.tickIntervalMs ?? 5_000);
      ticker.unref();
    },
    /** Stops the ticker. */
    stop(): void {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
    },
    /** Evaluates stored reports; wire to ingest's onCommitted. */
    onReportsCommitted(stored: readonly StoredReport[]): void {
      evaluateReports(stored);
    },
    /**
     * Samples the server itself measured for a device (maintenance.failed from job results):
     * rules evaluate them as reported ones, without touching the device's latest values.
     */
    onServerSamples(deviceId: string, samples: readonly { name: string; labels?: Record<string, string>; value: number }[]): void {
      const d = fleet.device(deviceId);
      if (!d) return;
      const nowMs = opts.now();
      const batch = newBatch();
      const idx = fleet.rulesFor(d);
      for (const sample of samples) evaluateSample(batch, d, idx, sample, nowMs, d.latest ?? {}, nowMs);
      commit(batch);
    },
    /** Refreshes a device's interval and status when its agent connects (after hello). */
    onPresence(deviceId: string, isConnected: boolean): void {
      if (!isConnected) return;
      fleet.refreshDevice(deviceId);
    },
    /** Checks offline devices, `for` windows, clear holds and held pages now. */
    tick,
    /** Re-reads the rules after a change and closes conditions whose rule no longer applies. */
    reloadRules(): void {
      fleet.loadRules();
      const batch = newBatch();
      reconcile(batch);
      commit(batch);
      ruleSetListeners.emit(undefined);
    },
    /** Re-reads maintenance windows after a change. */
    reloadMaintenance(): void {
      fleet.loadMaintenance();
    },
    /** Forgets cached client facts (contract, time zone); the next condition to open reads them again. */
    refreshClient(clientId: string): void {
      fleet.forgetClient(clientId);
    },
    /** Re-reads a device after it moved to another client, and reconciles its conditions. */
    refreshDevice(deviceId: string): void {
      fleet.refreshDevice(deviceId);
      const batch = newBatch();
      reconcile(batch, deviceId);
      commit(batch);
      ruleSetListeners.emit(deviceId);
    },
    /** The rules that apply to a device now (from the engine's cache); [] for an unknown device. */
    effectiveRulesFor(deviceId: string): readonly EffectiveRule[] {
      return fleet.effectiveRulesOf(deviceId);
    },
    /**
     * Subscribes to changes of which rules apply: after a rule change (deviceId undefined: any
     * device may be affected) or after a device moved (its id). Returns the unsubscribe function.
     */
    onRuleSetChanged: (listener: (deviceId: string | undefined) => void) => ruleSetListeners.add(listener),
    /** Subscribes to committed changes; returns the unsubscribe function. */
    onChanges: (listener: (changes: EngineChange[]) => void) => changeListeners.add(listener),
    /** Figures for /metrics and tests. */
    stats() {
      return { ...stats, conditions: entries.size, openConditions: [...entries.values()].filter((e) => e.record).length, held: held.size };
    },
  };
}
export type RuleEngine = ReturnType<typeof createRuleEngine>;
