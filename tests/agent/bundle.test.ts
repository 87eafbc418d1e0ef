/**
 * The single-file agent bundle as a real child process against the real server: --help, enroll,
 * run, and a kill -9 with a non-empty spool followed by a restart that loses nothing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { waitFor } from './helpers/protocol-server.js';

const run = promisify(execFile);
const BUNDLE = path.resolve('dist/agent/quarkpulse-agent.mjs');

beforeAll(async () => {
  await run(process.execPath, ['scripts/build-agent.mjs', '--bundle-only']);
}, 60_000);

let dir: string;
let t: TestServer | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

function startAgentProcess(configPath: string): ChildProcess {
  child = spawn(process.execPath, [BUNDLE, 'agent', 'run', '--config', configPath, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
const reportLines = (stateDir: string) =>
  (fs.existsSync(path.join(stateDir, 'spool.jsonl')) ? fs.readFileSync(path.join(stateDir, 'spool.jsonl'), 'utf8') : '')
    .split('\n')
    .filter((l) => l.startsWith('{"type":"report"'));

describe('single-file agent bundle', () => {
  it('runs with plain node and prints help', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-bundle-'));
    const { stdout } = await run(process.execPath, [BUNDLE, 'agent', '--help']);
    expect(stdout).toContain('enroll');
    expect(stdout).toContain('run');
  });

  it('enrolls, runs, and after kill -9 with a non-empty spool and a restart nothing is lost', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-bundle-'));
    t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false });
    const port = Number(new URL(t.url).port);
    const api = new ApiClient(t.url);
    await api.login();
    const client = (await api.post('/api/clients', { name: 'Bundle', contract: 'monthly' })).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token;
    const configPath = path.join(dir, 'agent', 'agent.json');
    const enrolled = await run(process.execPath, [BUNDLE, 'agent', 'enroll', '--server', t.url, '--token', token, '--config', configPath]);
    expect(enrolled.stdout).toMatch(/^enrolled: device id /);
    expect(fs.statSync(configPath).mode & 0o777).toBe(0o600);
    // 1 s interval, and the slow inventory collectors off, to keep the test short on a shared machine.
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    fs.writeFileSync(configPath, JSON.stringify({ ...config, intervalMs: 1_000 }), { mode: 0o600 });
    const stateDir = path.dirname(configPath);
    const quiet = { disks: false, updates: false, processes: false, printers: false, users: false, services: false };
    fs.writeFileSync(path.join(stateDir, 'server-settings.json'), JSON.stringify({ intervalMs: 1_000, collectors: quiet }));
    const deviceId = config.deviceId as string;
    await api.put(`/api/devices/${deviceId}/agent-config`, { intervalMs: 1_000, collectors: quiet });

    // Server down: the agent spools; then it is killed without any chance to clean up.
    await t.close();
    t = undefined;
    const first = startAgentProcess(configPath);
    await waitFor('three spooled reports', () => reportLines(stateDir).length >= 3, 20_000);
    first.kill('SIGKILL');
    await exited(first);
    const spooledSeqs = reportLines(stateDir).map((l) => JSON.parse(l).seq as number);
    expect(spooledSeqs.slice(0, 3)).toEqual([1, 2, 3]);

    t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false }, port);
    const second = startAgentProcess(configPath);
    const lastSeq = () =>
      (t!.server.db.prepare('SELECT max(last_seq) AS n FROM device_streams WHERE device_id = ?').get(deviceId) as { n: number | null }).n ?? 0;
    const lastSpooled = spooledSeqs[spooledSeqs.length - 1]!;
    await waitFor('spooled reports replayed and new ones stored', () => lastSeq() >= lastSpooled + 2, 20_000);
    second.kill('SIGTERM');
    await exited(second);
    expect(second.exitCode).toBe(0);

    // Every seq of the stream is stored once: one distinct report time per seq, none missing.
    const stored = lastSeq();
    const reports = t.server.ctx.metrics.readHead(deviceId, 0, Date.now() + 60_000);
    expect(new Set(reports.map((r) => r.seq)).size).toBe(reports.length);
    expect(reports.length).toBe(stored);
    expect(stored).toBeGreaterThanOrEqual(lastSpooled + 2);
  }, 60_000);
});
