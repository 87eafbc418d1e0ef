/**
 * The agent's one WebSocket to the server, as an explicit state machine:
 *
 *   state        event                                   next
 *   idle         start()                                 connecting
 *   connecting   socket open → send hello                handshaking
 *   handshaking  welcome → trim spool, replay           ready
 *   handshaking  no welcome in time, or a frame of a     backoff   (newer protocol: near the cap)
 *                newer protocol version
 *   ready        report appended / ack → send more       ready
 *   ready        credential → persist, credentialAck     ready     (no ack if persisting failed)
 *   connecting,  close, error, HTTP 401, liveness        backoff   (delay: jittered exponential;
 *   handshaking, timeout                                             near the cap for 401, 4001,
 *   ready                                                           4003, 4005; after losing a
 *                                                                   ready connection, spread over
 *                                                                   reconnectSpreadMs)
 *   backoff      timer                                   connecting
 *   any          stop()                                  stopped
 *
 * Nothing is sent before the welcome except hello; reports are read from the spool, never held
 * here, so a reconnect simply replays what the spool still has.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { AGENT_WS_PATH, AgentErrorCode, CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../shared/protocol-constants.js';
import type { AgentConfig, AgentMessage, ErrorFrame, Hello, JobAck, JobMessage, ServerMessage, Welcome } from '../shared/protocol.js';
import { attemptForSpread, backoffDelayMs, capDelayMs, type BackoffOptions } from './backoff.js';
import { joinServerUrl } from './enroll.js';
import type { Spool } from './spool.js';
import { decodeServerFrame } from './wire.js';

/** Where the connection is in its life. */
export type ConnectionState = 'idle' | 'connecting' | 'handshaking' | 'ready' | 'backoff' | 'stopped';

/** Events: every state change, the welcome, each ack. */
export interface ConnectionEvents {
  state: [state: ConnectionState, previous: ConnectionState];
  welcome: [welcome: Welcome];
  ack: [seq: number];
}

/** Options of createConnection; times in ms. */
export interface ConnectionOptions {
  /** Server base URL (http/https); the socket goes to its ws/wss twin + AGENT_WS_PATH. */
  readonly serverUrl: string;
  readonly deviceToken: string;
  /**
   * Credentials this device had before its last rotations, newest first. Tried in turn when the
   * server refuses the current one (401), which happens after the server was restored from a
   * backup taken before a rotation; the first one it accepts becomes current (onCredentialRestored).
   */
  readonly previousDeviceTokens?: readonly string[];
  /** Persists an older credential the server accepted again (see previousDeviceTokens). */
  readonly onCredentialRestored?: (deviceToken: string) => Promise<void> | void;
  /** PEM CA bundle file for wss:// with a private CA. */
  readonly caFile?: string | undefined;
  readonly spool: Spool;
  readonly logger: Logger;
  /** The hello fields, asked at every connect so a changed interval is announced. */
  readonly hello: () => Omit<Hello, 'type' | 'v' | 'streamId'>;
  /** Settings pushed by the server (in welcome and config frames). */
  readonly onConfig?: (config: AgentConfig) => void;
  /**
   * Persists a rotated device credential durably; the connection acknowledges it to the server
   * only after this resolves (and uses it from the next connect on). Absent or throwing: not
   * acknowledged, so the server keeps accepting the old credential.
   */
  readonly onCredential?: (deviceToken: string) => Promise<void> | void;
  /** A signed maintenance job arrived (checked by the job runner, not here). */
  readonly onJob?: (frame: JobMessage) => void;
  /** The server stored a job status. */
  readonly onJobAck?: (ack: JobAck) => void;
  /** After losing an established connection, reconnects spread over about this long. Default 30 s (≤ cap). */
  readonly reconnectSpreadMs?: number;
  /** Sent as headers of the upgrade, so a server that refuses the credential can say which machine it was. */
  readonly identity?: { deviceId: string; hostname: string; platform: string };
  /** Give up on a server that does not answer hello with welcome within this long. Default 30 s. */
  readonly welcomeTimeoutMs?: number;
  /** Reconnect delays. Default base 1 s, cap 60 s. */
  readonly backoff?: BackoffOptions;
  /** Reconnect when nothing (ping, frame) is heard for this long. Default 75 s (server pings every 30 s). */
  readonly livenessTimeoutMs?: number;
  /** Most reports sent but not yet acknowledged; more wait in the spool. Default 500. */
  readonly maxInFlight?: number;
  /** A connection ready for this long resets the backoff attempt counter. Default 30 s. */
  readonly stableAfterMs?: number;
  /** Give up an HTTP upgrade after this long. Default 15 s. */
  readonly handshakeTimeoutMs?: number;
}

