/**
 * The windows-x64 agent executable run for real under Debian's Wine (8.0, 64-bit only): built
 * here (windows-x64 only, into a temp dir), started by `wine` with a PATH that has no node, in a
 * throw-away WINEPREFIX set to Windows 10 (Node 20 refuses Wine's default Windows 7). It prints
 * its version, enrolls against a real server on 127.0.0.1 with the token in QP_TOKEN, and runs
 * until the server has stored its reports.
 *
 * Wine is not Windows: there is no service manager behind the agent here, Wine's powershell.exe
 * is a stub and its WMI is partial, so this proves the SEA starts (PE loader, the injected blob,
 * the fuse), that its Winsock, file and process code works, and which systeminformation
 * collectors answer under Wine — not how the agent behaves as a Windows service.
 *
 * Needs `wine` (Debian: wine, wine64, which .ci/run installs). Without it a developer machine
 * skips; in CI (CI=true) the test fails.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { pathWithoutNode } from '../helpers/agent-executables.js';
import { waitFor } from './helpers/protocol-server.js';

const run = promisify(execFile);
const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
const hasWine = spawnSync('wine', ['--version'], { env: { ...process.env, WINEDEBUG: '-all' } }).status === 0;
const inCi = process.env.CI === 'true';

/** A unix path as the Windows program sees it (Wine maps Z: to /). */
const winPath = (p: string) => `Z:${p.replaceAll('/', '\\')}`;

/**
 * Preloaded (NODE_OPTIONS --require) into `agent enroll`. Wine 8.0 has no IPPROTO_TCP
 * TCP_KEEPALIVE (`fixme:winsock:setsockopt Unknown IPPROTO_TCP optname 0x00000003`) and libuv
 * fails the pending connect with that setsockopt error, so every global fetch() (undici sets
 * keep-alive on its socket before it connects) ends in `connect UNKNOWN 127.0.0.1:…`. Windows
 * has the option. This defers setKeepAlive to the 'connect' event, where its error is ignored.
 */
const KEEPALIVE_SHIM = `const net = require('node:net');
const setKeepAlive = net.Socket.prototype.setKeepAlive;
net.Socket.prototype.setKeepAlive = function (...args) {
  if (!this.connecting) return setKeepAlive.apply(this, args);
  this.once('connect', () => setKeepAlive.apply(this, args));
  return this;
};
`;

/**
 * Preloaded into `agent run`. Wine's powershell.exe is a stub that exits at once: the agent's
 * persistent PowerShell (systeminformation's powerShellStart) then dies, the first query written
 * to it is an unhandled EPIPE that ends the agent, and with that handled no query ever answers
 * (collectSystemFacts waits forever). This makes that one spawn fail (no pid), so
 * systeminformation starts one powershell.exe per query instead, which the stub answers with
 * nothing: the PowerShell-backed collectors time out or come back empty, the rest report.
 */
const POWERSHELL_SHIM = `const cp = require('node:child_process');
const spawn = cp.spawn;
cp.spawn = function (file, args, ...rest) {
  if (!/powershell/i.test(String(file)) || !Array.isArray(args) || !args.includes('-NoExit')) return spawn.call(this, file, args, ...rest);
  const child = spawn.call(this, 'Z:\\\\no-persistent-powershell.exe', args, ...rest);
  child.on('error', () => {});
  return child;
};
`;

let outputs = 0;
/**
 * Starts the executable under Wine with stdout and stderr going to files: given a unix pipe,
 * Node under Wine 8.0 dies at start (`Error: open EBADF at new Socket …
 * createWritableStdioStream`, libuv cannot open the handle Wine makes for it); a file works.
 */
function startWine(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const n = ++outputs;
  const files = [path.join(dir, `out-${n}.txt`), path.join(dir, `err-${n}.txt`)] as const;
  const fds = files.map((f) => fs.openSync(f, 'w'));
  const proc = spawn('wine', [exe, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', fds[0], fds[1]] });
  for (const fd of fds) fs.closeSync(fd);
  const output = () => ({ stdout: fs.readFileSync(files[0], 'utf8'), stderr: fs.readFileSync(files[1], 'utf8') });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, ...output() }));
  });
  return { proc, output, exited };
}

