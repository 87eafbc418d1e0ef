/**
 * One address must not lock everyone out (issue 17, item 4). Reproduction from outside: one
 * remote address (127.0.0.2 — all of 127.0.0.0/8 is loopback on Linux) opens thousands of TCP
 * connections that never send a byte. Before the fix they filled the global cap of 4,096 waiting
 * sockets and /api/health and agent upgrades from anyone else went unanswered until the flood
 * aged out. Now each address has a fair share: the flood keeps at most its own share, and
 * requests and agent upgrades from other addresses are served while the flood is still open
 * (the header timeout is set far beyond the test, so nothing is rescued by the flood aging out).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../server/http/connection-guard.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

const FLOODER = '127.0.0.2';
/** Long enough that no flood socket is cut by a timeout while the test runs. */
const PATIENT = { headersTimeoutMs: 120_000, requestTimeoutMs: 120_000 };

interface IdleSocket {
  socket: net.Socket;
  isClosed: () => boolean;
}

/** Opens `n` TCP connections from `localAddress` that send nothing, 200 at a time. */
async function openIdle(port: number, localAddress: string, n: number, onClose: () => void): Promise<IdleSocket[]> {
  const out: IdleSocket[] = [];
  for (let i = 0; i < n; i += 200) {
    const wave = Array.from(
      { length: Math.min(200, n - i) },
      () =>
        new Promise<IdleSocket>((resolve, reject) => {
          let isClosed = false;
          const socket = net.connect({ port, host: '127.0.0.1', localAddress });
          socket.on('error', () => {});
          socket.once('close', () => {
            isClosed = true;
            onClose();
          });
          socket.once('connect', () => resolve({ socket, isClosed: () => isClosed }));
          socket.once('error', reject);
        }),
    );
    out.push(...(await Promise.all(wave)));
  }
  return out;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

/** Sends GET /api/health on an open socket: the status line of the answer. */
function askHealth(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
}

/** A raw GET /api/health from `localAddress`: the status line of the answer ('' if dropped unanswered). */
function healthFrom(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () =>
      socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
  });
}

describe('fair share of waiting sockets per remote address', () => {
  let t: TestServer;
  const idle: IdleSocket[] = [];
  const sockets: WsTestClient[] = [];
  afterEach(async () => {
    for (const s of idle.splice(0)) s.socket.destroy();
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t?.close();
  });

  it('keeps /api/health and agent upgrades answering while one address holds 4,300 idle connections (default limits)', async () => {
    t = await startTestServer({ connectionLimits: PATIENT });
    const api = new ApiClient(t.url);
    await api.login();
    const devices = await Promise.all([1, 2, 3, 4].map((i) => enrollTestDevice(api, { hostname: `fair-${i}` })));
    const port = Number(new URL(t.url).port);

    let closed = 0;
    idle.push(...(await openIdle(port, FLOODER, 4_300, () => closed++)));
    // Many requests and upgrades from another address at once, while the flood is still open.
    const [health, ...agents] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => healthFrom(port, '127.0.0.1'))),
      ...devices.map(async (d, i) => {
        const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${d.deviceToken}` });
        sockets.push(c);
        c.send({ type: 'hello', v: 1, agentVersion: 't', hostname: `fair-${i + 1}`, streamId: `stream-fair-000${i}`, intervalMs: 10_000 });
        await c.next((m) => m.type === 'welcome', 20_000);
        c.send({ type: 'report', v: 1, seq: 1, tsMs: Date.now(), metrics: [{ name: 'cpu.loadPct', value: 5 }] });
        return (await c.next((m) => m.type === 'ack', 20_000)).seq as number;
      }),
    ]);
    expect(health).toEqual(Array(50).fill('HTTP/1.1 200 OK'));
    expect(agents).toEqual([1, 1, 1, 1]);
    // The flood kept exactly its share; the rest of it was dropped at the door.
    const share = DEFAULT_CONNECTION_LIMITS.maxPendingPerAddress;
    await until(() => closed === 4_300 - share);
    expect(idle.filter((s) => !s.isClosed()).length).toBe(share);
    // Accepting 4,300 sockets keeps the 2-core machine busy for seconds beside other test files.
  }, 90_000);

  it("gives a newcomer the busiest address's oldest slot when one address filled the whole cap", async () => {
    // The per-address share equal to the cap: the flood alone fills every slot.
    t = await startTestServer({ connectionLimits: { ...PATIENT, maxPending: 600, maxPendingPerAddress: 600 } });
    const port = Number(new URL(t.url).port);
    let closed = 0;
    idle.push(...(await openIdle(port, FLOODER, 1_500, () => closed++)));
    await until(() => closed === 1_500 - 600);

    // More of the flood finds the cap full and its own address the busiest: dropped, no slot taken.
    let moreClosed = 0;
    const more = await openIdle(port, FLOODER, 100, () => moreClosed++);
    idle.push(...more);
    await until(() => moreClosed === 100);

    // Newcomers from another address, silent at first too: each takes one flood slot, the oldest.
    let newcomersClosed = 0;
    const newcomers = await openIdle(port, '127.0.0.3', 30, () => newcomersClosed++);
    idle.push(...newcomers);
    await until(() => closed === 1_500 - 600 + 30);
    expect(newcomersClosed).toBe(0);
    expect(idle.slice(0, 1_500).filter((s) => !s.isClosed()).length).toBe(570);
    // …and are served when they speak, together with fresh requests from a third address.
    const answers = await Promise.all([...newcomers.map((s) => askHealth(s.socket)), ...Array.from({ length: 20 }, () => healthFrom(port, '127.0.0.1'))]);
    expect(answers).toEqual(Array(50).fill('HTTP/1.1 200 OK'));
  }, 90_000);
});
