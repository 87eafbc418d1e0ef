import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentSocketUrl, createConnection, type Connection, type ConnectionOptions } from '../../agent/connection.js';
import { openSpool, type Spool } from '../../agent/spool.js';
import { CloseCode, PROTOCOL_VERSION, type AgentConfig } from '../../shared/protocol.js';
import { WebSocketServer } from 'ws';
import { ProtocolServer, waitFor } from './helpers/protocol-server.js';
import { createTestLogger } from './helpers/test-logger.js';

const TOKEN = 'device-token-0123456789';

let dir: string;
let server: ProtocolServer;
let spool: Spool;
let connection: Connection | undefined;
let log: ReturnType<typeof createTestLogger>;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-conn-'));
  log = createTestLogger();
  spool = openSpool({ dir, logger: log.logger });
});

afterEach(async () => {
  await connection?.stop();
  connection = undefined;
  spool.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function appendReports(count: number): void {
  for (let i = 0; i < count; i++) {
    const seq = spool.allocateSeq();
    spool.append({ type: 'report', v: PROTOCOL_VERSION, seq, tsMs: 1_700_000_000_000 + seq, metrics: [{ name: 'load.avg1', value: seq }] });
  }
}

function connect(overrides: Partial<ConnectionOptions> = {}): Connection {
  connection = createConnection({
    serverUrl: overrides.serverUrl ?? server.url(),
    deviceToken: TOKEN,
    spool,
    logger: log.logger,
    hello: () => ({ agentVersion: '0.1.0-test', hostname: 'test-host', intervalMs: 10_000 }),
    // random 0: normal retries are immediate, "slow" retries wait exactly capMs / 2.
    backoff: { baseMs: 20, capMs: 60_000, random: () => 0 },
    ...overrides,
  });
  connection.start();
  return connection;
}

function pendingSeqs(): number[] {
  return spool.pending().map((e) => e.seq);
}

describe('agent connection manager against a real ws server', () => {
  it('authenticates with the bearer token, says hello, sends spooled reports in order, and trims the spool on ack', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    appendReports(3);
    const c = connect();
    await waitFor('three reports', () => server.received.length === 3);
    expect(server.authHeaders).toEqual([`Bearer ${TOKEN}`]);
    expect(server.hellos[0]).toMatchObject({ type: 'hello', v: 1, streamId: spool.streamId, hostname: 'test-host', intervalMs: 10_000 });
    expect(server.seqsOn(1)).toEqual([1, 2, 3]);
    await waitFor('spool trimmed by acks', () => spool.pending().length === 0);
    expect(spool.ackedSeq).toBe(3);
    expect(c.state).toBe('ready');

    appendReports(2);
    c.sendPending();
    await waitFor('new reports', () => server.received.length === 5);
    expect(server.seqsOn(1)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reconnects after the server closes and replays every unacknowledged report in order', async () => {
    server = await new ProtocolServer({ token: TOKEN, autoAck: false }).listen();
    appendReports(3);
    const c = connect();
    await waitFor('first send', () => server.received.length === 3);
    server.ack(1);
    await waitFor('ack 1 applied', () => spool.ackedSeq === 1);
    c.once('state', (state) => {
      expect(state).toBe('backoff');
      appendReports(1); // collected while disconnected
    });
    server.closeClients(CloseCode.GOING_AWAY);
    await waitFor('second connection replays', () => server.seqsOn(2).length === 3);
    expect(server.seqsOn(2)).toEqual([2, 3, 4]);
    expect(pendingSeqs()).toEqual([2, 3, 4]);
  });

  it('drops spooled reports the server already stored (welcome.lastSeq) without sending them', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    appendReports(4);
    server.lastSeq.set(spool.streamId, 2);
    connect();
    await waitFor('reports 3 and 4', () => server.received.length === 2);
    await server.roundTrip();
    expect(server.seqsOn(1)).toEqual([3, 4]);
    expect(spool.ackedSeq).toBeGreaterThanOrEqual(2);
  });

  it('raises its next seq above welcome.lastSeq so new reports are never taken for duplicates', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    server.lastSeq.set(spool.streamId, 40);
    const c = connect();
    await waitFor('ready', () => c.state === 'ready');
    expect(spool.allocateSeq()).toBe(41);
  });

  it('handles HTTP 401 on the upgrade without crashing: logs the re-enroll hint and backs off near the cap', async () => {
    server = await new ProtocolServer({ token: 'the-real-token-xyz' }).listen();
    const c = connect();
    await waitFor('backoff after 401', () => c.state === 'backoff');
    const rejected = log.lines.find((l) => l.msg.startsWith('device credential rejected — re-enroll'));
    expect(rejected).toMatchObject({ level: 50, status: 401 });
    const closed = log.lines.find((l) => l.msg === 'agent connection closed; reconnecting after delay');
    expect(closed?.delayMs).toBe(30_000);
    expect(server.connections).toBe(0);
  });

  it('ignores an unknown message type and a newer protocol version, logging one line each, and keeps working', async () => {
    server = await new ProtocolServer({ token: TOKEN, autoAck: false }).listen();
    appendReports(2);
    const c = connect();
    await waitFor('two reports', () => server.received.length === 2);
    server.sendToAll({ type: 'bogus', v: 1 });
    server.sendToAll({ type: 'bogus', v: 1 });
    server.sendToAll({ type: 'ack', v: 2, seq: 2 }); // a v2 ack must not trim anything
    server.sendToAll('not json at all');
    server.ack(1);
    await waitFor('v1 ack applied', () => spool.ackedSeq === 1);
    expect(pendingSeqs()).toEqual([2]);
    expect(c.state).toBe('ready');
    const warnings = log.lines.filter((l) => l.msg.startsWith('ignored a server frame')).map((l) => l.msg);
    expect(warnings).toEqual([
      'ignored a server frame: unknown message type "bogus"',
      'ignored a server frame: server speaks protocol v2; this agent speaks v1',
      expect.stringMatching(/^ignored a server frame: frame is not valid JSON/),
    ]);
  });

  it('drops a report the server refuses for good (retryable: false) and keeps the others', async () => {
    server = await new ProtocolServer({ token: TOKEN, autoAck: false }).listen();
    appendReports(3);
    connect();
    await waitFor('three reports', () => server.received.length === 3);
    server.sendToAll({ type: 'error', v: 1, code: 'UNKNOWN_METRIC', message: 'metrics.0.name: unknown metric', seq: 2, retryable: false });
    await waitFor('report 2 removed', () => !pendingSeqs().includes(2));
    expect(pendingSeqs()).toEqual([1, 3]);
    expect(log.lines.find((l) => l.code === 'UNKNOWN_METRIC')).toMatchObject({ level: 40, seq: 2 });
  });

  it('on RATE_LIMITED keeps the report, reconnects no sooner than retryAfterMs, and replays it', async () => {
    server = await new ProtocolServer({ token: TOKEN, autoAck: false }).listen();
    appendReports(2);
    const c = connect();
    await waitFor('two reports', () => server.received.length === 2);
    server.sendToAll({ type: 'error', v: 1, code: 'RATE_LIMITED', message: 'too many frames', seq: 2, retryable: true, retryAfterMs: 1_500 });
    await waitFor('backoff', () => c.state === 'backoff');
    expect(log.lines.find((l) => l.msg === 'agent connection closed; reconnecting after delay')).toMatchObject({ delayMs: 1_500 });
    expect(pendingSeqs()).toEqual([1, 2]);
  });

  it('stays in backoff with the cap delay when the server closes with UNSUPPORTED_VERSION', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const c = connect();
    await waitFor('ready', () => c.state === 'ready');
    server.closeClients(CloseCode.UNSUPPORTED_VERSION, 'v1 not supported');
    await waitFor('backoff', () => c.state === 'backoff');
    const closed = log.lines.find((l) => l.msg === 'agent connection closed; reconnecting after delay');
    expect(closed).toMatchObject({ code: CloseCode.UNSUPPORTED_VERSION, delayMs: 30_000 });
  });

  it('caps reports in flight: sends no more than maxInFlight until acks arrive', async () => {
    server = await new ProtocolServer({ token: TOKEN, autoAck: false }).listen();
    appendReports(5);
    connect({ maxInFlight: 2 });
    await waitFor('first two', () => server.received.length === 2);
    await server.roundTrip(); // anything sent before the pong has arrived by now
    expect(server.seqsOn(1)).toEqual([1, 2]);
    server.ack(1);
    await waitFor('third', () => server.received.length === 3);
    await server.roundTrip();
    expect(server.seqsOn(1)).toEqual([1, 2, 3]);
  });

  it('applies config pushed in welcome and in config frames', async () => {
    server = await new ProtocolServer({ token: TOKEN, intervalMs: 5_000 }).listen();
    const configs: AgentConfig[] = [];
    const c = connect({ onConfig: (cfg) => configs.push(cfg) });
    await waitFor('ready', () => c.state === 'ready');
    server.sendToAll({ type: 'config', v: 1, config: { intervalMs: 30_000 } });
    await waitFor('config frame', () => configs.length === 2);
    expect(configs).toEqual([{ intervalMs: 5_000 }, { intervalMs: 30_000 }]);
  });

  it('terminates and reconnects when nothing is heard within the liveness timeout', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    connect({ livenessTimeoutMs: 200 });
    await waitFor('second connection', () => server.connections >= 2);
    expect(log.messages()).toContain('nothing heard from the server; reconnecting');
  });

  it('stop() closes the socket with 1000 and does not reconnect', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const c = connect();
    await waitFor('ready', () => c.state === 'ready');
    await c.stop();
    await waitFor('server saw the close', () => server.closeCodes.length === 1);
    expect(server.closeCodes).toEqual([1000]);
    expect(c.state).toBe('stopped');
  });

  it('a server answering hello in a newer protocol: one clear error line, close 4005, retry near the cap (never stuck waiting)', async () => {
    const httpServer = http.createServer();
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    const wss = new WebSocketServer({ server: httpServer });
    wss.on('connection', (ws) =>
      ws.on('message', () => ws.send(JSON.stringify({ type: 'welcome', v: 2, deviceId: 'd', serverVersion: '9', lastSeq: 0, config: { intervalMs: 10_000 } }))),
    );
    const closeCodes: number[] = [];
    wss.on('connection', (ws) => ws.on('close', (code) => closeCodes.push(code)));
    try {
      const port = (httpServer.address() as { port: number }).port;
      const c = connect({ serverUrl: `http://127.0.0.1:${port}` });
      await waitFor('backoff', () => c.state === 'backoff');
      expect(log.lines.find((l) => l.level === 50)?.msg).toBe(
        'server answered hello in a newer protocol: server speaks protocol v2; this agent speaks v1 — upgrade the agent',
      );
      expect(log.lines.find((l) => l.msg === 'agent connection closed; reconnecting after delay')).toMatchObject({ code: 4005, delayMs: 30_000 });
      await waitFor('server saw 4005', () => closeCodes.length === 1);
      expect(closeCodes).toEqual([4005]);
    } finally {
      await connection?.stop();
      connection = undefined;
      wss.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });

  it('after losing a ready connection, the reconnect delay is drawn over the spread window, not the first-attempt second', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const c = connect({ backoff: { baseMs: 1_000, capMs: 60_000, random: () => 0.5 }, reconnectSpreadMs: 30_000 });
    await waitFor('ready', () => c.state === 'ready');
    server.closeClients(CloseCode.GOING_AWAY);
    await waitFor('backoff', () => c.state === 'backoff');
    // attempt 5: ceiling 32 s, half of it with random 0.5.
    expect(log.lines.find((l) => l.msg === 'agent connection closed; reconnecting after delay')).toMatchObject({ code: 1001, delayMs: 16_000 });
  });

  it('derives the ws URL from the server URL, keeping a path prefix', () => {
    expect(agentSocketUrl('https://monitor.example.com')).toBe('wss://monitor.example.com/agent/ws');
    expect(agentSocketUrl('http://10.0.0.5:8080/qp/')).toBe('ws://10.0.0.5:8080/qp/agent/ws');
  });
});
