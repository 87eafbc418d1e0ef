/**
 * Resource faults on the real database file: another process holding the write lock
 * (SQLITE_BUSY) and a full disk (SQLITE_FULL, played with PRAGMA max_page_count on the server's
 * own connection). Ingest acknowledges nothing it did not store, logs one clear line per fault,
 * tells agents STORAGE_UNAVAILABLE and closes 1013 so they back off, and takes the replayed
 * reports once the fault clears — each stored exactly once.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';
import { captureLog } from './helpers/log-capture.js';

const STREAM = 'stream-faults-01';
const hello = { type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'h', streamId: STREAM, intervalMs: 10_000 };
const report = (seq: number, values = 2) => ({
  type: 'report',
  v: 1,
  seq,
  tsMs: Date.now() - 600_000 + seq * 1000,
  metrics: Array.from({ length: values }, (_, i) => ({ name: 'fs.usedPct', labels: { mount: `/m${seq}-${i}` }, value: 42 })),
});

describe('storage faults', () => {
  let t: TestServer;
  const sockets: WsTestClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t?.close();
  });

  async function setup() {
    const log = captureLog();
    t = await startTestServer({ logger: log.logger });
    // Each write attempt waits at most this long for the lock (5 s in production).
    t.server.db.pragma('busy_timeout = 100');
    const api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api);
    return { log, dev };
  }
  async function agent(token: string): Promise<WsTestClient> {
    const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${token}` });
    sockets.push(c);
    return c;
  }
  /** Sends `seqs` on a fresh connection; resolves with what came back first for each: 'ack' or the error code. */
  async function attempt(token: string, seqs: number[], values = 2): Promise<{ outcome: string[]; closeCode: number | null }> {
    const c = await agent(token);
    c.send(hello);
    const first = await c.next((m) => m.type === 'welcome' || m.type === 'error');
    if (first.type === 'error') return { outcome: [first.code], closeCode: (await c.closed).code };
    const outcome: string[] = [];
    for (const seq of seqs) {
      c.send(report(seq, values));
      const m = await c.next((x) => (x.type === 'ack' || x.type === 'error') && x.seq === seq);
      outcome.push(m.type === 'ack' ? 'ack' : m.code);
      if (m.type === 'error') break;
    }
    const closeCode = outcome.includes('ack') && outcome.every((o) => o === 'ack') ? null : (await c.closed).code;
    c.ws.terminate();
    return { outcome, closeCode };
  }
  async function untilAcked(token: string, seqs: number[]): Promise<number> {
    for (let tries = 1; tries <= 20; tries++) {
      if ((await attempt(token, seqs)).outcome.every((o) => o === 'ack')) return tries;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error('never acknowledged after the fault cleared');
  }
  // Debug lines (each further failed write) are off in production.
  const storageLines = (log: ReturnType<typeof captureLog>) => log.lines().filter((l) => (l.level as number) >= 30 && String(l.msg).startsWith('storage '));

  it('database locked by another process: nothing acked, one clear line, STORAGE_UNAVAILABLE + 1013, recovers when the lock goes', async () => {
    const { log, dev } = await setup();
    expect((await attempt(dev.deviceToken, [1])).outcome).toEqual(['ack']);

    const other = new Database(path.join(t.dataDir, 'quarkpulse.db'));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      // A report while locked, then a reconnect whose hello cannot be recorded either.
      expect(await attempt(dev.deviceToken, [2, 3])).toEqual({ outcome: ['STORAGE_UNAVAILABLE'], closeCode: 1013 });
      await new Promise((r) => setTimeout(r, 1_100));
      const again = await attempt(dev.deviceToken, [2]);
      expect(again.closeCode).toBe(1013);
      expect(again.outcome).toEqual(['STORAGE_UNAVAILABLE']);
      expect(t.server.ctx.devices.lastSeq(dev.deviceId, STREAM)).toBe(1);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await untilAcked(dev.deviceToken, [2, 3]);
    expect(t.server.ctx.devices.lastSeq(dev.deviceId, STREAM)).toBe(3);
    // Every report stored once: 2 values each.
    expect(t.server.ctx.metrics.listSeries(dev.deviceId)).toHaveLength(6);
    expect(storageLines(log).map((l) => [l.level, l.msg])).toEqual([
      [
        50,
        'storage unavailable: the database is locked by another process (SQLITE_BUSY); ingest paused — reports are not acknowledged, agents keep them and resend, nothing is lost',
      ],
      [40, 'storage available again; ingest resumed'],
    ]);
    expect(log.lines().filter((l) => l.msg === 'ingest batch failed; reports not acknowledged')).toEqual([]);
  });

  it('disk full: nothing acked, one clear line, recovers when space is back', async () => {
    const { log, dev } = await setup();
    expect((await attempt(dev.deviceToken, [1])).outcome).toEqual(['ack']);
    const db = t.server.db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    try {
      // Big reports need new pages; the first one that does not fit is refused, not acked.
      let refusedAt = 0;
      for (let seq = 2; seq < 40 && !refusedAt; seq++) {
        const r = await attempt(dev.deviceToken, [seq], 400);
        if (r.outcome[0] !== 'ack') {
          expect(r).toEqual({ outcome: ['STORAGE_UNAVAILABLE'], closeCode: 1013 });
          refusedAt = seq;
        }
      }
      expect(refusedAt).toBeGreaterThan(1);
      expect(t.server.ctx.devices.lastSeq(dev.deviceId, STREAM)).toBe(refusedAt - 1);
      expect(storageLines(log).map((l) => l.msg)).toEqual([
        'storage unavailable: the disk (or the database size limit) is full (SQLITE_FULL); ingest paused — reports are not acknowledged, agents keep them and resend, nothing is lost',
      ]);
      db.pragma('max_page_count = 1073741823');
      await untilAcked(dev.deviceToken, [refusedAt]);
      expect(t.server.ctx.devices.lastSeq(dev.deviceId, STREAM)).toBe(refusedAt);
      expect(storageLines(log).at(-1)!.msg).toBe('storage available again; ingest resumed');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
  });
});
