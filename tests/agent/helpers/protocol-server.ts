/**
 * A small real server speaking agent protocol v1 for connection tests: a real HTTP server on port
 * 0, authenticating the upgrade like the real gateway (401 before any frame), answering hello with
 * welcome and reports with acks. Tests steer it (no auto-ack, pre-seeded lastSeq, raw frames).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { AGENT_WS_PATH, decodeAgentMessage, PROTOCOL_VERSION, type AgentMessage, type Hello, type Report } from '../../../shared/protocol.js';

export interface ProtocolServerOptions {
  token: string;
  /** Ack every stored report right away (default true). */
  autoAck?: boolean;
  intervalMs?: number;
  /** Pass in an https.Server for TLS tests; default a plain HTTP server. */
  server?: http.Server;
  /** Sent in welcome as jobSigningKey (maintenance-job tests). */
  jobSigningKey?: string;
}

export interface ReceivedReport {
  connection: number;
  report: Report;
}

export class ProtocolServer {
  readonly received: ReceivedReport[] = [];
  readonly hellos: Hello[] = [];
  /** Agent messages other than hello and report (inventory, credentialAck), in arrival order. */
  readonly others: AgentMessage[] = [];
  readonly authHeaders: (string | undefined)[] = [];
  readonly closeCodes: number[] = [];
  /** Highest stored seq per streamId: what welcome.lastSeq says. */
  readonly lastSeq = new Map<string, number>();
  connections = 0;
  autoAck: boolean;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly httpServer: http.Server;
  private streamOf = new Map<WebSocket, string>();

  constructor(private readonly opts: ProtocolServerOptions) {
    this.autoAck = opts.autoAck ?? true;
    this.httpServer = opts.server ?? http.createServer();
    this.httpServer.on('upgrade', (req, socket, head) => {
      this.authHeaders.push(req.headers.authorization);
      if (req.url !== AGENT_WS_PATH || req.headers.authorization !== `Bearer ${opts.token}`) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  get port(): number {
    return (this.httpServer.address() as AddressInfo).port;
  }

  /** Base URL the agent is configured with. */
  url(scheme = 'http'): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.httpServer.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Seqs received on one connection (1-based connection number), in arrival order. */
  seqsOn(connection: number): number[] {
    return this.received.filter((r) => r.connection === connection).map((r) => r.report.seq);
  }

  /** Sends a frame (object → JSON, string as is) to every connected agent. */
  sendToAll(frame: unknown): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    for (const ws of this.sockets) ws.send(text);
  }

  /** Acks seq on every connection and records it as stored. */
  ack(seq: number): void {
    for (const [ws, streamId] of this.streamOf) {
      this.lastSeq.set(streamId, Math.max(this.lastSeq.get(streamId) ?? 0, seq));
      ws.send(JSON.stringify({ type: 'ack', v: PROTOCOL_VERSION, seq }));
    }
  }

  /** Resolves after a ping/pong round trip with every agent: frames the agent sent earlier have arrived. */
  async roundTrip(): Promise<void> {
    await Promise.all(
      [...this.sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('pong', () => resolve());
            ws.ping();
          }),
      ),
    );
  }

  /** Closes every agent socket with a code. */
  closeClients(code = 1001, reason = 'test'): void {
    for (const ws of this.sockets) ws.close(code, reason);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.httpServer.closeAllConnections?.();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    const connection = ++this.connections;
    this.sockets.add(ws);
    ws.on('close', (code) => {
      this.closeCodes.push(code);
      this.sockets.delete(ws);
      this.streamOf.delete(ws);
    });
    ws.on('message', (data) => {
      const decoded = decodeAgentMessage(data.toString());
      if (!decoded.ok) {
        ws.send(
          JSON.stringify({ type: 'error', v: 1, code: decoded.code, message: decoded.message, retryable: false, ...(decoded.seq ? { seq: decoded.seq } : {}) }),
        );
        return;
      }
      const msg = decoded.message;
      if (msg.type === 'hello') {
        this.hellos.push(msg);
        this.streamOf.set(ws, msg.streamId);
        const lastSeq = this.lastSeq.get(msg.streamId) ?? 0;
        ws.send(
          JSON.stringify({
            type: 'welcome',
            v: PROTOCOL_VERSION,
            deviceId: 'dev-1',
            serverVersion: 'test',
            lastSeq,
            config: { intervalMs: this.opts.intervalMs ?? msg.intervalMs },
            ...(this.opts.jobSigningKey ? { jobSigningKey: this.opts.jobSigningKey } : {}),
          }),
        );
        return;
      }
      if (msg.type !== 'report') {
        this.others.push(msg);
        return;
      }
      const streamId = this.streamOf.get(ws)!;
      this.received.push({ connection, report: msg });
      if (this.autoAck) {
        this.lastSeq.set(streamId, Math.max(this.lastSeq.get(streamId) ?? 0, msg.seq));
        ws.send(JSON.stringify({ type: 'ack', v: PROTOCOL_VERSION, seq: msg.seq }));
      }
    });
  }
}

/** Polls until `check` is true; fails the test with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
