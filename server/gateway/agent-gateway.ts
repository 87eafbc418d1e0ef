/**
 * Agent WebSocket gateway. The upgrade is authenticated by the device credential before any
 * frame is read (401 otherwise); each frame is validated with the shared zod schemas; reports go
 * to ingest and are acknowledged only after their commit. A connection can only ever write the
 * data of the device its credential belongs to: the device id comes from the credential, never
 * from a frame.
 *
 *   upgrade ─ auth? ─no / disabled─▶ 401, socket destroyed
 *             │yes
 *   awaiting-hello ─hello─▶ ready ─report─▶ ingest ─commit─▶ ack
 *        │ 10 s               │  ├─inventory─▶ latest sections stored
 *        ▼                    │  ├─bad frame─▶ error frame (nothing stored)
 *   close 4008                │  └─credentialAck─▶ pending credential promoted
 *                             ├◀─ config (settings changed on the server)
 *                             ├◀─ credential (rotation requested)
 *                             ├── flood ─▶ RATE_LIMITED error, wait; ignored ─▶ close 1008 (agent-rate-limit.ts)
 *                             ├── storage fault ─▶ STORAGE_UNAVAILABLE error, close 1013
 *                             └── device disabled ─▶ close 4003
 *
 * Flow control: a connection stops being read (ws.pause(): TCP then pushes back on the agent)
 * while it has `maxInFlightPerConnection` reports waiting for their commit, and every agent
 * connection stops being read while ingest says it is under pressure. Agents keep unacked
 * reports in their spool, so slowing them down loses nothing; the server's memory stays bounded.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { AgentErrorCode, CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION, decodeAgentMessage, type AgentConfig } from '../../shared/protocol.js';
import type { Device, DeviceStore } from '../store/devices.js';
import type { AgentSettingsStore } from '../store/agent-settings.js';
import type { InventoryStore } from '../store/inventory.js';
import type { Ingest } from '../ingest/ingest.js';
import type { ProbeStore } from '../store/probes.js';
import type { JobMessage, JobStatus } from '../../shared/jobs.js';
import type { UpdateStatus } from '../../shared/protocol.js';
import type { DiscoveryResult } from '../../shared/discovery.js';
import { storageFaultOf } from '../store/faults.js';
import { refuseUpgrade } from '../lib/raw-http.js';
import { hashToken } from '../lib/secrets.js';
import type { RefusedAgentStore } from '../store/refused-agents.js';
import {
  DEFAULT_AGENT_RATE_LIMIT,
  admitFrame,
  admitReport,
  freshConnectionLimit,
  fullBucket,
  noteRefusedReport,
  takeTokens,
  type AgentRateLimitPolicy,
  type DeviceBuckets,
} from './agent-rate-limit.js';
import { createListeners } from '../lib/listeners.js';
import { sendErrorFrame as sendError, sendFrame as send, type Connection } from './connection.js';
import { startLiveness } from './liveness.js';
import { createCredentialRotation } from './credential-rotation.js';

export type { RotationOutcome } from './credential-rotation.js';

/** Options of the gateway. */
export interface AgentGatewayOptions {
  devices: DeviceStore;
  settings: AgentSettingsStore;
  inventory: InventoryStore;
  ingest: Ingest;
  logger: Logger;
  /** The data clock: timestamps that are stored (received-at, rotation, credential checks). */
  now: () => number;
  /** The timer clock (monotonic ms) of rate-limit buckets and liveness pings; default performance.now. */
  timerNow?: () => number;
  /** [0, 1), for the ping phase of each connection; default Math.random. */
  random?: () => number;
  serverVersion: string;
  helloTimeoutMs?: number;
  pingIntervalMs?: number;
  /** Reports of one connection that may wait for their commit before it stops being read. */
  maxInFlightPerConnection?: number;
  /** Flood limits per device (agent-rate-limit.ts); defaults suit real agents. */
  rateLimit?: Partial<AgentRateLimitPolicy>;
  /** Site probe: which probed devices an agent may report for, and their latest check outcomes. */
  probes?: Pick<ProbeStore, 'find' | 'saveResults'>;
  /** The job-signing public key, sent in every welcome (an agent without a pinned key pins it once). */
  jobSigningKey?: string;
  /** With a legacy job key: the server's one key endorsed by it, sent in every welcome (PROTOCOL.md §8.1). */
  signingKeyEndorsement?: { publicKey: string; signature: string };
  /** Agents refused for a credential this database does not know (server/store/refused-agents.ts). */
  refused?: Pick<RefusedAgentStore, 'record' | 'settledBy'>;
  /** Self-update: where an agent's updateStatus frames go (server/store/agent-updates.ts). */
  updates?: { recordStatus(deviceId: string, status: UpdateStatus, receivedAtMs: number): void };
  /** Site probe discovery: stores a scan's frame; false when the scan is not running on this agent. */
  discovery?: { onResult(deviceId: string, msg: DiscoveryResult): boolean };
}

