/**
 * The agent: collectors → report → spool → connection. Every interval the runner collects, the
 * report is written to the on-disk spool first and only then sent, so an ack-less crash or an
 * outage loses nothing the spool can hold; the connection replays the spool after reconnecting.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from '../shared/protocol.js';
import { buildReport } from './build-report.js';
import { createCollectionRunner, type CollectionRunner } from './collect.js';
import { defaultCollectors, type Collector } from './collectors/index.js';
import type { AgentFileConfig } from './config.js';
import { createConnection, type Connection, type ConnectionOptions, type ConnectionState } from './connection.js';
import { collectSystemFacts, readHostname } from './facts.js';
import { openSpool, type Spool } from './spool.js';
import { AGENT_VERSION } from './version.js';

/** Wall clock source (ms since epoch); tests pass a fixed one. */
export interface Clock {
  now(): number;
}

/** Inputs of createAgent; everything but config and logger has a production default. */
export interface AgentOptions {
  readonly config: AgentFileConfig;
  readonly logger: Logger;
  readonly collectors?: readonly Collector[];
  readonly clock?: Clock;
  /** Spool bound (reports). */
  readonly spoolMaxReports?: number;
  /** Connection tuning (backoff, liveness, in-flight cap). */
  readonly connection?: Pick<ConnectionOptions, 'backoff' | 'livenessTimeoutMs' | 'maxInFlight' | 'stableAfterMs'>;
  /** How long stop() waits for outstanding acks, ms. Default 3 s. */
  readonly flushTimeoutMs?: number;
}

/** A running agent. */
export interface Agent {
  start(): Promise<void>;
  /** Finishes the running cycle, waits briefly for acks, closes the socket with 1000. */
  stop(): Promise<void>;
  /** Connection state ('idle' before start, 'stopped' after stop). */
  readonly state: ConnectionState;
}

/** Wires collectors, spool and connection; nothing runs until start(). */
export function createAgent(opts: AgentOptions): Agent {
  const { config, logger } = opts;
  const clock = opts.clock ?? { now: () => Date.now() };
  let intervalMs = config.intervalMs;
  let spool: Spool | undefined;
  let runner: CollectionRunner | undefined;
  let connection: Connection | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> | undefined;
  let stopped = false;

  async function runCycle(): Promise<void> {
    const tsMs = clock.now();
    const samples = await runner!.collectOnce();
    const report = buildReport(spool!.allocateSeq(), tsMs, samples, logger);
    spool!.append(report);
    connection!.sendPending();
  }

  // Next cycle one interval after this one started, so slow collectors do not drift the schedule.
  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const startedAt = performance.now();
      cycle = runCycle()
        .catch((err: Error) => logger.error({ err: err.message }, 'collection cycle failed'))
        .finally(() => {
          cycle = undefined;
          if (!stopped) schedule(Math.max(0, intervalMs - (performance.now() - startedAt)));
        });
    }, delayMs);
  }

  function applyConfig(next: AgentConfig): void {
    if (next.intervalMs === intervalMs) return;
    logger.info({ intervalMs: next.intervalMs, previousMs: intervalMs }, 'server changed the collection interval');
    intervalMs = next.intervalMs;
    if (!cycle && !stopped) schedule(intervalMs);
  }

  return {
    get state() {
      return stopped ? 'stopped' : (connection?.state ?? 'idle');
    },
    async start() {
      if (spool) throw new Error('agent already started');
      spool = openSpool({ dir: config.stateDir, logger, ...(opts.spoolMaxReports ? { maxReports: opts.spoolMaxReports } : {}) });
      const timeoutMs = Math.min(5_000, Math.max(1_000, Math.floor(intervalMs / 2)));
      runner = await createCollectionRunner({ collectors: opts.collectors ?? defaultCollectors(), logger, timeoutMs });
      const facts = await collectSystemFacts();
      if (stopped) return; // stop() during start: do not connect
      const hostname = readHostname();
      connection = createConnection({
        serverUrl: config.serverUrl,
        deviceToken: config.deviceToken,
        caFile: config.caFile,
        spool,
        logger,
        hello: () => ({ agentVersion: AGENT_VERSION, hostname, intervalMs, facts }),
        onConfig: applyConfig,
        ...opts.connection,
      });
      logger.info({ collectors: runner.activeCollectors, streamId: spool.streamId, intervalMs }, 'agent starting');
      connection.start();
      schedule(0);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await cycle; // the report being collected still reaches the spool
      await connection?.drain(opts.flushTimeoutMs ?? 3_000);
      await connection?.stop();
      spool?.close();
      logger.info({ pending: spool?.pending().length ?? 0 }, 'agent stopped');
    },
  };
}
