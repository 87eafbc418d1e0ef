/**
 * The simulator's parent side: splits the agents over `processes` forked workers (each with its
 * own source address 127.0.0.<11+k>, so no single process or address runs out of descriptors or
 * ports), aggregates their figures, and stops them. With `processes: 0` the agents run in this
 * process (tests).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LATENCY_BINS, mergeBins } from './latency.js';
import type { SimCredential, SimStats } from './sim-agent.js';
import { newStats, runWorker, type FromWorker, type ToWorker } from './worker.js';

export interface FleetOptions {
  serverUrl: string;
  credentials: SimCredential[];
  /** Worker processes; 0 = run in this process. */
  processes: number;
  intervalMs: number;
  /** Connections are opened evenly over this long. */
  rampMs: number;
  /** Chance per agent per interval of going offline for 30–120 s. */
  offlineChancePerTick?: number;
  maxInFlight?: number;
  isTrackingAcked?: boolean;
  seedBase?: number;
}

/** Figures summed over all workers. */
export interface FleetSnapshot extends SimStats {
  agents: number;
  /** Agents whose connection opened after the last mark and said welcome. */
  readySinceMark: number;
  /** Agents that got an ack on a connection opened after the last mark. */
  ackedSinceMark: number;
}

export interface FleetFinal {
  stats: FleetSnapshot;
  agents: { deviceId: string; ackedSeq: number; ackedTs?: number[] }[];
}

interface WorkerHandle {
  post(m: ToWorker): void;
  last?: Extract<FromWorker, { type: 'stats' }>;
  final: Promise<Extract<FromWorker, { type: 'final' }>>;
  child?: ChildProcess;
}

const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url));

function startWorker(isForked: boolean): WorkerHandle {
  let resolveFinal!: (m: Extract<FromWorker, { type: 'final' }>) => void;
  const final = new Promise<Extract<FromWorker, { type: 'final' }>>((r) => (resolveFinal = r));
  const handle: WorkerHandle = { post: () => {}, final };
  const onFromWorker = (m: FromWorker) => {
    if (m.type === 'stats') handle.last = m;
    else resolveFinal(m);
  };
  if (!isForked) {
    let handler: (m: ToWorker) => void = () => {};
    runWorker(
      (m, then) => {
        onFromWorker(structuredClone(m));
        then?.();
      },
      (h) => (handler = h),
      () => {},
    );
    handle.post = (m) => handler(m);
    return handle;
  }
  const child = fork(workerFile, ['--sim-worker'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (m) => onFromWorker(m as FromWorker));
  child.on('exit', (code) => {
    if (code !== 0) resolveFinal({ type: 'final', stats: handle.last?.stats ?? newStats(), agents: [] });
  });
  handle.post = (m) => {
    if (child.connected) child.send(m);
  };
  handle.child = child;
  return handle;
}

/** Starts the fleet; agents connect over `rampMs`. */
export function startFleet(opts: FleetOptions) {
  const n = Math.max(1, opts.processes);
  const workers: WorkerHandle[] = [];
  for (let k = 0; k < n; k++) {
    const share = opts.credentials.filter((_, i) => i % n === k);
    const w = startWorker(opts.processes > 0);
    w.post({
      type: 'start',
      serverUrl: opts.serverUrl,
      credentials: share,
      localAddress: `127.0.0.${11 + k}`,
      intervalMs: opts.intervalMs,
      rampMs: opts.rampMs,
      seedBase: (opts.seedBase ?? 1) * 1_000_003 + k * 100_000,
      streamPrefix: `sim${Date.now().toString(36)}-`,
      offlineChancePerTick: opts.offlineChancePerTick ?? 0,
      maxInFlight: opts.maxInFlight ?? 16,
      isTrackingAcked: opts.isTrackingAcked ?? false,
    });
    workers.push(w);
  }

  function snapshot(): FleetSnapshot {
    const total: FleetSnapshot = { ...newStats(), agents: 0, readySinceMark: 0, ackedSinceMark: 0 };
    const bins = new Array<number>(LATENCY_BINS).fill(0);
    for (const w of workers) {
      const s = w.last;
      if (!s) continue;
      for (const k of Object.keys(s.stats) as (keyof SimStats)[]) {
        if (k !== 'latencyBins') (total[k] as number) += s.stats[k] as number;
      }
      mergeBins(bins, s.stats.latencyBins);
      total.agents += s.agents;
      total.readySinceMark += s.readySinceMark;
      total.ackedSinceMark += s.ackedSinceMark;
    }
    total.latencyBins = bins;
    return total;
  }

  return {
    /** Latest figures (workers report once a second). */
    snapshot,
    /** Clears the latency histogram (start of a measuring window). */
    resetWindow(): void {
      for (const w of workers) w.post({ type: 'reset-window' });
    },
    /** From now on count agents that (re)connect and get acked (reconnect storm). */
    mark(atMs = Date.now()): void {
      for (const w of workers) w.post({ type: 'mark', atMs });
    },
    /** Polls until `pred` holds or `timeoutMs` passes; resolves with whether it held. */
    async waitFor(pred: (s: FleetSnapshot) => boolean, timeoutMs: number, pollMs = 500): Promise<boolean> {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (pred(snapshot())) return true;
        await new Promise((r) => setTimeout(r, pollMs));
      }
      return pred(snapshot());
    },
    /** Stops every agent and worker; resolves with the final figures. */
    async stop(): Promise<FleetFinal> {
      for (const w of workers) w.post({ type: 'stop' });
      const finals = await Promise.all(
        workers.map((w) =>
          Promise.race([
            w.final,
            new Promise<Extract<FromWorker, { type: 'final' }>>((r) =>
              setTimeout(() => r({ type: 'final', stats: w.last?.stats ?? newStats(), agents: [] }), 20_000),
            ),
          ]),
        ),
      );
      for (const w of workers) if (w.child && w.child.exitCode === null) w.child.kill();
      for (let i = 0; i < workers.length; i++)
        workers[i]!.last = { type: 'stats', stats: finals[i]!.stats, agents: workers[i]!.last?.agents ?? 0, readySinceMark: 0, ackedSinceMark: 0 };
      return { stats: snapshot(), agents: finals.flatMap((f) => f.agents) };
    },
  };
}
export type Fleet = ReturnType<typeof startFleet>;
