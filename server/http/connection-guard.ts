/**
 * Slow and half-open connections. Node answers 408 and closes a socket that has not sent its
 * request headers within `headersTimeoutMs` (checked every `checkIntervalMs`) and ends requests
 * that take longer than `requestTimeoutMs`; TLS handshakes get `handshakeTimeoutMs`. On top,
 * at most `maxPending` sockets may be waiting for their first request (or agent/dashboard
 * upgrade) at once: a flood of sockets that never send anything is cut at the door instead of
 * holding memory and file descriptors until their timeouts.
 *
 * The cap is shared fairly between remote addresses, so one address cannot lock the others out:
 * - one address holds at most `maxPendingPerAddress` waiting sockets (its next ones are dropped);
 * - when all `maxPending` slots are taken, a newcomer whose address holds fewer waiting sockets
 *   than the busiest address takes the busiest address's oldest slot (that socket is dropped).
 * A flood from one (or a few) addresses therefore only ever pushes out its own sockets, and an
 * agent upgrade or a health check from anywhere else still gets a slot.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** Limits of the HTTP(S) server; times in ms. */
export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How often Node checks the two timeouts above. */
  checkIntervalMs: number;
  handshakeTimeoutMs: number;
  maxPending: number;
  /** Most sockets one remote address may have waiting for their first request at once. */
  maxPendingPerAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  handshakeTimeoutMs: 10_000,
  // A reconnect storm of 15,000 agents completes each upgrade within milliseconds; a few
  // thousand sockets waiting at once means the loop is behind or someone is holding sockets open.
  maxPending: 4_096,
  // A whole client site behind one NAT address reconnecting at once (each upgrade done within
  // milliseconds) stays far below this; a quarter of the cap leaves room for everyone else.
  maxPendingPerAddress: 1_024,
};

/** Options for http.createServer / https.createServer. */
export function serverTimeoutOptions(l: ConnectionLimits) {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    connectionsCheckingInterval: l.checkIntervalMs,
    handshakeTimeout: l.handshakeTimeoutMs,
  };
}

/** Counts sockets waiting for their first request, per remote address, and drops new ones above the caps (see above). */
export function guardPendingConnections(
  server: Server,
  opts: {
    maxPending: number;
    maxPendingPerAddress?: number;
    isTls: boolean;
    logger: Logger;
    /** The timer clock (monotonic ms) of the warning's throttle; default performance.now. */
    timerNow?: () => number;
  },
) {
  const timerNow = opts.timerNow ?? (() => performance.now());
  const perAddressCap = Math.min(opts.maxPendingPerAddress ?? opts.maxPending, opts.maxPending);
  /** Waiting sockets per remote address, oldest first (a Set keeps insertion order). */
  const byAddress = new Map<string, Set<Socket>>();
  const waiting = new WeakMap<Socket, () => void>();
  let pending = 0;
  let refused = 0;
  let evicted = 0;
  /** When the last warning was logged (timer clock); at most one every 10 s. */
  let lastWarnMs: number | undefined;

  function warn(address: string, reason: string): void {
    const nowMs = timerNow();
    if (lastWarnMs !== undefined && nowMs - lastWarnMs <= 10_000) return;
    lastWarnMs = nowMs;
    opts.logger.warn({ pending, refused, evicted, address, maxPending: opts.maxPending, maxPendingPerAddress: perAddressCap }, reason);
  }

  /** The address holding the most waiting sockets, and how many. */
  function busiest(): { address: string; sockets: Set<Socket> } | undefined {
    let best: { address: string; sockets: Set<Socket> } | undefined;
    for (const [address, sockets] of byAddress) if (!best || sockets.size > best.sockets.size) best = { address, sockets };
    return best;
  }

  // With TLS the HTTP socket is the TLS one (the handshake has its own timeout).
  server.on(opts.isTls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const own = byAddress.get(address)?.size ?? 0;
    if (own >= perAddressCap) {
      refused++;
      warn(address, 'one address has too many connections waiting for their first request; dropping its new ones');
      socket.destroy();
      return;
    }
    if (pending >= opts.maxPending) {
      const top = busiest();
      if (!top || top.sockets.size <= own + 1) {
        refused++;
        warn(address, 'too many connections waiting for their first request; dropping new ones');
        socket.destroy();
        return;
      }
      // The busiest address gives up its oldest waiting socket to the newcomer.
      const oldest = top.sockets.values().next().value!;
      waiting.get(oldest)?.();
      oldest.destroy();
      evicted++;
      warn(top.address, 'too many connections waiting for their first request; dropping the oldest of the busiest address');
    }
    pending++;
    let set = byAddress.get(address);
    if (!set) byAddress.set(address, (set = new Set()));
    set.add(socket);
    let isCounted = true;
    const release = () => {
      if (!isCounted) return;
      isCounted = false;
      pending--;
      const s = byAddress.get(address);
      if (s) {
        s.delete(socket);
        if (s.size === 0) byAddress.delete(address);
      }
    };
    waiting.set(socket, release);
    socket.once('close', release);
  });
  const onFirstRequest = (req: { socket: Socket }) => waiting.get(req.socket)?.();
  server.on('request', onFirstRequest);
  server.on('upgrade', onFirstRequest);
  return {
    /** Sockets waiting for their first request now, sockets dropped at the door, and waiting sockets pushed out for a fairer share. */
    stats: () => ({ pending, refused, evicted, addresses: byAddress.size }),
  };
}