/** The connection manager. */
export interface Connection extends EventEmitter<ConnectionEvents> {
  readonly state: ConnectionState;
  /** Starts connecting (idle → connecting). */
  start(): void;
  /** Sends spooled reports not sent yet on this socket, up to the in-flight cap; no-op unless ready. */
  sendPending(): void;
  /** Sends one non-report message (inventory) if ready; false otherwise (resend after the next welcome). */
  send(message: AgentMessage): boolean;
  /** Resolves once the spool is empty, the connection is not ready, or timeoutMs passed. */
  drain(timeoutMs: number): Promise<void>;
  /** Closes with 1000 and stops reconnecting. */
  stop(): Promise<void>;
}

/** The ws:// or wss:// URL of the agent endpoint for a server base URL. */
export function agentSocketUrl(serverUrl: string): string {
  const url = joinServerUrl(serverUrl, AGENT_WS_PATH);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

// Close codes after which retrying soon cannot help: wait near the cap.
const SLOW_RETRY_CLOSE_CODES = new Map<number, string>([
  [CloseCode.UNSUPPORTED_VERSION, "server refused this agent's protocol version — upgrade the agent"],
  [CloseCode.UNAUTHORIZED, 'device disabled or credential revoked — re-enroll'],
  [CloseCode.REPLACED, 'another connection for this device replaced this one — is the same config used on two machines?'],
]);

/** Creates the connection manager; call start() to connect. */
export function createConnection(opts: ConnectionOptions): Connection {
  const { spool, logger } = opts;
  const backoff = opts.backoff ?? { baseMs: 1_000, capMs: 60_000 };
  const livenessTimeoutMs = opts.livenessTimeoutMs ?? 75_000;
  const maxInFlight = opts.maxInFlight ?? 500;
  const stableAfterMs = opts.stableAfterMs ?? 30_000;
  const url = agentSocketUrl(opts.serverUrl);
  const spreadAttempt = attemptForSpread(opts.reconnectSpreadMs ?? 30_000, backoff);
  const welcomeTimeoutMs = opts.welcomeTimeoutMs ?? 30_000;
  let deviceToken = opts.deviceToken;
  let previousTokens = [...(opts.previousDeviceTokens ?? [])];
  /** Which credential the next connect offers: -1 the current one, else an index into previousTokens. */
  let tokenIndex = -1;
  const offeredToken = () => (tokenIndex < 0 ? deviceToken : previousTokens[tokenIndex]!);
  const ca = opts.caFile ? fs.readFileSync(opts.caFile) : undefined;
  const emitter = new EventEmitter<ConnectionEvents>();

  let state: ConnectionState = 'idle';
  let ws: WebSocket | undefined;
  let attempt = 0;
  let readySinceMs = 0;
  let slowRetryReason: string | undefined;
  /** The server asked for this much quiet (RATE_LIMITED retryAfterMs) before the next connect, ms. */
  let minNextDelayMs = 0;
  let sentUpToSeq = 0;
  let backoffTimer: NodeJS.Timeout | undefined;
  let livenessTimer: NodeJS.Timeout | undefined;
  let welcomeTimer: NodeJS.Timeout | undefined;
  // Unknown frames are logged once per connection and kind, not once per frame.
  let ignoredKinds = new Set<string>();

  function setState(next: ConnectionState): void {
    if (next === state) return;
    const previous = state;
    state = next;
    logger.debug({ state: next, previous }, 'agent connection state');
    emitter.emit('state', next, previous);
  }

  function connect(): void {
    setState('connecting');
    slowRetryReason = undefined;
    sentUpToSeq = 0;
    ignoredKinds = new Set();
    const socket = new WebSocket(url, {
      headers: {
        Authorization: `Bearer ${offeredToken()}`,
        // Told before the credential is checked, so a server restored from an older backup can list
        // this machine as needing re-enrollment (PROTOCOL.md §3). Claims only: never trusted.
        ...(opts.identity
          ? {
              'X-Quarkpulse-Device-Id': encodeURIComponent(opts.identity.deviceId).slice(0, 100),
              'X-Quarkpulse-Hostname': encodeURIComponent(opts.identity.hostname).slice(0, 255),
              'X-Quarkpulse-Platform': opts.identity.platform.slice(0, 40),
            }
          : {}),
      },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: opts.handshakeTimeoutMs ?? 15_000,
      // Reports are a few KB every few seconds; compression would cost more CPU and memory than it saves.
      perMessageDeflate: false,
      ...(ca ? { ca } : {}),
    });
    ws = socket;
    // Handlers ignore events of a socket that is no longer the current one.
    socket.on('open', () => socket === ws && onOpen(socket));
    socket.on('message', (data, isBinary) => socket === ws && onMessage(data, isBinary));
    socket.on('ping', () => socket === ws && armLiveness(socket));
    socket.on('pong', () => socket === ws && armLiveness(socket));
    let upgradeRefused = false;
    socket.on('unexpected-response', (_req, res) => {
      upgradeRefused = true;
      res.resume();
      if (res.statusCode === 401 && tokenIndex + 1 < previousTokens.length) {
        tokenIndex++;
        logger.warn(
          { url, olderCredential: tokenIndex + 1 },
          'device credential rejected; trying an older credential of this device (was the server restored from a backup?)',
        );
      } else if (res.statusCode === 401 || res.statusCode === 403) {
        tokenIndex = -1;
        slowRetryReason = 'device credential rejected — re-enroll';
        logger.error({ url, status: res.statusCode }, 'device credential rejected — re-enroll (quarkpulse agent enroll --server URL --token T)');
      } else {
        logger.warn({ url, status: res.statusCode }, 'server refused the WebSocket upgrade');
      }
      socket.terminate();
    });
    socket.on('error', (err) => {
      // After a refused upgrade ws reports "closed before the connection was established": already logged.
      if (socket !== ws || upgradeRefused) return;
      logger.warn({ url, attempt, err: err.message }, 'agent connection error');
    });
    socket.on('close', (code, reason) => socket === ws && onClose(code, reason.toString()));
  }

  function onOpen(socket: WebSocket): void {
    setState('handshaking');
    armLiveness(socket);
    const hello: Hello = { type: 'hello', v: PROTOCOL_VERSION, streamId: spool.streamId, ...opts.hello() };
    socket.send(JSON.stringify(hello));
    welcomeTimer = setTimeout(() => {
      logger.warn({ url, welcomeTimeoutMs }, 'server did not answer hello with welcome; reconnecting');
      socket.terminate();
    }, welcomeTimeoutMs);
  }

  function armLiveness(socket: WebSocket): void {
    if (livenessTimer) {
      livenessTimer.refresh();
      return;
    }
    livenessTimer = setTimeout(() => {
      logger.warn({ url, livenessTimeoutMs }, 'nothing heard from the server; reconnecting');
      socket.terminate();
    }, livenessTimeoutMs);
  }

  function onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    armLiveness(ws!);
    if (isBinary) return ignoreOnce('binary', 'ignored a binary frame from the server (the protocol uses text frames)', {});
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    const decoded = decodeServerFrame(text);
    if (!decoded.ok && decoded.code === AgentErrorCode.UNSUPPORTED_VERSION && state === 'handshaking') {
      // Without a welcome we would wait forever; retrying soon cannot help.
      slowRetryReason = `${decoded.message} — upgrade the agent`;
      logger.error({ url }, `server answered hello in a newer protocol: ${slowRetryReason}`);
      ws?.close(CloseCode.UNSUPPORTED_VERSION, 'protocol version not supported');
      return;
    }
    if (!decoded.ok) {
      return ignoreOnce(decoded.code, `ignored a server frame: ${decoded.message}`, { code: decoded.code });
    }
    handle(decoded.message);
  }

  function ignoreOnce(kind: string, msg: string, fields: Record<string, unknown>): void {
    if (ignoredKinds.has(kind)) return;
    ignoredKinds.add(kind);
    logger.warn(fields, msg);
  }

  function handle(msg: ServerMessage): void {
    switch (msg.type) {
      case 'welcome':
        if (state !== 'handshaking') return ignoreOnce('welcome', 'ignored a second welcome', {});
        // Reports the server already holds (sent before a lost ack) are not sent again.
        clearTimeout(welcomeTimer);
        spool.ack(msg.lastSeq);
        sentUpToSeq = msg.lastSeq;
        readySinceMs = performance.now();
        setState('ready');
        if (tokenIndex >= 0) void adoptRestoredToken(tokenIndex);
        logger.info({ deviceId: msg.deviceId, lastSeq: msg.lastSeq, pending: spool.pending().length }, 'connected to server');
        opts.onConfig?.(msg.config);
        emitter.emit('welcome', msg);
        sendPending();
        return;
      case 'ack':
        spool.ack(msg.seq);
        emitter.emit('ack', msg.seq);
        sendPending();
        return;
      case 'error':
        return onErrorFrame(msg);
      case 'config':
        opts.onConfig?.(msg.config);
        return;
      case 'credential':
        void onCredentialFrame(msg.deviceToken, ws);
        return;
      case 'job':
        if (state !== 'ready') return ignoreOnce('job-early', 'ignored a job before welcome', {});
        if (!opts.onJob) return ignoreOnce('job', 'ignored a job: this agent runs no tasks', {});
        opts.onJob(msg);
        return;
      case 'jobAck':
        opts.onJobAck?.(msg);
        return;
    }
  }

  /** The server accepted an older credential: it becomes current, the refused one goes to the older list. */
  async function adoptRestoredToken(index: number): Promise<void> {
    const restored = previousTokens[index]!;
    previousTokens = [deviceToken, ...previousTokens.filter((_, i) => i !== index)];
    deviceToken = restored;
    tokenIndex = -1;
    logger.warn('the server accepted an older credential of this device (restored from a backup?); using it from now on');
    try {
      await opts.onCredentialRestored?.(restored);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'could not save the restored credential in the config file; this run keeps using it');
    }
  }

  async function onCredentialFrame(newToken: string, socket: WebSocket | undefined): Promise<void> {
    if (!opts.onCredential) {
      logger.error('server sent a rotated credential but this agent has no config file to keep it in; not acknowledged (the old credential stays valid)');
      return;
    }
    try {
      await opts.onCredential(newToken);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'could not persist the rotated device credential; not acknowledged (the old credential stays valid)');
      return;
    }
    // Kept, like in the config file, for a server that is later restored from an older backup.
    previousTokens = [deviceToken, ...previousTokens.filter((x) => x !== newToken)].slice(0, 3);
    deviceToken = newToken;
    // If this socket is gone, the next connect authenticates with the new token, which tells the server as much.
    if (socket && socket === ws && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: 'credentialAck', v: PROTOCOL_VERSION }));
    }
    logger.info('device credential rotated and persisted');
  }

  function send(message: AgentMessage): boolean {
    const socket = ws;
    if (state !== 'ready' || !socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  function onErrorFrame(msg: ErrorFrame): void {
    const fields = { code: msg.code, seq: msg.seq, retryable: msg.retryable, serverMessage: msg.message };
    if (msg.seq !== undefined && !msg.retryable) {
      // Sending it again can never succeed; keeping it would block nothing but would replay forever.
      spool.remove(msg.seq);
      logger.warn(fields, `server refused report ${msg.seq} for good; dropped it: ${msg.code}: ${msg.message}`);
      sendPending();
    } else if (msg.seq !== undefined) {
      // The report is still spooled; reconnecting makes the server tell (welcome.lastSeq) where to resume.
      if (msg.retryAfterMs !== undefined) minNextDelayMs = Math.max(minNextDelayMs, msg.retryAfterMs);
      logger.warn(fields, `server could not take report ${msg.seq}: ${msg.code}: ${msg.message}; reconnecting to resend`);
      ws?.close(CloseCode.NORMAL, 'resend after retryable error');
    } else {
      logger.warn(fields, `server error: ${msg.code}: ${msg.message}`);
    }
  }

  function sendPending(): void {
    const socket = ws;
    if (state !== 'ready' || !socket || socket.readyState !== WebSocket.OPEN) return;
    let inFlight = 0;
    for (const entry of spool.pending()) {
      if (entry.seq <= sentUpToSeq) {
        inFlight++;
        continue;
      }
      if (inFlight >= maxInFlight) break;
      socket.send(entry.frame);
      sentUpToSeq = entry.seq;
      inFlight++;
    }
  }

  function onClose(code: number, reason: string): void {
    clearTimeout(livenessTimer);
    clearTimeout(welcomeTimer);
    livenessTimer = undefined;
    ws = undefined;
    if (state === 'stopped') return;
    if (state === 'ready') {
      // Losing a working connection usually means the server went away for every agent at once.
      const wasStable = performance.now() - readySinceMs >= stableAfterMs;
      attempt = wasStable ? spreadAttempt : Math.max(attempt, spreadAttempt);
    }
    const slowReason = slowRetryReason ?? SLOW_RETRY_CLOSE_CODES.get(code);
    const delayMs = Math.max(minNextDelayMs, slowReason ? capDelayMs(backoff) : backoffDelayMs(attempt, backoff));
    minNextDelayMs = 0;
    attempt++;
    if (slowReason && !slowRetryReason) logger.error({ url, code, reason }, slowReason);
    logger.info({ url, code, reason, delayMs, attempt }, 'agent connection closed; reconnecting after delay');
    setState('backoff');
    backoffTimer = setTimeout(() => {
      backoffTimer = undefined;
      if (state === 'backoff') connect();
    }, delayMs);
  }

  async function stop(): Promise<void> {
    if (state === 'stopped') return;
    setState('stopped');
    clearTimeout(backoffTimer);
    clearTimeout(livenessTimer);
    clearTimeout(welcomeTimer);
    livenessTimer = undefined;
    const socket = ws;
    ws = undefined;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    if (socket.readyState !== WebSocket.OPEN) {
      socket.terminate();
      return;
    }
    await new Promise<void>((resolve) => {
      // Do not hang shutdown on a server that never completes the closing handshake.
      const timer = setTimeout(() => socket.terminate(), 2_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(CloseCode.NORMAL, 'agent stopping');
    });
  }

  async function drain(timeoutMs: number): Promise<void> {
    if (state !== 'ready' || spool.pending().length === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        emitter.off('ack', check);
        emitter.off('state', done);
        resolve();
      };
      const check = () => spool.pending().length === 0 && done();
      const timer = setTimeout(done, timeoutMs);
      emitter.on('ack', check);
      emitter.on('state', done);
    });
  }

  const connection = emitter as Connection;
  // A getter, not a copied value: callers must see the state as it is now.
  Object.defineProperty(connection, 'state', { get: () => state, enumerable: true });
  return Object.assign(connection, {
    start() {
      if (state === 'idle') connect();
    },
    sendPending,
    send,
    drain,
    stop,
  });
}