/** What the gateway asks of the maintenance-job module (attached by the composition root: attachJobs). */
export interface GatewayJobHooks {
  /** Stores a job status; true once durably stored (the agent then gets jobAck and stops resending). */
  onStatus(deviceId: string, status: JobStatus): boolean;
  /** The device said hello: send it the jobs waiting for it. */
  onReady?(deviceId: string): void;
}

/** Reads the bearer token from an upgrade request. */
function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

/** Creates the gateway; wire `handleUpgrade` to the HTTP server's upgrade event for AGENT_WS_PATH. */
export function createAgentGateway(opts: AgentGatewayOptions) {
  const { devices, ingest, logger } = opts;
  const presenceListeners = createListeners<[deviceId: string, isConnected: boolean]>((err) => logger.error({ err }, 'presence listener failed'));
  const helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const connections = new Map<string, Connection>();
  const timerNow = opts.timerNow ?? (() => performance.now());
  const rotation = createCredentialRotation({ devices, logger, now: opts.now });
  const maxInFlight = opts.maxInFlightPerConnection ?? 32;
  let isGloballyPaused = false;
  let pauses = 0;
  const policy: AgentRateLimitPolicy = { ...DEFAULT_AGENT_RATE_LIMIT, ...opts.rateLimit };
  /** Per device, kept across reconnects so reconnecting does not refill them. */
  const buckets = new Map<string, DeviceBuckets>();
  let isClosing = false;
  /** Maintenance jobs (server/jobs/): status handling and delivery after hello; none until attached. */
  let jobHooks: GatewayJobHooks | undefined;
  const bucketsOf = (deviceId: string): DeviceBuckets => {
    let b = buckets.get(deviceId);
    if (!b) {
      const nowMs = timerNow();
      b = { frames: fullBucket(policy.burstFrames, nowMs), values: fullBucket(policy.burstValues, nowMs) };
      buckets.set(deviceId, b);
    }
    return b;
  };

  function applyPause(c: Connection): void {
    const shouldPause = isGloballyPaused || c.isSelfPaused;
    if (shouldPause && !c.ws.isPaused) {
      c.ws.pause();
      pauses++;
    } else if (!shouldPause && c.ws.isPaused) c.ws.resume();
  }

  const liveness = startLiveness({
    connections: () => connections.values(),
    intervalMs: opts.pingIntervalMs ?? 30_000,
    timerNow,
    random: opts.random ?? Math.random,
    logger,
  });

  function sendStorageUnavailable(ws: WebSocket, seq?: number): void {
    sendError(ws, AgentErrorCode.STORAGE_UNAVAILABLE, 'the server could not store this report; it will be accepted again after reconnecting', true, seq);
    ws.close(CloseCode.TRY_AGAIN_LATER, 'storage unavailable, try again later');
  }

  /** Flood control before a frame is parsed; false when the frame must not be handled. */
  function isFrameAdmitted(conn: Connection, data: RawData, isBinary: boolean): boolean {
    if (conn.isEvicted) return false;
    const verdict = admitFrame(bucketsOf(conn.device.id), conn.limit, policy, timerNow());
    if (verdict.kind === 'handle') return true;
    if (verdict.kind === 'close') {
      conn.isEvicted = true;
      logger.warn({ deviceId: conn.device.id, refused: conn.limit.refusedInWait }, 'agent kept sending while rate limited; closing with 1008');
      conn.ws.close(CloseCode.POLICY_VIOLATION, 'rate limit ignored');
      // A flooder may never answer the close handshake.
      setTimeout(() => conn.ws.terminate(), 1_000).unref();
    } else if (verdict.kind === 'refuse') {
      // Parsed once per wait, only to name the report the agent must resend first.
      const decoded = isBinary ? undefined : decodeAgentMessage(data.toString());
      const seq = decoded?.ok ? (decoded.message.type === 'report' ? decoded.message.seq : undefined) : decoded?.seq;
      if (seq !== undefined) noteRefusedReport(conn.limit, seq);
      logger.warn({ deviceId: conn.device.id, retryAfterMs: verdict.retryAfterMs }, 'agent rate limited');
      sendError(
        conn.ws,
        AgentErrorCode.RATE_LIMITED,
        `too many frames; wait ${verdict.retryAfterMs} ms, then resend${seq !== undefined ? ` from report ${seq}` : ''}`,
        true,
        seq,
        verdict.retryAfterMs,
      );
    }
    return false;
  }

  function onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const { ws, device } = conn;
    if (isBinary) {
      logger.warn({ deviceId: device.id }, 'binary frame refused');
      sendError(ws, AgentErrorCode.BINARY_NOT_SUPPORTED, 'binary frames are not part of the protocol; send JSON text frames', false);
      return;
    }
    const decoded = decodeAgentMessage(data.toString());
    if (!decoded.ok) {
      logger.warn({ deviceId: device.id, code: decoded.code, seq: decoded.seq, reason: decoded.message }, 'agent frame refused');
      sendError(ws, decoded.code, decoded.message, false, decoded.seq);
      return;
    }
    const msg = decoded.message;
    if (msg.type === 'hello') {
      conn.streamId = msg.streamId;
      conn.helloIntervalMs = msg.intervalMs;
      conn.agentVersion = msg.agentVersion;
      const config: AgentConfig = effectiveFor(conn);
      // The interval the agent will actually use decides when it counts as offline. Written with
      // the next ingest batch rather than in a commit of its own (reconnect storms).
      ingest.recordHello(device.id, { ...msg, intervalMs: config.intervalMs });
      send(ws, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        deviceId: device.id,
        serverVersion: opts.serverVersion,
        lastSeq: ingest.lastSeq(device.id, msg.streamId),
        config,
        ...(opts.jobSigningKey ? { jobSigningKey: opts.jobSigningKey } : {}),
        ...(opts.signingKeyEndorsement ? { signingKeyEndorsement: opts.signingKeyEndorsement } : {}),
      });
      presenceListeners.emit(device.id, true);
      // A rotation asked for while the agent was away is delivered now.
      if (devices.findById(device.id)?.rotationRequestedAtMs != null) rotation.deliver(conn);
      jobHooks?.onReady?.(device.id);
      return;
    }
    if (conn.streamId === null) {
      sendError(ws, AgentErrorCode.HELLO_REQUIRED, 'send hello before any other message', false, msg.type === 'report' ? msg.seq : undefined);
      return;
    }
    if (msg.type === 'inventory') {
      opts.inventory.save(device.id, msg.tsMs, opts.now(), msg.sections);
      if (msg.sections.facts) devices.recordFacts(device.id, msg.sections.facts);
      presenceListeners.emit(device.id, true);
      return;
    }
    if (msg.type === 'jobStatus') {
      if (jobHooks?.onStatus(device.id, msg)) send(ws, { type: 'jobAck', v: PROTOCOL_VERSION, jobId: msg.jobId, state: msg.state });
      return;
    }
    if (msg.type === 'updateStatus') {
      logger.info({ deviceId: device.id, version: msg.version, state: msg.state, code: msg.code, reason: msg.message }, 'agent update status');
      opts.updates?.recordStatus(device.id, msg, opts.now());
      return;
    }
    if (msg.type === 'discoveryResult') {
      if (!opts.discovery?.onResult(device.id, msg))
        sendError(
          ws,
          AgentErrorCode.DISCOVERY_SCAN_UNKNOWN,
          `scan ${msg.scanId} is not running on this agent (finished, cancelled or another probe's); stop it`,
          false,
        );
      return;
    }
    if (msg.type === 'credentialAck') {
      if (!rotation.acknowledge(conn)) sendError(ws, AgentErrorCode.NO_PENDING_CREDENTIAL, 'no credential rotation is pending for this device', false);
      return;
    }
    const seq = msg.seq;
    // After a refused report nothing on this connection is stored or acked (the agent replays
    // from welcome.lastSeq on its next connection); the refusal was already sent.
    if (conn.isStorageRefused) return;
    const admitted = admitReport(bucketsOf(device.id), conn.limit, policy, seq, msg.metrics.length, timerNow());
    if (!admitted.ok) {
      const message = admitted.isOutOfOrder
        ? `report ${seq} refused: report ${conn.limit.refusedSeq} was rate limited and must be sent first`
        : `too many values; wait ${admitted.retryAfterMs} ms, then resend from report ${seq}`;
      sendError(ws, AgentErrorCode.RATE_LIMITED, message, true, seq, admitted.retryAfterMs);
      return;
    }
    // Site probe: a report about a probed device is taken only from that device's probe.
    if (msg.targetDeviceId !== undefined) {
      const target = opts.probes?.find(msg.targetDeviceId);
      if (!target || target.probeDeviceId !== device.id) {
        logger.warn({ deviceId: device.id, targetDeviceId: msg.targetDeviceId, seq }, 'probe report for a device not assigned to this agent refused');
        sendError(ws, AgentErrorCode.PROBE_TARGET_FORBIDDEN, `device ${msg.targetDeviceId} is not a probed device assigned to this agent`, false, seq);
        return;
      }
      if (msg.checks) opts.probes!.saveResults(target.id, msg.tsMs, msg.checks);
    } else if (msg.checks !== undefined) {
      sendError(ws, AgentErrorCode.INVALID_MESSAGE, 'checks: only a report with targetDeviceId carries check outcomes', false, seq);
      return;
    }
    conn.inFlight++;
    if (conn.inFlight >= maxInFlight && !conn.isSelfPaused) {
      conn.isSelfPaused = true;
      applyPause(conn);
    }
    ingest.submit(
      {
        deviceId: device.id,
        streamId: conn.streamId,
        report: msg,
        receivedAtMs: opts.now(),
        connectionId: conn.id,
        ...(msg.targetDeviceId !== undefined ? { targetDeviceId: msg.targetDeviceId } : {}),
      },
      (r) => {
        conn.inFlight--;
        if (conn.isSelfPaused && conn.inFlight <= maxInFlight / 2) {
          conn.isSelfPaused = false;
          applyPause(conn);
        }
        if (r.ok) {
          send(ws, { type: 'ack', v: PROTOCOL_VERSION, seq });
          return;
        }
        // Nothing later on this connection may be acked past an unstored report, so the agent
        // must reconnect and replay from its spool. One refusal per connection is enough.
        if (conn.isStorageRefused) return;
        conn.isStorageRefused = true;
        sendStorageUnavailable(ws, seq);
      },
    );
  }

  let lastConnectionId = 0;

  // What a refused agent claims about itself (headers, unverified), for the re-enrollment list.
  function noteRefused(req: IncomingMessage, token: string): void {
    if (!opts.refused || token.length > 200) return;
    const header = (name: string, re: RegExp, max: number): string | undefined => {
      const raw = req.headers[name];
      if (typeof raw !== 'string') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(raw);
      } catch {
        return undefined;
      }
      return value.length <= max && re.test(value) ? value : undefined;
    };
    try {
      opts.refused.record({
        tokenHash: hashToken(token),
        deviceId: header('x-quarkpulse-device-id', /^[A-Za-z0-9_-]+$/, 64),
        hostname: header('x-quarkpulse-hostname', /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]*$/, 255),
        platform: header('x-quarkpulse-platform', /^[a-z0-9-]+$/, 40),
        remoteIp: req.socket.remoteAddress,
        atMs: opts.now(),
      });
    } catch (err) {
      logger.warn({ err }, 'could not record a refused agent credential');
    }
  }

  // The effective config of a connection; an update is announced only to an agent that runs another version.
  function effectiveFor(conn: Connection): AgentConfig {
    const config = opts.settings.effective(conn.device.id, conn.helloIntervalMs);
    if (config.update === undefined || config.update.version !== conn.agentVersion) return config;
    const { update: _current, ...rest } = config;
    return rest;
  }

  function onConnection(ws: WebSocket, device: Device): void {
    const previous = connections.get(device.id);
    if (previous) previous.ws.close(CloseCode.REPLACED, 'replaced by a newer connection');
    const conn: Connection = {
      ws,
      device,
      streamId: null,
      helloIntervalMs: device.intervalMs,
      agentVersion: null,
      isAlive: true,
      connectedAtMs: opts.now(),
      isCredentialInFlight: false,
      inFlight: 0,
      isSelfPaused: false,
      pingDueMs: liveness.firstPingDueMs(),
      limit: freshConnectionLimit(),
      isEvicted: false,
      id: ++lastConnectionId,
      isStorageRefused: false,
    };
    connections.set(device.id, conn);
    applyPause(conn);
    logger.debug({ deviceId: device.id, hostname: device.hostname }, 'agent connected');
    const helloTimer = setTimeout(() => {
      if (conn.streamId === null) ws.close(CloseCode.HELLO_TIMEOUT, 'no hello received');
    }, helloTimeoutMs);
    ws.on('pong', () => (conn.isAlive = true));
    ws.on('ping', (data) => {
      conn.isAlive = true;
      // Pings cost like frames: a ping flood is a flood.
      isFrameAdmitted(conn, data, true);
    });
    ws.on('message', (data, isBinary) => {
      conn.isAlive = true;
      if (isClosing || !isFrameAdmitted(conn, data, isBinary)) return;
      try {
        onMessage(conn, data, isBinary);
      } catch (err) {
        if (storageFaultOf(err)) {
          ingest.noteWriteFailed(err, { deviceId: device.id });
          sendStorageUnavailable(ws);
          return;
        }
        logger.error({ err, deviceId: device.id }, 'agent frame handling failed');
        sendError(ws, 'INTERNAL', 'internal server error', true);
      }
    });
    ws.on('error', (err) => logger.warn({ err, deviceId: device.id }, 'agent socket error'));
    ws.on('close', (code) => {
      clearTimeout(helloTimer);
      if (connections.get(device.id) === conn) {
        connections.delete(device.id);
        presenceListeners.emit(device.id, false);
      }
      logger.debug({ deviceId: device.id, code }, 'agent disconnected');
    });
  }

  /** Pushes new settings to a connected device; false if it is not connected (it gets them in its next welcome). */
  function pushConfig(deviceId: string, config: AgentConfig): boolean {
    const c = connections.get(deviceId);
    if (!c || c.streamId === null) return false;
    send(c.ws, { type: 'config', v: PROTOCOL_VERSION, config });
    devices.recordInterval(deviceId, config.intervalMs);
    return true;
  }

  return {
    /** Subscribes to devices connecting and disconnecting (live status, offline rules); returns the unsubscribe function. */
    onPresence: (listener: (deviceId: string, isConnected: boolean) => void) => presenceListeners.add(listener),
    /** Hands job statuses and hellos to the job service (the one handler; a status is acked only once it stores it); returns the detach function. */
    attachJobs(hooks: GatewayJobHooks): () => void {
      jobHooks = hooks;
      return () => {
        if (jobHooks === hooks) jobHooks = undefined;
      };
    },
    /** Authenticates and upgrades an agent connection, or answers 401 and drops it. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const token = bearerToken(req);
      const device = token ? devices.findByToken(token, opts.now()) : undefined;
      if (!device || device.isDisabled) {
        const reason = !token ? 'missing bearer token' : !device ? 'unknown device credential' : 'device is disabled';
        logger.warn({ remote: req.socket.remoteAddress, reason }, 'agent upgrade refused');
        if (token && !device) noteRefused(req, token);
        refuseUpgrade(socket, 401, { code: AgentErrorCode.AGENT_UNAUTHORIZED, message: reason });
        return;
      }
      // Reconnecting costs a frame, so a reconnect loop is a flood too.
      const b = bucketsOf(device.id);
      const taken = takeTokens(b.frames, 1, policy.burstFrames, policy.refillFramesPerSec, timerNow());
      b.frames = taken.bucket;
      if (!taken.ok || isClosing) {
        const retryAfterMs = taken.ok ? 5_000 : taken.retryAfterMs;
        refuseUpgrade(
          socket,
          isClosing ? 503 : 429,
          {
            code: AgentErrorCode.RATE_LIMITED,
            message: isClosing ? 'server shutting down' : `too many connections; retry in ${retryAfterMs} ms`,
            retryAfterMs,
          },
          { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) },
        );
        return;
      }
      rotation.completedByUpgrade(device.id, device.rotationRequestedAtMs);
      try {
        opts.refused?.settledBy(device.id, device.hostname);
      } catch (err) {
        logger.warn({ err, deviceId: device.id }, 'could not clear the refused-credential entry of a device');
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, device));
    },
    /** True while a device has an open agent connection that said hello. */
    isConnected(deviceId: string): boolean {
      return connections.get(deviceId)?.streamId != null;
    },
    /** Ids of the devices with an open agent connection that said hello. */
    connectedDeviceIds(): string[] {
      const ids: string[] = [];
      for (const [id, c] of connections) if (c.streamId !== null) ids.push(id);
      return ids;
    },
    /** Number of open agent connections. */
    connectionCount(): number {
      return connections.size;
    },
    /** The shortest report interval among open connections, ms, or null without any. */
    shortestIntervalMs(): number | null {
      let min: number | null = null;
      for (const c of connections.values()) if (min === null || c.helloIntervalMs < min) min = c.helloIntervalMs;
      return min;
    },
    pushConfig,
    /** Sends a signed job frame to a device that said hello; false if it is not connected. */
    sendJob(deviceId: string, frame: JobMessage): boolean {
      const c = connections.get(deviceId);
      if (!c || c.streamId === null || c.ws.readyState !== c.ws.OPEN) return false;
      send(c.ws, frame);
      return true;
    },
    /** Recomputes a connected device's effective config and pushes it; false if it is not connected. */
    refreshConfig(deviceId: string): boolean {
      const c = connections.get(deviceId);
      if (!c || c.streamId === null) return false;
      return pushConfig(deviceId, effectiveFor(c));
    },
    /** Stops (true) or resumes (false) reading every agent socket; wired to ingest pressure. */
    setPaused(isPaused: boolean): void {
      if (isGloballyPaused === isPaused) return;
      isGloballyPaused = isPaused;
      for (const c of connections.values()) applyPause(c);
    },
    /** Flow-control figures for /metrics and tests. */
    flowStats(): { isPaused: boolean; pausedConnections: number; pauses: number } {
      let paused = 0;
      for (const c of connections.values()) if (c.ws.isPaused) paused++;
      return { isPaused: isGloballyPaused, pausedConnections: paused, pauses };
    },
    /** Closes a device's live connection (e.g. 4003 after disabling it); false if it had none. */
    disconnect(deviceId: string, code: number, reason: string): boolean {
      const c = connections.get(deviceId);
      if (!c) return false;
      c.ws.close(code, reason);
      return true;
    },
    /**
     * Rotates a device's credential. Connected: the new credential goes over the socket and this
     * resolves 'rotated' once the agent confirmed it persisted it (within waitMs), else 'pending'.
     * Not connected: 'pending', and the credential is delivered at the next connection. The old
     * credential keeps working until the agent confirms, so a rotation never locks an agent out.
     */
    rotateCredential(deviceId: string, waitMs: number) {
      const c = connections.get(deviceId);
      return rotation.rotate(deviceId, c && c.streamId !== null ? c : undefined, waitMs);
    },
    /** Closes every agent connection with 1001 (server going away); frames arriving after this are ignored. */
    close(): void {
      isClosing = true;
      liveness.stop();
      for (const c of connections.values()) c.ws.close(CloseCode.GOING_AWAY, 'server shutting down');
      wss.close();
    },
  };
}
export type AgentGateway = ReturnType<typeof createAgentGateway>;
