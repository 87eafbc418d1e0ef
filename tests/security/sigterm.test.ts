/**
 * Graceful shutdown of the real command: `quarkpulse server` receives SIGTERM while agents stream
 * reports and a page is being delivered to a slow webhook. It exits 0 within seconds; every
 * report it acknowledged is stored exactly once; the delivery in flight recorded its outcome
 * (sent, not left "sending" to be sent again); and the database was closed cleanly (no WAL left).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent } from '../helpers/test-agent.js';
import { createSpoolingAgent, type SpoolingAgent } from './helpers/spooling-agent.js';
import { storedCopies } from './helpers/stored-reports.js';

const PASSWORD = 'sigterm-test-password';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('SIGTERM on quarkpulse server', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-sigterm-'));
  const agents: SpoolingAgent[] = [];
  let receiver: Server | undefined;
  let t: TestServer | undefined;
  afterAll(async () => {
    for (const a of agents) a.stop();
    await t?.close();
    receiver?.closeAllConnections();
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('flushes the ingest batch and the delivery in flight, and exits 0', { timeout: 60_000 }, async () => {
    // A webhook receiver that takes 700 ms to answer.
    let received = 0;
    let onFirst: () => void = () => {};
    const firstRequest = new Promise<void>((r) => (onFirst = r));
    receiver = createServer((req, res) => {
      req.resume();
      received++;
      onFirst();
      setTimeout(() => res.writeHead(200).end('ok'), 700);
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/quarkpulse.ts', 'server', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
      cwd: root,
      env: { ...process.env, QP_ADMIN_PASSWORD: PASSWORD, QP_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in 20 s: ${stderr}`)), 20_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /Quarkpulse server on https?:\/\/localhost:(\d+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${m[1]}`);
        }
      });
    });
    const api = new ApiClient(url);
    await api.login('admin', PASSWORD);
    const hook = (await api.post('/api/channels', { type: 'webhook', name: 'Slow hook', config: { url: hookUrl, secret: 'sigterm-hook-secret-0123' } })).json;
    expect(hook.id).toEqual(expect.any(String));
    expect(
      (
        await api.post('/api/escalation-policies', {
          name: 'Hook',
          isDefault: true,
          levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: hook.id }] }],
        })
      ).status,
    ).toBe(201);

    const baseTsMs = Date.now() - 3_600_000;
    const devices: string[] = [];
    for (let i = 0; i < 10; i++) {
      const dev = await enrollTestDevice(api, { clientName: 'Stream Co', hostname: `s-${i}`, machineId: `m-${i}` });
      devices.push(dev.deviceId);
      agents.push(createSpoolingAgent({ url, deviceId: dev.deviceId, token: dev.deviceToken, baseTsMs, ratePerSec: 20 }));
    }
    for (const a of agents) a.start();
    const ackedNow = () => agents.reduce((n, a) => n + a.acked.size, 0);
    for (let waited = 0; ackedNow() < 300 && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    // A full disk on a monthly client pages through the slow webhook.
    const disk = await enrollTestDevice(api, { clientName: 'Paged Co', hostname: 'srv' });
    const pager = await startTestAgent(url, disk.deviceToken, { hostname: 'srv' });
    await pager.report([{ name: 'fs.usedPct', labels: { mount: '/' }, value: 97 }]);
    await firstRequest;
    expect(ackedNow()).toBeGreaterThanOrEqual(300);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const shutdownMs = Date.now() - signalledAt;
    for (const a of agents) a.stop();
    pager.close();
    expect(shutdownMs).toBeLessThan(10_000);
    expect(stderr).toContain('SIGTERM received, shutting down');
    expect(existsSync(path.join(dataDir, 'quarkpulse.db-wal'))).toBe(false);

    // Read back with a fresh server on the same data.
    t = await startTestServer({ dataDir, logger: pino({ level: 'silent' }), adminPassword: PASSWORD });
    const admin = new ApiClient(t.url);
    await admin.login('admin', PASSWORD);
    let ackedLost = 0;
    let duplicates = 0;
    let acked = 0;
    for (const [i, a] of agents.entries()) {
      const copies = await storedCopies(admin, devices[i]!, baseTsMs, a.producedUpTo());
      acked += a.acked.size;
      for (const seq of a.acked) if (!copies.has(seq)) ackedLost++;
      for (const n of copies.values()) if (n > 1) duplicates += n - 1;
    }
    const deliveries = (await admin.get('/api/notifications')).json as { status: string; channelName: string }[];
    console.info(
      `sigterm: exit 0 after ${shutdownMs} ms; ${acked} reports acked, ${ackedLost} lost, ${duplicates} stored twice; webhook deliveries ${deliveries.map((d) => d.status).join(',')}`,
    );
    expect({ ackedLost, duplicates }).toEqual({ ackedLost: 0, duplicates: 0 });
    expect(deliveries.filter((d) => d.channelName === 'Slow hook').map((d) => d.status)).toEqual(['sent']);
    expect(received).toBe(1);
  });
});
