/**
 * Child process of the simulator: runs a share of the agents from one source address and talks
 * to the parent over IPC (see fleet.ts for the messages).
 */
import { LATENCY_BINS } from './latency.js';
import { SimAgent, type SimCredential, type SimStats } from './sim-agent.js';

/** Parent → worker. */
export type ToWorker =
  | {
      type: 'start';
      serverUrl: string;
      credentials: SimCredential[];
      localAddress: string;
      intervalMs: number;
      rampMs: number;
      seedBase: number;
      streamPrefix: string;
      offlineChancePerTick: number;
      maxInFlight: number;
      isTrackingAcked: boolean;
    }
  | { type: 'reset-window' }
  | { type: 'mark'; atMs: number }
  | { type: 'stop' };

/** Worker → parent. */
export type FromWorker =
  | { type: 'stats'; stats: SimStats; agents: number; readySinceMark: number; ackedSinceMark: number }
  | { type: 'final'; stats: SimStats; agents: { deviceId: string; ackedSeq: number; ackedTs?: number[] }[] };

export function newStats(): SimStats {
  return {
    connected: 0,
    connects: 0,
    disconnects: 0,
    reportsCollected: 0,
    reportsSent: 0,
    reportsAcked: 0,
    valuesAcked: 0,
    errors: 0,
    rejected: 0,
    spoolDropped: 0,
    latencyBins: new Array<number>(LATENCY_BINS).fill(0),
  };
}

/** Runs agents for the parent until told to stop. */
export function runWorker(send: (m: FromWorker, then?: () => void) => void, onMessage: (h: (m: ToWorker) => void) => void, exit: () => void): void {
  const stats = newStats();
  const agents: SimAgent[] = [];
  const starters: NodeJS.Timeout[] = [];
  let markMs = Number.POSITIVE_INFINITY;
  let reporter: NodeJS.Timeout | undefined;

  const snapshot = (): FromWorker => {
    let ready = 0;
    let acked = 0;
    for (const a of agents) {
      if (a.state === 'ready' && a.connectedAtMs >= markMs) ready++;
      if (a.firstAckAfterConnectMs >= markMs) acked++;
    }
    return { type: 'stats', stats, agents: agents.length, readySinceMark: ready, ackedSinceMark: acked };
  };

  onMessage((m) => {
    if (m.type === 'start') {
      m.credentials.forEach((credential, i) => {
        const agent = new SimAgent({
          serverUrl: m.serverUrl,
          credential,
          localAddress: m.localAddress,
          intervalMs: m.intervalMs,
          seed: m.seedBase + i,
          streamId: `${m.streamPrefix}${credential.deviceId}`.slice(0, 64).replace(/[^A-Za-z0-9_-]/g, '_'),
          maxInFlight: m.maxInFlight,
          offlineChancePerTick: m.offlineChancePerTick,
          isTrackingAcked: m.isTrackingAcked,
          stats,
        });
        agents.push(agent);
        starters.push(setTimeout(() => agent.start(), (i * m.rampMs) / Math.max(1, m.credentials.length)));
      });
      reporter = setInterval(() => send(snapshot()), 1_000);
    } else if (m.type === 'reset-window') {
      stats.latencyBins.fill(0);
    } else if (m.type === 'mark') {
      markMs = m.atMs;
    } else if (m.type === 'stop') {
      clearInterval(reporter);
      for (const t of starters) clearTimeout(t);
      for (const a of agents) a.stop();
      const final: FromWorker = {
        type: 'final',
        stats,
        agents: agents.map((a) => ({ deviceId: a.deviceId, ackedSeq: a.ackedSeq, ...(a.ackedTs.length ? { ackedTs: a.ackedTs } : {}) })),
      };
      // The final message can be megabytes (every acked tsMs): exit only once it is sent.
      send(final, exit);
    }
  });
}

// Entry point when forked.
if (process.send && process.argv[2] === '--sim-worker') {
  runWorker(
    (m, then) => process.send!(m, undefined, {}, () => then?.()),
    (h) => process.on('message', (m) => h(m as ToWorker)),
    () => process.exit(0),
  );
}
