/**
 * One agent connection as the gateway tracks it, and the frames it sends on it. Shared by the
 * gateway, the liveness pinger and credential rotation.
 */
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type ServerMessage } from '../../shared/protocol.js';
import type { Device } from '../store/devices.js';
import type { ConnectionLimitState } from './agent-rate-limit.js';

/** An open agent socket and what the gateway knows about it. */
export interface Connection {
  ws: WebSocket;
  device: Device;
  streamId: string | null;
  /** The interval the agent announced in hello (its own setting), the fallback of the effective config. */
  helloIntervalMs: number;
  /** The version the agent said in hello (null before hello). */
  agentVersion: string | null;
  isAlive: boolean;
  connectedAtMs: number;
  /** A credential frame was sent and its credentialAck has not arrived. */
  isCredentialInFlight: boolean;
  /** Reports submitted to ingest and not yet committed. */
  inFlight: number;
  /** Paused because of its own in-flight reports (the global pause is separate). */
  isSelfPaused: boolean;
  /** When the next liveness ping is due (timer clock, ms). */
  pingDueMs: number;
  /** Flood control of this connection (its device's buckets are shared across connections). */
  limit: ConnectionLimitState;
  /** Closed for ignoring the rate limit; frames still in the pipe are dropped. */
  isEvicted: boolean;
  /** Increasing per connection; ingest refuses a connection's reports behind its first unstored one. */
  id: number;
  /** A report of this connection could not be stored: later ones are neither submitted nor acked. */
  isStorageRefused: boolean;
}

/** Sends a server frame if the socket is still open (a closing socket drops it). */
export function sendFrame(ws: WebSocket, msg: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

/** Sends an error frame (PROTOCOL.md §6). */
export function sendErrorFrame(ws: WebSocket, code: string, message: string, retryable: boolean, seq?: number, retryAfterMs?: number): void {
  sendFrame(ws, {
    type: 'error',
    v: PROTOCOL_VERSION,
    code,
    message,
    retryable,
    ...(seq !== undefined ? { seq } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
