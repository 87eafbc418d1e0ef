/**
 * Live hub: pushes stored samples and device changes to dashboard sockets. The upgrade is
 * authenticated with the session cookie. Samples go only to sockets subscribed to that device;
 * device summaries are coalesced and sent at most once per `flushIntervalMs`, so a large fleet
 * does not flood browsers.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeviceSummary } from '../../shared/api-types.js';
import { liveClientMessageSchema, type LiveServerMessage } from '../../shared/live.js';
import type { Sample } from '../../shared/protocol.js';
import type { User } from '../store/users.js';

export interface LiveHubOptions {
  logger: Logger;
  /** Authenticates the upgrade request (session cookie). */
  authenticate: (req: IncomingMessage) => User | undefined;
  /** Builds the current summaries of the given devices. */
  summarize: (deviceIds: string[]) => DeviceSummary[];
  flushIntervalMs?: number;
}

interface Viewer {
  ws: WebSocket;
  user: User;
  deviceIds: Set<string>;
}

/** Creates the hub; wire `handleUpgrade` to the upgrade event for LIVE_WS_PATH. */
export function createLiveHub(opts: LiveHubOptions) {
  const { logger } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  const viewers = new Set<Viewer>();
  const changed = new Set<string>();

  const flusher = setInterval(() => {
    if (changed.size === 0 || viewers.size === 0) {
      changed.clear();
      return;
    }
    const ids = [...changed];
    changed.clear();
    const frame = JSON.stringify({ type: 'devices', devices: opts.summarize(ids) } satisfies LiveServerMessage);
    for (const v of viewers) if (v.ws.readyState === v.ws.OPEN) v.ws.send(frame);
  }, opts.flushIntervalMs ?? 1_000);
  flusher.unref();

  function sendTo(v: Viewer, msg: LiveServerMessage): void {
    if (v.ws.readyState === v.ws.OPEN) v.ws.send(JSON.stringify(msg));
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const user = opts.authenticate(req);
      if (!user) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const viewer: Viewer = { ws, user, deviceIds: new Set() };
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
    viewerCount(): number {
      return viewers.size;
    },
    close(): void {
      clearInterval(flusher);
      for (const v of viewers) v.ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
