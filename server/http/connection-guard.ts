/**
 * Slow and half-open connections. Node answers 408 and closes a socket that has not sent its
 * request headers within `headersTimeoutMs` (checked every `checkIntervalMs`) and ends requests
 * that take longer than `requestTimeoutMs`; TLS handshakes get `handshakeTimeoutMs`. On top,
 * at most `maxPending` sockets may be waiting for their first request (or agent/dashboard
 * upgrade) at once: a flood of sockets that never send anything is cut at the door instead of
 * holding memory and file descriptors until their timeouts.
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
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  handshakeTimeoutMs: 10_000,
  // A reconnect storm of 15,000 agents completes each upgrade within milliseconds; a few
  // thousand sockets waiting at once means the loop is behind or someone is holding sockets open.
  maxPending: 4_096,
};

/** Options for http.createServer / https.createServer. */
export function serverTimeoutOptions(l: ConnectionLimits) {
  return { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, connectionsCheckingInterval: l.checkIntervalMs, handshakeTimeout: l.handshakeTimeoutMs };
}

/** Counts sockets waiting for their first request and drops new ones above the cap. */
export function guardPendingConnections(server: Server, opts: { maxPending: number; isTls: boolean; logger: Logger }) {
  const waiting = new WeakMap<Socket, () => void>();
  let pending = 0;
  let refused = 0;
  let lastWarnMs = 0;
  // With TLS the HTTP socket is the TLS one (the handshake has its own timeout).
  server.on(opts.isTls ? 'secureConnection' : 'connection', (socket: Socket) => {
    if (pending >= opts.maxPending) {
      refused++;
      if (Date.now() - lastWarnMs > 10_000) {
        lastWarnMs = Date.now();
        opts.logger.warn({ pending, refused, maxPending: opts.maxPending }, 'too many connections waiting for their first request; dropping new ones');
      }
      socket.destroy();
      return;
    }
    pending++;
    let isCounted = true;
    const release = () => {
      if (!isCounted) return;
      isCounted = false;
      pending--;
    };
    waiting.set(socket, release);
    socket.once('close', release);
  });
  const onFirstRequest = (req: { socket: Socket }) => waiting.get(req.socket)?.();
  server.on('request', onFirstRequest);
  server.on('upgrade', onFirstRequest);
  return {
    /** Sockets waiting for their first request now, and sockets dropped so far. */
    stats: () => ({ pending, refused }),
  };
}
