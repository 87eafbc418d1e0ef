/**
 * The watch (config.watch, docs/PROTOCOL.md §4.6.3): between reports the agent samples only the
 * metrics the server's thresholds name, once per second, and sends a report at once when a value
 * crosses to the other side of a threshold than the server last saw: beyond `threshold` after the
 * server saw it clear, or back to `clearThreshold` after the server saw it beyond. The early
 * report is an ordinary report (next seq, spooled, acknowledged) carrying the watched samples.
 *
 *   per series     sample               server last saw   → action
 *   ────────────── ──────────────────── ───────────────── ─────────────────────────────────────
 *   (metric,       beyond threshold     clear or nothing  → early report (if the rate allows)
 *    labels,       at/within clear      beyond            → early report (if the rate allows)
 *    threshold)    between the two      —                 → nothing (hysteresis band)
 *                  anything             the same side     → nothing
 *
 * "Server last saw" is set from every report sent (regular or early) by noteReported, so a
 * crossing the regular report already carried is not sent twice. A crossing held back by the rate
 * limit (WATCH_LIMITS: one early report per second, ten per minute) goes out at the first tick the
 * limit allows, if it still stands, or with the regular report. Nothing is watched — no timer, no
 * reads — while the list is empty, which is what an older server (no `watch`) means.
 *
 * No zod on the agent: the list is checked by hand here (watchConfigProblem) against
 * shared/protocol.ts watchConfigSchema; tests/agent/wire.test.ts holds the two to the same verdicts.
 */
import type { Logger } from 'pino';
import { MAX_WATCH_THRESHOLDS, WATCHABLE_METRICS, WATCH_INVALID, WATCH_LIMITS } from '../shared/protocol-constants.js';
import type { Sample, WatchThreshold } from '../shared/protocol.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why a `config.watch` value is unusable, naming the field, or undefined when it is fine. */
export function watchConfigProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return 'watch: must be an object { thresholds: [...] }';
  const list = raw.thresholds;
  if (!Array.isArray(list)) return 'watch.thresholds: must be a list';
  if (list.length > MAX_WATCH_THRESHOLDS) return `watch.thresholds: at most ${MAX_WATCH_THRESHOLDS} thresholds, got ${list.length}`;
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    const at = `watch.thresholds.${i}`;
    if (!isObject(t)) return `${at}: must be an object`;
    if (!(WATCHABLE_METRICS as readonly unknown[]).includes(t.metric)) return `${at}.metric: must be one of ${WATCHABLE_METRICS.join(', ')}`;
    if (t.labels !== undefined) {
      if (!isObject(t.labels)) return `${at}.labels: must map label names to values`;
      for (const [k, v] of Object.entries(t.labels)) {
        if (k.length < 1 || k.length > 40) return `${at}.labels: label names must be 1–40 characters`;
        if (typeof v !== 'string' || v.length < 1 || v.length > 200) return `${at}.labels.${k}: must be a string of 1–200 characters`;
      }
    }
    if (t.op !== 'above' && t.op !== 'below') return `${at}.op: must be "above" or "below"`;
    if (!isFiniteNumber(t.threshold)) return `${at}.threshold: must be a finite number`;
    if (!isFiniteNumber(t.clearThreshold)) return `${at}.clearThreshold: must be a finite number`;
    if (t.op === 'above' ? t.clearThreshold > t.threshold : t.clearThreshold < t.threshold) {
      return `${at}.clearThreshold: must be on the clear side of threshold (≤ for above, ≥ for below)`;
    }
  }
  return undefined;
}

/** A checked list copied into plain objects (only the known fields). */
function pickThresholds(raw: Obj): WatchThreshold[] {
  return (raw.thresholds as Obj[]).map((t) => ({
    metric: t.metric as WatchThreshold['metric'],
    ...(t.labels !== undefined ? { labels: { ...(t.labels as Record<string, string>) } } : {}),
    op: t.op as 'above' | 'below',
    threshold: t.threshold as number,
    clearThreshold: t.clearThreshold as number,
  }));
}

/** Which side of a threshold a value is on; undefined in the hysteresis band (no news). */
export function sideOf(t: WatchThreshold, value: number): 'beyond' | 'clear' | undefined {
  if (t.op === 'above') return value > t.threshold ? 'beyond' : value <= t.clearThreshold ? 'clear' : undefined;
  return value < t.threshold ? 'beyond' : value >= t.clearThreshold ? 'clear' : undefined;
}

function matches(t: WatchThreshold, s: Sample): boolean {
  if (s.name !== t.metric) return false;
  for (const key in t.labels ?? {}) if (s.labels?.[key] !== t.labels![key]) return false;
  return true;
}

function seriesKey(s: Sample): string {
  if (!s.labels) return s.name;
  return `${s.name}${JSON.stringify(
    Object.keys(s.labels)
      .sort()
      .map((k) => [k, s.labels![k]]),
  )}`;
}

/** What createWatcher needs; times in ms. */
export interface WatcherOptions {
  readonly logger: Logger;
  /** Reads the current values of these metrics (the collectors' watch(), agent/collect.ts). */
  readonly read: (metrics: ReadonlySet<string>) => Promise<Sample[]>;
  /** Sends an early report with these samples (spooled, next seq, like any report). */
  readonly report: (samples: Sample[]) => void;
  /** Whether an early report can reach the server now (connected); ticks do nothing otherwise. */
  readonly isActive?: () => boolean;
  readonly tickMs?: number;
  readonly minGapMs?: number;
  readonly maxPerMinute?: number;
  /** Monotonic clock; injectable for tests of the rate limit. */
  readonly nowMs?: () => number;
  /** Start the 1 s timer when there is something to watch (default true; tests drive tick()). */
  readonly isTimerEnabled?: boolean;
}

