/**
 * The watcher is watched: an outbound heartbeat ("dead man's switch") to a URL every interval —
 * healthchecks.io, Uptime Kuma push monitors, Better Stack heartbeats, Cronitor, or any HTTP
 * endpoint that pages when the pings stop. If the Quarkpulse server dies, hangs or loses its
 * network, the pings stop and that service pages; Quarkpulse cannot page about its own death.
 *
 *   start ─▶ GET url now, then every intervalMs
 *   a beat: up to 3 tries 5 s apart, each within 10 s; any 2xx is success
 *   failing: one warning when it starts, one info line when it works again (not one per minute)
 *
 * GET because every such service takes it (healthchecks.io also takes POST/HEAD, Uptime Kuma's
 * push URL only GET). The URL often carries the check's secret in its path: logs show only its
 * origin.
 */
import type { Logger } from 'pino';

export interface HeartbeatOptions {
  url: string;
  intervalMs: number;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  /** Give up one try after this long, ms. */
  timeoutMs?: number;
  /** Wait between the tries of one beat, ms. */
  retryDelayMs?: number;
}

export interface HeartbeatStats {
  beatsSent: number;
  beatsFailed: number;
  consecutiveFailures: number;
  lastSuccessAtMs: number | null;
}

const TRIES = 3;

/** The URL as logs show it: its origin, never the path that may hold the check's token. */
export function heartbeatTarget(url: string): string {
  return `${new URL(url).origin}/…`;
}

export function createHeartbeat(opts: HeartbeatOptions) {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const retryDelayMs = opts.retryDelayMs ?? 5_000;
  const target = heartbeatTarget(opts.url);
  const stats: HeartbeatStats = { beatsSent: 0, beatsFailed: 0, consecutiveFailures: 0, lastSuccessAtMs: null };
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let isStopped = false;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref();
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  async function tryOnce(): Promise<string | null> {
    try {
      const res = await doFetch(opts.url, { method: 'GET', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? null : `HTTP ${res.status}`;
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      return e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `could not connect: ${e.cause?.code ?? e.message ?? String(err)}`;
    }
  }

  async function beat(): Promise<void> {
    let problem: string | null = null;
    for (let i = 0; i < TRIES && !isStopped; i++) {
      if (i > 0) await pause(retryDelayMs);
      if (isStopped) return;
      problem = await tryOnce();
      if (problem === null) break;
    }
    if (isStopped) return;
    if (problem === null) {
      if (stats.consecutiveFailures > 0)
        opts.logger.info(
          { heartbeat: target, failedBeats: stats.consecutiveFailures },
          `heartbeat to ${target} works again after ${stats.consecutiveFailures} failed beats`,
        );
      stats.beatsSent++;
      stats.consecutiveFailures = 0;
      stats.lastSuccessAtMs = now();
      return;
    }
    stats.beatsFailed++;
    stats.consecutiveFailures++;
    const fields = { heartbeat: target, problem, consecutiveFailures: stats.consecutiveFailures };
    if (stats.consecutiveFailures === 1)
      opts.logger.warn(
        fields,
        `heartbeat to ${target} failed (${problem}) after ${TRIES} tries; the service watching it will page if this goes on. Logged once until it works again`,
      );
    else opts.logger.debug(fields, 'heartbeat still failing');
  }

  function tick(): void {
    // A beat still retrying when the next is due: skip this one rather than pile up.
    if (inFlight) return;
    inFlight = beat().finally(() => {
      inFlight = undefined;
    });
  }

  return {
    start(): void {
      if (timer || isStopped) return;
      opts.logger.info({ heartbeat: target, intervalMs: opts.intervalMs }, `sending a heartbeat to ${target} every ${Math.round(opts.intervalMs / 1000)} s`);
      tick();
      timer = setInterval(tick, opts.intervalMs);
      timer.unref();
    },
    /** Stops the timer and waits for a beat in flight (its retries are cut short). */
    async stop(): Promise<void> {
      isStopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      wake?.();
      await inFlight;
    },
    stats: (): HeartbeatStats => ({ ...stats }),
  };
}
export type Heartbeat = ReturnType<typeof createHeartbeat>;