let dir: string;
let exe: string;
let env: NodeJS.ProcessEnv;
let bin: string | undefined;
beforeAll(async () => {
  if (!hasWine) {
    if (inCi) throw new Error('wine is missing: CI needs it (.ci/run installs wine and wine64)');
    return;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-wine-'));
  bin = pathWithoutNode();
  env = { PATH: bin, HOME: dir, LANG: 'C', WINEPREFIX: path.join(dir, 'prefix'), WINEDEBUG: '-all', DISPLAY: '' };
  // The build and the prefix (first start of Wine: ~10 s) at once.
  await Promise.all([
    run(process.execPath, ['scripts/build-agent.mjs', '--platforms', 'windows-x64', '--out', path.join(dir, 'agent-dist')], { maxBuffer: 16 << 20 }),
    run('wine', ['winecfg', '-v', 'win10'], { env }),
  ]);
  exe = path.join(dir, 'agent-dist', 'bin', 'quarkpulse-agent-windows-x64.exe');
}, 300_000);

let t: TestServer | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  if (!hasWine) return;
  // Ends the prefix's wineserver and every Windows process left in it.
  if (env) await run('wineserver', ['-k'], { env }).catch(() => undefined);
  if (bin) fs.rmSync(bin, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasWine && !inCi)('windows-x64 executable under Wine', () => {
  it('prints its version with no node on PATH', async () => {
    await expect(run('sh', ['-c', 'command -v node'], { env })).rejects.toMatchObject({ code: 127 });
    const r = await startWine(['--version']).exited;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe(version);
  });

  it('enrolls against a real server with QP_TOKEN, runs and its reports are stored', async () => {
    t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false });
    const api = new ApiClient(t.url);
    await api.login();
    const client = (await api.post('/api/clients', { name: 'Wine', contract: 'monthly' })).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
    const configPath = path.join(dir, 'agent', 'agent.json');
    const shims = { keepAlive: path.join(dir, 'keepalive-shim.cjs'), powerShell: path.join(dir, 'powershell-shim.cjs') };
    fs.writeFileSync(shims.keepAlive, KEEPALIVE_SHIM);
    fs.writeFileSync(shims.powerShell, POWERSHELL_SHIM);

    // The token only in the environment, never on the command line.
    const enrollArgs = ['agent', 'enroll', '--server', t.url, '--config', winPath(configPath)];
    const enrolled = await startWine(enrollArgs, { QP_TOKEN: token, NODE_OPTIONS: `--require ${winPath(shims.keepAlive)}` }).exited;
    expect(enrolled).toMatchObject({ code: 0, stderr: '' });
    expect(enrolled.stdout).toMatch(/^enrolled: device id /);
    expect(enrolled.stdout).toContain(`config written to ${winPath(configPath)}`);
    const { deviceId } = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { deviceId: string };
    // 1 s interval and the update check off, as in the linux-x64 test.
    const settings = { intervalMs: 1_000, collectors: { updates: false } };
    fs.writeFileSync(path.join(dir, 'agent', 'server-settings.json'), JSON.stringify(settings));
    await api.put(`/api/devices/${deviceId}/agent-config`, settings);

    const agent = startWine(['agent', 'run', '--config', winPath(configPath), '--log-level', 'error'], {
      NODE_OPTIONS: `--require ${winPath(shims.powerShell)}`,
    });
    child = agent.proc;
    const reports = () => (t!.server.db.prepare('SELECT count(*) AS n FROM head_reports WHERE device_id = ?').get(deviceId) as { n: number }).n;
    await waitFor('two reports stored', () => reports() >= 2, 40_000).catch((err: Error) => {
      throw new Error(`${err.message}; agent output: ${JSON.stringify(agent.output())}`);
    });
    const series = (t.server.db.prepare('SELECT DISTINCT name FROM series WHERE device_id = ?').all(deviceId) as { name: string }[]).map((s) => s.name);
    // What answers under Wine: CPU load and uptime (Node's os module under systeminformation).
    // Memory, filesystems, network, temperature and battery go through PowerShell/WMI and time
    // out at init; processes, users, services, disks and printers report empty lists.
    expect(series).toEqual(expect.arrayContaining(['cpu.loadPct', 'system.uptimeSec']));
    const device = (await api.get(`/api/devices/${deviceId}`)).json;
    expect(device.facts).toMatchObject({ platform: 'Windows', arch: 'x64', cpuCores: os.cpus().length });
    // Wine's total memory is Linux's, counted in its own pages (a few KiB off).
    expect(Math.abs(device.facts.memTotalBytes - os.totalmem())).toBeLessThan(1 << 20);
    expect(device.agentVersion).toBe(version);
    expect(device.isOnline).toBe(true);
    expect(agent.output()).toEqual({ stdout: '', stderr: '' });
  }, 120_000);
});
