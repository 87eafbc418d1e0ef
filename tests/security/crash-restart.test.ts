/**
 * Crash safety with real processes on loopback: the server runs in a child process and is killed
 * with SIGKILL in the middle of heavy ingest from spooling agents (several hundred reports/s),
 * then started again on the same data directory and port, three times. After each kill the
 * database passes PRAGMA integrity_check; at the end every report the server acknowledged is
 * stored exactly once (read back through the REST metrics API), the agents' replays filled in
 * everything that was not acknowledged, and nothing was stored twice.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/test-server.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { createSpoolingAgent, type SpoolingAgent } from './helpers/spooling-agent.js';
import { storedCopies } from './helpers/stored-reports.js';

const AGENTS = 40;
const RATE_PER_AGENT = 10;
const CYCLES = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, check: () => boolean, timeoutMs: number, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

describe('kill -9 in the middle of ingest', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-crash-'));
  let server: ServerProcess | undefined;
  const agents: SpoolingAgent[] = [];
  afterAll(async () => {
    for (const a of agents) a.stop();
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses no acknowledged report and stores none twice across ${CYCLES} crash-restart cycles`, { timeout: 90_000 }, async () => {
    server = await startServerProcess(dataDir, 0);
    const port = server.port;
    const api = new ApiClient(server.url);
    await api.login('admin', 'crash-test-password');
    const client = (await api.post('/api/clients', { name: 'Crash Co', contract: 'monthly' })).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const baseTsMs = Date.now() - 3_600_000;
    const devices: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const r = await api.post('/api/enroll', { token, hostname: `crash-${i}`, machineId: `machine-${i}` });
      expect(r.status, r.text).toBe(201);
      devices.push(r.json.deviceId);
      agents.push(createSpoolingAgent({ url: server.url, deviceId: r.json.deviceId, token: r.json.deviceToken, baseTsMs, ratePerSec: RATE_PER_AGENT }));
    }
    for (const a of agents) a.start();
    const ackedTotal = () => agents.reduce((n, a) => n + a.acked.size, 0);

    const figures: { ackedBeforeKill: number; unackedAtKill: number; integrity: string }[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Stream for a while: the kill must land with reports queued, in a batch, and in flight.
      const ackedAtStart = ackedTotal();
      await waitUntil('acks flowing', () => ackedTotal() >= ackedAtStart + 300, 15_000);
      await sleep(200 + Math.random() * 300);
      const unacked = () => agents.reduce((n, a) => n + a.pending(), 0);
      await waitUntil('reports in flight', () => unacked() >= 20, 5_000, 2);
      const unackedAtKill = unacked();
      server.child.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      // The crash image is consistent before anything repairs it.
      const db = new Database(path.join(dataDir, 'quarkpulse.db'));
      const integrity = db.pragma('integrity_check', { simple: true }) as string;
      db.close();
      figures.push({ ackedBeforeKill: ackedTotal(), unackedAtKill, integrity });
      expect(integrity).toBe('ok');
      expect(unackedAtKill).toBeGreaterThan(0);
      server = await startServerProcess(dataDir, port);
    }

    // Let the agents catch up, then stop producing and drain every spool.
    await waitUntil('acks after the last restart', () => ackedTotal() >= figures.at(-1)!.ackedBeforeKill + 300, 15_000);
    for (const a of agents) a.stopProducing();
    await waitUntil('all spools drained', () => agents.every((a) => a.pending() === 0), 20_000);

    const admin = new ApiClient(server.url);
    await admin.login('admin', 'crash-test-password');
    let ackedLost = 0;
    let duplicates = 0;
    let missing = 0;
    let produced = 0;
    for (const [i, a] of agents.entries()) {
      const copies = await storedCopies(admin, devices[i]!, baseTsMs, a.producedUpTo());
      produced += a.producedUpTo();
      for (const seq of a.acked) if (!copies.has(seq)) ackedLost++;
      for (let seq = 1; seq <= a.producedUpTo(); seq++) {
        const n = copies.get(seq) ?? 0;
        if (n === 0) missing++;
        if (n > 1) duplicates += n - 1;
      }
    }
    const replayed = agents.reduce((n, a) => n + a.stats().replayed, 0);
    console.info(
      `crash-restart: ${CYCLES} SIGKILL cycles, ${AGENTS} agents × ${RATE_PER_AGENT}/s, ${produced} reports produced, ${ackedTotal()} acked, ` +
        `${replayed} replayed after a kill; acked lost ${ackedLost}, missing ${missing}, stored twice ${duplicates}; integrity ${figures.map((f) => f.integrity).join('/')}`,
    );
    expect({ ackedLost, missing, duplicates }).toEqual({ ackedLost: 0, missing: 0, duplicates: 0 });
    expect(replayed).toBeGreaterThan(0);

    // A graceful stop leaves a clean database too.
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const db = new Database(path.join(dataDir, 'quarkpulse.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
