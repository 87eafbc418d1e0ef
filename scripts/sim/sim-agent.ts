/**
 * One simulated agent speaking protocol v1 over a real WebSocket: hello → welcome → reports every
 * interval → acks. Like the real agent it keeps every unacked report (in memory here, on disk
 * there), sends at most `maxInFlight` unacked reports, drops what the welcome's lastSeq says is
 * stored, and replays the rest after a reconnect, which it retries with exponential backoff and
 * full jitter. It can also go offline on purpose for a while (collecting into its spool).
 *
 *   idle ─connect─▶ connecting ─open─▶ awaiting-welcome ─welcome─▶ ready ⇄ (send/ack)
 *     ▲                 │ error/close                                   │ close
 *     └──── backoff ◀───┴───────────────────────────────────────────────┘
 */
import WebSocket from 'ws';
import { AGENT_WS_PATH, PROTOCOL_VERSION, decodeServerMessage, type Report } from '../../shared/protocol.js';
import { latencyBin } from './latency.js';
import { MachineModel } from './value-model.js';

/** Credentials of one enrolled simulated device. */
export interface SimCredential {
  deviceId: string;
  deviceToken: string;
  hostname: string;
}

export interface SimAgentOptions {
  serverUrl: string;
  credential: SimCredential;
  /** Source address of the socket (127.0.0.x) so one host:port pair does not run out of ports. */
  localAddress?: string;
  intervalMs: number;
  seed: number;
  streamId: string;
  maxInFlight?: number;
  /** Most reports kept while unacked; the oldest are dropped beyond it (and counted). */
  maxSpool?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Chance per interval of going offline on purpose for 30–120 s. */
  offlineChancePerTick?: number;
  /** Keep every acked report's tsMs (for loss checks). */
  isTrackingAcked?: boolean;
  stats: SimStats;
}

/** Counters shared by the agents of one process. */
export interface SimStats {
  connected: number;
  connects: number;
  disconnects: number;
  reportsCollected: number;
  reportsSent: number;
  reportsAcked: number;
  valuesAcked: number;
  errors: number;
  rejected: number;
  spoolDropped: number;
  /** sample → ack latency, for reports sent right after collection on a live connection. */
  latencyBins: number[];
}

type State = 'idle' | 'connecting' | 'awaiting-welcome' | 'ready' | 'offline' | 'stopped';

interface Pending {
  report: Report;
  text: string;
  values: number;
  /** Whether it went out within the interval it was collected in (latency counts only those). */
  isLive: boolean;
  isSent: boolean;
}

export class SimAgent {
  state: State = 'idle';
  private ws: WebSocket | undefined;
  private readonly model: MachineModel;
  private readonly spool: Pending[] = [];
  private seq = 0;
  private inFlight = 0;
  private attempt = 0;
  private collectTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastCollectMs = 0;
  /** Highest seq the server has acknowledged. */
  ackedSeq = 0;
  /** tsMs of every acked report, when tracking. */
  readonly ackedTs: number[] = [];
  /** Time of the first ack after the latest (re)connect, ms. */
  firstAckAfterConnectMs = 0;
  connectedAtMs = 0;

  constructor(private readonly opts: SimAgentOptions) {
    this.model = new MachineModel(opts.seed);
  }

  get deviceId(): string {
    return this.opts.credential.deviceId;
  }

  /** Starts collecting (first report after a random phase) and connects. */
  start(): void {
    const phase = Math.floor(Math.random() * this.opts.intervalMs);
    this.lastCollectMs = Date.now();
    this.collectTimer = setTimeout(() => {
      this.collect();
      this.collectTimer = setInterval(() => this.collect(), this.opts.intervalMs);
    }, phase);
    this.connect();
  }

  /** Stops everything and closes the socket. */
  stop(): void {
    this.state = 'stopped';
    clearTimeout(this.collectTimer);
    clearInterval(this.collectTimer);
    clearTimeout(this.retryTimer);
    this.ws?.close(1000, 'simulation over');
    this.ws?.terminate();
  }

  private collect(): void {
    const now = Date.now();
    const samples = this.model.next(now - this.lastCollectMs);
    this.lastCollectMs = now;
    const report: Report = { type: 'report', v: PROTOCOL_VERSION, seq: ++this.seq, tsMs: now, metrics: samples };
    this.spool.push({ report, text: JSON.stringify(report), values: samples.length, isLive: true, isSent: false });
    this.opts.stats.reportsCollected++;
    const maxSpool = this.opts.maxSpool ?? 8_640;
    while (this.spool.length > maxSpool) {
      this.spool.shift();
      this.opts.stats.spoolDropped++;
    }
    if (this.state === 'ready') {
      if (this.opts.offlineChancePerTick && Math.random() < this.opts.offlineChancePerTick) this.goOffline(30_000 + Math.random() * 90_000);
      else this.pump();
    }
  }

