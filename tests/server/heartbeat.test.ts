/**
 * The outbound heartbeat (dead man's switch): the real `quarkpulse server` in a child process
 * pings a loopback receiver every interval, and the pings stop when the process is SIGKILLed —
 * which is what makes the watching service page. A failing target is retried and reported once,
 * not every interval, and its recovery once; bad settings are refused with what to fix.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveServerSettings } from '../../server/config.js';
import { createHeartbeat } from '../../server/notify/heartbeat.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';
import { captureLog } from '../security/helpers/log-capture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('heartbeat', () => {
  let receiver: HttpReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('reaches the receiver every interval from the real server, and stops when it is killed', async () => {
    receiver = await startHttpReceiver();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-heartbeat-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/quarkpulse.ts', 'server', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
      cwd: root,
      env: {
        ...process.env,
        QP_ADMIN_PASSWORD: 'heartbeat-admin-password-1',
        QP_LOG_LEVEL: 'warn',
        QP_HEARTBEAT_URL: receiver.url('/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278'),
        QP_HEARTBEAT_INTERVAL_S: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      // Three pings a second apart (the first at start).
      const deadline = Date.now() + 30_000;
      while (receiver.accepted('/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278').length < 4 && Date.now() < deadline) await sleep(100);
      const pings = receiver.accepted('/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278');
      expect(pings.length, stderr).toBeGreaterThanOrEqual(4);
      expect(pings.every((p) => p.method === 'GET')).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    const atKill = receiver.requests.length;
    await sleep(2_500);
    // Dead means silent: the watching service notices the missing pings and pages.
    expect(receiver.requests.length).toBe(atKill);
    // The log never shows the check's token.
    expect(stderr).not.toContain('5bf66975');
  }, 60_000);

  it('retries a failing target, warns once while it fails, and once when it works again', async () => {
    receiver = await startHttpReceiver();
    receiver.setRespond(() => 503);
    const log = captureLog('debug');
    const hb = createHeartbeat({ url: receiver.url('/ping/secret-token-77'), intervalMs: 150, retryDelayMs: 10, logger: log.logger });
    hb.start();
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!ok() && Date.now() < deadline) await sleep(20);
    };
    await until(() => hb.stats().beatsFailed >= 4);
    expect(hb.stats().beatsFailed).toBeGreaterThanOrEqual(4);
    // Three tries per beat.
    expect(receiver.requests.length).toBeGreaterThanOrEqual(12);
    receiver.setRespond(() => 200);
    await until(() => hb.stats().beatsSent >= 2);
    await hb.stop();
    const lines = log.lines();
    const warns = lines.filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toBe(
      `heartbeat to ${new URL(receiver.url()).origin}/… failed (HTTP 503) after 3 tries; the service watching it will page if this goes on. Logged once until it works again`,
    );
    const recovered = lines.filter((l) => l.level === 30 && String(l.msg).includes('works again after'));
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.failedBeats).toBeGreaterThanOrEqual(4);
    expect(log.raw.join('\n')).not.toContain('secret-token-77');
    // Stopped: no more requests.
    const n = receiver.requests.length;
    await sleep(400);
    expect(receiver.requests.length).toBe(n);
  });

  it('refuses a heartbeat URL or interval that cannot work, saying what to fix', () => {
    const base = { QP_ADMIN_PASSWORD: 'heartbeat-admin-password-1' };
    expect(() => resolveServerSettings({}, { ...base, QP_HEARTBEAT_URL: 'hc-ping.com/abc' })).toThrow(
      'invalid setting heartbeatUrl: QP_HEARTBEAT_URL must be an http(s) URL such as https://hc-ping.com/<uuid>',
    );
    expect(() => resolveServerSettings({}, { ...base, QP_HEARTBEAT_URL: 'https://user:pw@hc.example.com/x' })).toThrow('must not contain user:password@');
    expect(() => resolveServerSettings({}, { ...base, QP_HEARTBEAT_URL: 'https://hc-ping.com/x', QP_HEARTBEAT_INTERVAL_S: '0' })).toThrow(
      'invalid setting heartbeatIntervalS: QP_HEARTBEAT_INTERVAL_S must be 1–3600 seconds',
    );
    expect(resolveServerSettings({}, { ...base, QP_HEARTBEAT_URL: 'https://hc-ping.com/x' })).toMatchObject({
      heartbeatUrl: 'https://hc-ping.com/x',
      heartbeatIntervalS: 60,
    });
  });
});
