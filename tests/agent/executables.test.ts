/**
 * The self-contained agent executables (`npm run build:agent`), built in this test run: the
 * linux-x64 one runs as a child whose PATH has no node, enrolls against a real server and reports;
 * the linux-arm64 and windows-x64 ones carry the injected blob (windows-exe-wine.test.ts also runs
 * the windows-x64 one under Wine).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { AGENT_EXECUTABLES, buildAgentExecutables, pathWithoutNode, SEA_BLOB } from '../helpers/agent-executables.js';
import { elfMachine, peResource } from '../helpers/executable-formats.js';
import { waitFor } from './helpers/protocol-server.js';

const run = promisify(execFile);
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };

// The first build fetches three Node runtimes with npm pack (~40 MB each) and injects three blobs.
beforeAll(() => buildAgentExecutables(), 300_000);

let dir: string;
let t: TestServer | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('agent executables', () => {
  it('linux-x64 runs without node on PATH: enrolls against a real server and reports every collector', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-exe-'));
    const bin = pathWithoutNode();
    const env = { PATH: bin, HOME: dir, LANG: 'C' };
    try {
      await expect(run('sh', ['-c', 'command -v node'], { env })).rejects.toMatchObject({ code: 127 });
      const exe = AGENT_EXECUTABLES['linux-x64'];
      expect((await run(exe, ['--version'], { env })).stdout.trim()).toBe(version);

      t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false });
      const api = new ApiClient(t.url);
      await api.login();
      const client = (await api.post('/api/clients', { name: 'Executable', contract: 'monthly' })).json;
      const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token;
      const configPath = path.join(dir, 'agent', 'agent.json');
      const enrolled = await run(exe, ['agent', 'enroll', '--server', t.url, '--token', token, '--config', configPath], { env });
      expect(enrolled.stdout).toMatch(/^enrolled: device id /);
      const { deviceId } = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { deviceId: string };
      // 1 s interval and the apt simulation off, to keep the test short on a shared machine.
      const settings = { intervalMs: 1_000, collectors: { updates: false } };
      fs.writeFileSync(path.join(dir, 'agent', 'server-settings.json'), JSON.stringify(settings));
      await api.put(`/api/devices/${deviceId}/agent-config`, settings);

      child = spawn(exe, ['agent', 'run', '--config', configPath, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const reports = () => (t!.server.db.prepare('SELECT count(*) AS n FROM head_reports WHERE device_id = ?').get(deviceId) as { n: number }).n;
      await waitFor('three reports stored', () => reports() >= 3, 30_000);
      const series = (t.server.db.prepare('SELECT DISTINCT name FROM series WHERE device_id = ?').all(deviceId) as { name: string }[]).map((s) => s.name);
      // One series of each per-cycle collector (systeminformation and /proc readers alike).
      for (const name of [
        'cpu.loadPct',
        'mem.usedBytes',
        'swap.totalBytes',
        'fs.usedBytes',
        'net.rxBytesPerSec',
        'load.avg1',
        'proc.count',
        'system.uptimeSec',
        'users.loggedInCount',
      ]) {
        expect(series).toContain(name);
      }
      const device = (await api.get(`/api/devices/${deviceId}`)).json;
      // The facts come from systeminformation (os, cpu, memory), bundled into the executable.
      expect(device.facts).toMatchObject({ platform: 'linux', arch: 'x64', cpuCores: os.cpus().length, memTotalBytes: os.totalmem() });
      expect(device.facts.distro).toMatch(/\w/);
      expect(device.agentVersion).toBe(version);
      expect(stderr).toBe('');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  }, 120_000);

  it('windows-x64 is a 64-bit PE whose NODE_SEA_BLOB resource is the agent blob, with the SEA fuse set', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-exe-'));
    const exe = fs.readFileSync(AGENT_EXECUTABLES['windows-x64']);
    const blob = fs.readFileSync(SEA_BLOB);
    const resource = peResource(exe, 'NODE_SEA_BLOB');
    expect(resource?.length).toBe(blob.length);
    expect(resource!.equals(blob)).toBe(true);
    expect(exe.includes(`${SEA_FUSE}:1`)).toBe(true);
    expect(exe.includes(`${SEA_FUSE}:0`)).toBe(false);
  });

  it('linux-arm64 is an AArch64 ELF carrying the agent blob, with the SEA fuse set', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-exe-'));
    const exe = fs.readFileSync(AGENT_EXECUTABLES['linux-arm64']);
    expect(elfMachine(exe)).toBe(183);
    expect(exe.includes(fs.readFileSync(SEA_BLOB))).toBe(true);
    expect(exe.includes(`${SEA_FUSE}:1`)).toBe(true);
    expect(elfMachine(fs.readFileSync(AGENT_EXECUTABLES['linux-x64']))).toBe(62);
  });
});
