/**
 * The probe runner: runs each assigned target's checks every target interval and hands one
 * report per target (its samples, `targetDeviceId`, and each check's outcome in words) to the
 * agent, which spools and sends it like its own reports. Targets start spread over their interval
 * so 500 devices at 60 s do not all fire in the same second; at most `maxConcurrent` checks run
 * at once.
 *
 *   setTargets(config.probe.targets) ─▶ per target timer ─▶ run checks ─▶ onReport(target, samples, results)
 */
import type { Logger } from 'pino';
import type { Sample } from '../../shared/protocol.js';
import type { CheckResult, ProbeTarget } from '../../shared/probe.js';
import { runCheck, type CheckOptions } from './run-check.js';
import type { CheckMemory, CheckOutcome } from './types.js';

/** Options of the runner. */
export interface ProbeRunnerOptions {
  logger: Logger;
  /** Called with each target's results once all its checks finished. */
  onReport: (targetDeviceId: string, tsMs: number, samples: Sample[], results: CheckResult[]) => void;
  now?: () => number;
  maxConcurrent?: number;
  checkOptions?: CheckOptions;
  /** Runs the checks (tests and the bench inject one); default runCheck. `memory` is the target's. */
  run?: (check: ProbeTarget['checks'][number], memory: CheckMemory) => Promise<CheckOutcome>;
}

interface Scheduled {
  target: ProbeTarget;
  json: string;
  timer: NodeJS.Timeout | undefined;
  isRunning: boolean;
}

/** Creates a runner with no targets. */
export function createProbeRunner(opts: ProbeRunnerOptions) {
  const now = opts.now ?? (() => Date.now());
  const maxConcurrent = opts.maxConcurrent ?? 32;
  const run = opts.run ?? ((c, memory) => runCheck(c, opts.checkOptions, memory));
  const scheduled = new Map<string, Scheduled>();
  /** Per target, what its checks keep between runs (counters for rates); kept while the target's settings change. */
  const memories = new Map<string, CheckMemory>();
  let active = 0;
  const waiting: (() => void)[] = [];
  let isStopped = false;

  async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }

  async function runTarget(s: Scheduled): Promise<void> {
    if (s.isRunning || isStopped) return;
    s.isRunning = true;
    const tsMs = now();
    try {
      let memory = memories.get(s.target.deviceId);
      if (!memory) memories.set(s.target.deviceId, (memory = new Map()));
      const outcomes = await Promise.all(s.target.checks.map((c) => withSlot(() => run(c, memory))));
      if (isStopped || scheduled.get(s.target.deviceId) !== s) return;
      opts.onReport(
        s.target.deviceId,
        tsMs,
        outcomes.flatMap((o) => o.samples),
        outcomes.map((o) => o.result),
      );
    } catch (err) {
      opts.logger.error({ targetDeviceId: s.target.deviceId, err: (err as Error).message }, 'probe target run failed');
    } finally {
      s.isRunning = false;
    }
  }

  function start(s: Scheduled, firstDelayMs: number): void {
    const tick = () => {
      const startedAt = now();
      void runTarget(s).finally(() => {
        if (isStopped || scheduled.get(s.target.deviceId) !== s) return;
        s.timer = setTimeout(tick, Math.max(0, s.target.intervalMs - (now() - startedAt)));
      });
    };
    s.timer = setTimeout(tick, firstDelayMs);
  }

  return {
    /** Replaces the targets; unchanged targets keep their schedule. */
    setTargets(targets: readonly ProbeTarget[]): void {
      const next = new Map(targets.map((t) => [t.deviceId, t]));
      for (const [id, s] of scheduled) {
        const t = next.get(id);
        if (!t || JSON.stringify(t) !== s.json) {
          clearTimeout(s.timer);
          scheduled.delete(id);
        }
      }
      for (const id of memories.keys()) if (!next.has(id)) memories.delete(id);
      let i = 0;
      for (const t of targets) {
        if (scheduled.has(t.deviceId) || t.checks.length === 0) continue;
        const s: Scheduled = { target: t, json: JSON.stringify(t), timer: undefined, isRunning: false };
        scheduled.set(t.deviceId, s);
        // The first run soon, spread over at most a tenth of the interval (and 5 s).
        const spreadMs = Math.min(5_000, t.intervalMs / 10);
        start(s, targets.length > 1 ? Math.floor((spreadMs * i++) / targets.length) : 0);
      }
      if (targets.length > 0)
        opts.logger.info({ targets: targets.length, checks: targets.reduce((n, t) => n + t.checks.length, 0) }, 'probe targets set by the server');
    },
    /** Number of scheduled targets. */
    targetCount: (): number => scheduled.size,
    /** Stops every timer; runs in flight finish but report nothing. */
    stop(): void {
      isStopped = true;
      for (const s of scheduled.values()) clearTimeout(s.timer);
      scheduled.clear();
      memories.clear();
    },
  };
}
export type ProbeRunner = ReturnType<typeof createProbeRunner>;