  private goOffline(forMs: number): void {
    this.state = 'offline';
    this.ws?.close(1000, 'going offline');
    this.retryTimer = setTimeout(() => {
      if (this.state === 'offline') {
        this.state = 'idle';
        this.connect();
      }
    }, forMs);
  }

  /** Sends spooled reports while fewer than maxInFlight are unacked. */
  private pump(): void {
    const ws = this.ws;
    if (!ws || this.state !== 'ready') return;
    const max = this.opts.maxInFlight ?? 16;
    for (const p of this.spool) {
      if (this.inFlight >= max) break;
      if (p.isSent) continue;
      // Latency is the collector's figure only when it is sent within its own interval.
      if (Date.now() - p.report.tsMs > this.opts.intervalMs) p.isLive = false;
      ws.send(p.text);
      p.isSent = true;
      this.inFlight++;
      this.opts.stats.reportsSent++;
    }
  }

  private connect(): void {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    const url = this.opts.serverUrl.replace(/^http/, 'ws') + AGENT_WS_PATH;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.opts.credential.deviceToken}` },
      localAddress: this.opts.localAddress,
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.state = 'awaiting-welcome';
      this.connectedAtMs = Date.now();
      this.firstAckAfterConnectMs = 0;
      this.opts.stats.connected++;
      this.opts.stats.connects++;
      ws.send(
        JSON.stringify({
          type: 'hello',
          v: PROTOCOL_VERSION,
          agentVersion: 'sim-0.1.0',
          hostname: this.opts.credential.hostname,
          streamId: this.opts.streamId,
          intervalMs: this.opts.intervalMs,
          facts: { platform: 'linux', cpuCores: this.model.cores },
        }),
      );
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('error', () => {
      this.opts.stats.errors++;
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      if (this.state === 'awaiting-welcome' || this.state === 'ready' || (this.state === 'offline' && this.connectedAtMs > 0)) {
        this.opts.stats.connected--;
        this.opts.stats.disconnects++;
      }
      this.connectedAtMs = 0;
      this.ws = undefined;
      // Everything unacked goes out again after the reconnect (the server dedupes by seq).
      for (const p of this.spool) p.isSent = false;
      this.inFlight = 0;
      if (this.state === 'stopped' || this.state === 'offline') return;
      this.state = 'idle';
      const cap = this.opts.backoffCapMs ?? 15_000;
      const base = this.opts.backoffBaseMs ?? 500;
      const delay = Math.random() * Math.min(cap, base * 2 ** this.attempt);
      this.attempt = Math.min(this.attempt + 1, 20);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private onMessage(text: string): void {
    const d = decodeServerMessage(text);
    if (!d.ok) {
      this.opts.stats.errors++;
      return;
    }
    const msg = d.message;
    if (msg.type === 'welcome') {
      this.state = 'ready';
      this.attempt = 0;
      this.dropAcked(msg.lastSeq);
      this.pump();
    } else if (msg.type === 'ack') {
      if (this.firstAckAfterConnectMs === 0) this.firstAckAfterConnectMs = Date.now();
      this.dropAcked(msg.seq);
      this.pump();
    } else if (msg.type === 'error') {
      this.opts.stats.errors++;
      if (!msg.retryable && msg.seq !== undefined) {
        const i = this.spool.findIndex((p) => p.report.seq === msg.seq);
        if (i >= 0) {
          if (this.spool[i]!.isSent) this.inFlight--;
          this.spool.splice(i, 1);
          this.opts.stats.rejected++;
        }
      }
    }
  }

  /** Removes every spooled report with seq ≤ `seq`: the server has them. */
  private dropAcked(seq: number): void {
    const now = Date.now();
    while (this.spool.length > 0 && this.spool[0]!.report.seq <= seq) {
      const p = this.spool.shift()!;
      if (p.isSent) this.inFlight--;
      if (p.report.seq > this.ackedSeq) {
        this.opts.stats.reportsAcked++;
        this.opts.stats.valuesAcked += p.values;
        if (this.opts.isTrackingAcked) this.ackedTs.push(p.report.tsMs);
        if (p.isLive && p.isSent) this.opts.stats.latencyBins[latencyBin(now - p.report.tsMs)]!++;
      }
    }
    if (seq > this.ackedSeq) this.ackedSeq = seq;
    if (this.inFlight < 0) this.inFlight = 0;
  }
}