/** Figures of the watch (tests, benchmarks, the agent's log). */
export interface WatchStats {
  thresholds: number;
  /** Ticks that read values. */
  ticks: number;
  earlyReports: number;
  /** Ticks that found a crossing but had to wait for the rate limit. */
  heldBack: number;
}

/** A running watch. */
export interface Watcher {
  /** Applies a pushed `config.watch` (undefined: an older server, nothing to watch). False when it was refused. */
  apply(raw: unknown): boolean;
  /** Replaces the thresholds (a checked list); [] stops every read and the timer. */
  setThresholds(thresholds: readonly WatchThreshold[]): void;
  /** Tells the watch what the server was just sent (every report), so it knows the server's side. */
  noteReported(samples: readonly Sample[]): void;
  /** One sampling round now; true when it sent an early report. */
  tick(): Promise<boolean>;
  readonly stats: WatchStats;
  stop(): void;
}

/** Creates the watch; it does nothing until thresholds arrive. */
export function createWatcher(opts: WatcherOptions): Watcher {
  const { logger } = opts;
  const tickMs = opts.tickMs ?? WATCH_LIMITS.tickMs;
  const minGapMs = opts.minGapMs ?? WATCH_LIMITS.minGapMs;
  const maxPerMinute = opts.maxPerMinute ?? WATCH_LIMITS.maxPerMinute;
  const nowMs = opts.nowMs ?? (() => performance.now());
  let thresholds: { t: WatchThreshold; id: string }[] = [];
  let metrics = new Set<string>();
  /** threshold id (its JSON, never a line break) + LF + series key → the side the server last saw. */
  let serverSide = new Map<string, 'beyond' | 'clear'>();
  let sentAtMs: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let isBusy = false;
  let isStopped = false;
  let lastProblem: string | undefined;
  const stats: WatchStats = { thresholds: 0, ticks: 0, earlyReports: 0, heldBack: 0 };

  function note(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (!metrics.has(s.name)) continue;
      for (const { t, id } of thresholds) {
        if (!matches(t, s)) continue;
        const side = sideOf(t, s.value);
        if (side) serverSide.set(`${id}\n${seriesKey(s)}`, side);
      }
    }
  }

  function isAllowed(now: number): boolean {
    sentAtMs = sentAtMs.filter((at) => now - at < 60_000);
    const last = sentAtMs.at(-1);
    return sentAtMs.length < maxPerMinute && (last === undefined || now - last >= minGapMs);
  }

  async function tick(): Promise<boolean> {
    if (isBusy || isStopped || thresholds.length === 0 || !(opts.isActive?.() ?? true)) return false;
    isBusy = true;
    try {
      stats.ticks++;
      const samples = await opts.read(metrics);
      const watched: Sample[] = [];
      let isCrossed = false;
      for (const s of samples) {
        let isWatched = false;
        for (const { t, id } of thresholds) {
          if (!matches(t, s)) continue;
          isWatched = true;
          const side = sideOf(t, s.value);
          if (side && side !== (serverSide.get(`${id}\n${seriesKey(s)}`) ?? 'clear')) isCrossed = true;
        }
        if (isWatched) watched.push(s);
      }
      if (!isCrossed || isStopped) return false;
      const now = nowMs();
      if (!isAllowed(now)) {
        stats.heldBack++;
        return false;
      }
      sentAtMs.push(now);
      stats.earlyReports++;
      opts.report(watched);
      note(watched);
      return true;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'watch round failed');
      return false;
    } finally {
      isBusy = false;
    }
  }

  function setThresholds(next: readonly WatchThreshold[]): void {
    const before = JSON.stringify(thresholds.map((x) => x.t));
    thresholds = next.map((t) => ({ t, id: JSON.stringify(t) }));
    metrics = new Set(next.map((t) => t.metric));
    // What the server saw stays known for thresholds that are still there.
    const ids = new Set(thresholds.map((x) => x.id));
    serverSide = new Map([...serverSide].filter(([key]) => ids.has(key.slice(0, key.indexOf('\n')))));
    stats.thresholds = thresholds.length;
    if (thresholds.length === 0 || isStopped) {
      clearInterval(timer);
      timer = undefined;
    } else if (!timer && opts.isTimerEnabled !== false) {
      timer = setInterval(() => void tick(), tickMs);
      // The watch never keeps a stopping process alive.
      timer.unref();
    }
    if (JSON.stringify(next) !== before) {
      logger.info({ thresholds: thresholds.length, metrics: [...metrics] }, thresholds.length > 0 ? 'watching thresholds between reports' : 'watching nothing');
    }
  }

  return {
    apply(raw) {
      if (raw === undefined) {
        setThresholds([]);
        return true;
      }
      const problem = watchConfigProblem(raw);
      if (problem) {
        // Logged once per distinct problem: the server sends the same list with every config.
        if (problem !== lastProblem)
          logger.error({ code: WATCH_INVALID, problem }, `${WATCH_INVALID}: ignored the server's watch list (${problem}); reporting on the interval only`);
        lastProblem = problem;
        setThresholds([]);
        return false;
      }
      lastProblem = undefined;
      setThresholds(pickThresholds(raw as Obj));
      return true;
    },
    setThresholds,
    noteReported: note,
    tick,
    get stats() {
      return { ...stats };
    },
    stop() {
      isStopped = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
}
