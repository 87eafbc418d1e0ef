/**
 * Live hub: pushes stored samples, device changes and alert/incident changes to dashboard
 * sockets. The upgrade is authenticated with the session cookie, and the session is checked
 * again every `sessionCheckIntervalMs` (a socket outliving its session is closed with
 * LIVE_CLOSE_SESSION_ENDED). Samples go only to sockets subscribed to that device; device
 * summaries and alert/incident rows are coalesced and sent at most once per `flushIntervalMs`,
 * so a large fleet does not flood browsers.
 *
 *   ingest commit ─▶ publishSamples (subscribed sockets, at once)
 *                 └▶ markDeviceChanged ─┐
 *   engine / actions ─▶ markRecordsChanged ─┼─▶ flush (≤ 1/s): alerts, incidents, then devices
 *   gateway presence ─▶ markDeviceChanged ─┘        (a changed alert also refreshes its device)
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeviceSummary } from '../../shared/api-types.js';
import type { Alert, Incident } from '../../shared/alert-types.js';
import { LIVE_CLOSE_SESSION_ENDED, liveClientMessageSchema, type LiveServerMessage } from '../../shared/live.js';
import type { Sample } from '../../shared/protocol.js';
import type { User } from '../store/users.js';
import type { RecordsChanged } from '../alerting/index.js';
import { refuseUpgrade } from '../lib/raw-http.js';

/** An authenticated dashboard: who, and whether the session behind the socket still holds. */
export interface LiveViewerAuth {
  user: User;
  /** Re-checks the session (and keeps it alive while the socket is open). */
  isSessionValid: () => boolean;
}

export interface LiveHubOptions {
  logger: Logger;
  /**
   * Why the upgrade's Origin is refused (a cookie rides along on any page's upgrade request), or
   * undefined: checked before the session, answered 403 CSRF_REJECTED before any 101.
   */
  checkOrigin?: (req: IncomingMessage) => string | undefined;
  /** Authenticates the upgrade request (session cookie). */
  authenticate: (req: IncomingMessage) => LiveViewerAuth | undefined;
  /** Builds the current summaries of the given devices. */
  summarize: (deviceIds: string[]) => DeviceSummary[];
  /** Reads the current rows of changed alerts / incidents. */
  loadAlerts?: (ids: string[]) => Alert[];
  loadIncidents?: (ids: string[]) => Incident[];
  flushIntervalMs?: number;
  sessionCheckIntervalMs?: number;
  /** More changed rows than this in one flush are announced as a resync instead. */
  maxRowsPerFlush?: number;
}

interface Viewer {
  ws: WebSocket;
  auth: LiveViewerAuth;
  deviceIds: Set<string>;
}

