/**
 * Liveness of agent connections: every connection is pinged once per interval, each at its own
 * phase, rather than all 15,000 at once (their pongs would come back in one burst and stall
 * everything else). A connection that did not answer the previous ping is terminated.
 */
import type { Logger } from 'pino';
import type { Connection } from './connection.js';

/** Options of the pinger. */
export interface LivenessOptions {
  connections: () => Iterable<Connection>;
  intervalMs: number;
  /** The gateway's timer clock (monotonic ms). */
  timerNow: () => number;
  /** [0, 1), for the phase of each new connection. */
  random: () => number;
  logger: Logger;
}

/** Starts the pinger; `firstPingDueMs` gives a new connection its phase. */
export function startLiveness(opts: LivenessOptions) {
  const { intervalMs, timerNow, logger } = opts;
  const timer = setInterval(
    () => {
      const nowMs = timerNow();
      for (const c of opts.connections()) {
        // A paused socket is not read, so its pongs cannot arrive: not a sign of a dead peer.
        if (c.ws.isPaused) {
          c.isAlive = true;
          continue;
        }
        if (nowMs < c.pingDueMs) continue;
        if (!c.isAlive) {
          logger.warn({ deviceId: c.device.id }, 'agent missed a pong; terminating connection');
          c.ws.terminate();
          continue;
        }
        c.isAlive = false;
        c.pingDueMs = nowMs + intervalMs;
        c.ws.ping();
      }
    },
    Math.min(1_000, intervalMs),
  );
  timer.unref();
  return {
    /** When a connection opened now gets its first ping (a random phase within one interval). */
    firstPingDueMs: (): number => timerNow() + opts.random() * intervalMs,
    stop: (): void => clearInterval(timer),
  };
}