/** Creates the hub; wire `handleUpgrade` to the upgrade event for LIVE_WS_PATH. */
export function createLiveHub(opts: LiveHubOptions) {
  const { logger } = opts;
  const maxRows = opts.maxRowsPerFlush ?? 500;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  const viewers = new Set<Viewer>();
  const changed = new Set<string>();
  const changedAlerts = new Set<string>();
  const changedIncidents = new Set<string>();

  function broadcast(msg: LiveServerMessage): void {
    const frame = JSON.stringify(msg);
    for (const v of viewers) if (v.ws.readyState === v.ws.OPEN) v.ws.send(frame);
  }

  function flushRecords<T extends { deviceId: string | null }>(
    ids: Set<string>,
    load: ((ids: string[]) => T[]) | undefined,
    send: (rows: T[], isResync: boolean) => void,
  ): void {
    if (ids.size === 0 || !load) return;
    const list = [...ids];
    ids.clear();
    if (list.length > maxRows) {
      send([], true);
      return;
    }
    const rows = load(list);
    for (const r of rows) if (r.deviceId) changed.add(r.deviceId);
    if (rows.length > 0) send(rows, false);
  }

  function flush(): void {
    if (viewers.size === 0) {
      changed.clear();
      changedAlerts.clear();
      changedIncidents.clear();
      return;
    }
    flushRecords(changedAlerts, opts.loadAlerts, (alerts, isResync) => broadcast({ type: 'alerts', alerts, isResync }));
    flushRecords(changedIncidents, opts.loadIncidents, (incidents, isResync) => broadcast({ type: 'incidents', incidents, isResync }));
    if (changed.size === 0) return;
    const ids = [...changed];
    changed.clear();
    broadcast({ type: 'devices', devices: opts.summarize(ids) });
  }

  const flusher = setInterval(() => {
    try {
      flush();
    } catch (err) {
      logger.error({ err }, 'live flush failed');
    }
  }, opts.flushIntervalMs ?? 1_000);
  flusher.unref();

  const sessionChecker = setInterval(() => {
    for (const v of viewers) {
      let isValid = false;
      try {
        isValid = v.auth.isSessionValid();
      } catch (err) {
        logger.error({ err }, 'live session check failed');
      }
      if (!isValid) {
        viewers.delete(v);
        v.ws.close(LIVE_CLOSE_SESSION_ENDED, 'session ended');
      }
    }
  }, opts.sessionCheckIntervalMs ?? 30_000);
  sessionChecker.unref();

  function sendTo(v: Viewer, msg: LiveServerMessage): void {
    if (v.ws.readyState === v.ws.OPEN) v.ws.send(JSON.stringify(msg));
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const refusal = opts.checkOrigin?.(req);
      if (refusal !== undefined) {
        refuseUpgrade(socket, 403, { code: 'CSRF_REJECTED', message: refusal });
        return;
      }
      const auth = opts.authenticate(req);
      if (!auth) {
        refuseUpgrade(socket, 401);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const viewer: Viewer = { ws, auth, deviceIds: new Set() };
        viewers.add(viewer);
        ws.on('message', (data, isBinary) => {
          let parsed: unknown;
          try {
            parsed = isBinary ? undefined : JSON.parse(data.toString());
          } catch {
            parsed = undefined;
          }
          const r = liveClientMessageSchema.safeParse(parsed);
          if (!r.success) {
            sendTo(viewer, { type: 'error', code: 'INVALID_MESSAGE', message: 'expected {"type":"subscribe","deviceIds":[…]}' });
            return;
          }
          viewer.deviceIds = new Set(r.data.deviceIds);
          sendTo(viewer, { type: 'subscribed', deviceIds: [...viewer.deviceIds] });
        });
        ws.on('error', (err) => logger.warn({ err }, 'dashboard socket error'));
        ws.on('close', () => viewers.delete(viewer));
      });
    },
    /** Pushes one stored report's samples to viewers of that device. */
    publishSamples(deviceId: string, tsMs: number, metrics: Sample[]): void {
      let frame: string | undefined;
      for (const v of viewers) {
        if (!v.deviceIds.has(deviceId)) continue;
        frame ??= JSON.stringify({ type: 'samples', deviceId, tsMs, metrics } satisfies LiveServerMessage);
        if (v.ws.readyState === v.ws.OPEN) v.ws.send(frame);
      }
    },
    /** Marks a device's summary as changed; sent with the next flush. */
    markDeviceChanged(deviceId: string): void {
      if (viewers.size > 0) changed.add(deviceId);
    },
    /** Marks alerts / incidents as changed; their rows (and their devices) go out with the next flush. */
    markRecordsChanged(change: RecordsChanged): void {
      if (viewers.size === 0) return;
      for (const id of change.alertIds ?? []) changedAlerts.add(id);
      for (const id of change.incidentIds ?? []) changedIncidents.add(id);
    },
    /** Sends everything pending now (tests, shutdown). */
    flush,
    viewerCount(): number {
      return viewers.size;
    },
    close(): void {
      clearInterval(flusher);
      clearInterval(sessionChecker);
      for (const v of viewers) v.ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
