/**
 * Self-update with rollback, with real executables: two linux-x64 builds with different versions
 * (A and B) built in this test, a real server serving B, a B that crashes on start (a signed
 * artifact that exits 3) and a tampered artifact (changed after the server signed it). One agent
 * process, run directly (re-exec mode), goes through all three in order:
 *   tampered → refused, nothing replaced;  crashing → swapped in, rolled back to A;  B → ends on B.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { pathWithoutNode } from '../helpers/agent-executables.js';
import { waitFor } from './helpers/protocol-server.js';

const run = promisify(execFile);
const A = '9.0.0-a';
const B = '9.0.0-b';
const CRASHING = '9.0.0-c';
const TAMPERED = '9.0.0-t';
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let dir: string;
let t: TestServer;
let api: ApiClient;
let exe: string;
let agent: ChildProcess;
let agentExit: Promise<number | null>;
let deviceId: string;
let logs = '';
let shaA: string;
let shaB: string;

/** A build directory with one linux-x64 "executable" that is a shell script. */
function scriptBuild(out: string, version: string, script: string): string {
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'quarkpulse-agent-linux-x64');
  fs.writeFileSync(file, script, { mode: 0o755 });
  const build = { version, artifacts: [{ platform: 'linux-x64', file: path.basename(file), size: fs.statSync(file).size, sha256: sha256(file) }] };
  fs.writeFileSync(path.join(out, 'build.json'), JSON.stringify(build));
  return file;
}

const device = () =>
  t.server.db.prepare('SELECT agent_version, update_state, update_version, update_code, update_message FROM devices WHERE id = ?').get(deviceId) as {
    agent_version: string | null;
    update_state: string | null;
    update_version: string | null;
    update_code: string | null;
    update_message: string | null;
  };
const reports = () => (t.server.db.prepare('SELECT count(*) AS n FROM head_reports WHERE device_id = ?').get(deviceId) as { n: number }).n;
const wantVersion = (version: string) => api.put('/api/agent-updates/policy', { scope: 'fleet', mode: 'version', version });
const overviewOf = async () => (await api.get('/api/agent-updates')).json.devices.find((d: { deviceId: string }) => d.deviceId === deviceId);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-self-update-'));
  // Two real builds that differ only in their version (~3 s each once the runtime is cached).
  await Promise.all(
    [A, B].map((v) =>
      run(process.execPath, ['scripts/build-agent.mjs', '--platforms', 'linux-x64', '--version', v, '--out', path.join(dir, v)], { maxBuffer: 16 << 20 }),
    ),
  );
  scriptBuild(path.join(dir, CRASHING), CRASHING, '#!/bin/sh\necho "agent 9.0.0-c: cannot start" >&2\nexit 3\n');
  const tampered = scriptBuild(path.join(dir, TAMPERED), TAMPERED, '#!/bin/sh\necho "a harmless build"\nexit 0\n');

  t = await startTestServer({
    dataDir: path.join(dir, 'server'),
    storageUpkeep: false,
    agentArtifactDirs: [path.join(dir, B, 'bin'), path.join(dir, CRASHING), path.join(dir, TAMPERED)],
  });
  // After the server signed it: same size, other bytes (a swapped file on the server or the path).
  fs.writeFileSync(tampered, fs.readFileSync(tampered, 'utf8').replace('harmless', 'HARMFUL!'));
  api = new ApiClient(t.url);
  await api.login();
  const client = (await api.post('/api/clients', { name: 'Updates', contract: 'monthly' })).json;
  const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token;

  // The installed agent: version A at a path it may write (as install.sh sets it up).
  fs.mkdirSync(path.join(dir, 'opt'));
  exe = path.join(dir, 'opt', 'quarkpulse-agent');
  fs.copyFileSync(path.join(dir, A, 'bin', 'quarkpulse-agent-linux-x64'), exe);
  fs.chmodSync(exe, 0o755);
  shaA = sha256(exe);
  shaB = sha256(path.join(dir, B, 'bin', 'quarkpulse-agent-linux-x64'));
  const env = { PATH: pathWithoutNode(), HOME: dir, LANG: 'C' };
  const configPath = path.join(dir, 'etc', 'agent.json');
  await run(exe, ['agent', 'enroll', '--server', t.url, '--config', configPath], { env: { ...env, QP_TOKEN: token } });
  deviceId = (JSON.parse(fs.readFileSync(configPath, 'utf8')) as { deviceId: string }).deviceId;
  const settings = { intervalMs: 1_000, collectors: { updates: false } };
  await api.put(`/api/devices/${deviceId}/agent-config`, settings);
  // Hold first, so the agent starts as A and stays there until a test asks for a version.
  expect((await api.put('/api/agent-updates/policy', { scope: 'fleet', mode: 'hold' })).status).toBe(200);

  // Its own process group, so the test can stop whatever the agent became.
  agent = spawn(exe, ['agent', 'run', '--config', configPath, '--log-level', 'info'], {
    env: { ...env, QP_RESTART_MODE: 'reexec', QP_UPDATE_CONFIRM_TIMEOUT_MS: '60000', QP_UPDATE_JITTER_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  agent.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  agentExit = new Promise((r) => agent.once('exit', (code) => r(code)));
  await waitFor('agent A reports', () => reports() >= 2, 30_000);
  expect(device().agent_version).toBe(A);
}, 180_000);

afterAll(async () => {
  try {
    if (agent?.pid) process.kill(-agent.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('agent self-update (linux-x64 executables, run directly)', () => {
  it('refuses a tampered artifact: nothing is replaced, the fleet shows why', async () => {
    expect((await wantVersion(TAMPERED)).status).toBe(200);
    await waitFor('the agent reports the refusal', () => device().update_state === 'failed', 30_000);
    expect(device()).toMatchObject({ update_version: TAMPERED, update_code: 'SHA256_MISMATCH', agent_version: A });
    expect(device().update_message).toMatch(/^sha256 of the download is [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/);
    expect(sha256(exe)).toBe(shaA);
    expect(fs.readdirSync(path.dirname(exe))).toEqual(['quarkpulse-agent']); // no .previous, no download left
    expect(await overviewOf()).toMatchObject({ agentVersion: A, wantedVersion: TAMPERED, state: 'failed', lastReport: { code: 'SHA256_MISMATCH' } });
    // The agent goes on reporting as A.
    const before = reports();
    await waitFor('reports continue', () => reports() > before, 15_000);
  });

  it('rolls back a version that crashes on start to the previous executable', async () => {
    expect((await wantVersion(CRASHING)).status).toBe(200);
    await waitFor('the agent reports the rollback', () => device().update_version === CRASHING && device().update_state === 'failed', 60_000);
    expect(device()).toMatchObject({ update_code: 'UPDATE_START_FAILED', agent_version: A });
    expect(device().update_message).toBe(`agent ${CRASHING} exited with code 3 before it connected; went back to the previous version`);
    expect(logs).toContain('agent 9.0.0-c: cannot start'); // the crashing version did run
    expect(sha256(exe)).toBe(shaA);
    expect(agent.exitCode).toBeNull(); // A went on in the same process
    const before = reports();
    await waitFor('A reports again after the rollback', () => reports() > before, 20_000);
    expect(await overviewOf()).toMatchObject({ agentVersion: A, state: 'failed', lastReport: { version: CRASHING, code: 'UPDATE_START_FAILED' } });
  });

  it('updates A → B: verified, swapped, B connects, A exits and B goes on', async () => {
    expect((await wantVersion(B)).status).toBe(200);
    await waitFor('B says hello', () => device().agent_version === B, 60_000);
    expect(await agentExit).toBe(0); // A handed over
    expect(sha256(exe)).toBe(shaB);
    expect(sha256(`${exe}.previous`)).toBe(shaA);
    const before = reports();
    await waitFor('B reports', () => reports() > before, 20_000);
    expect(await overviewOf()).toMatchObject({ agentVersion: B, wantedVersion: B, state: 'current' });
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'etc', 'update.json'), 'utf8')) as { phase: string; toVersion: string };
    expect(state).toMatchObject({ phase: 'confirmed', fromVersion: A, toVersion: B });
  });

  it('under a service manager: A exits 75 once B connected, and the manager starts B', async () => {
    // A second machine at A; a shell loop restarts the agent whenever it exits, like Restart=always.
    const home = path.join(dir, 'second');
    fs.mkdirSync(path.join(home, 'opt'), { recursive: true });
    const exe2 = path.join(home, 'opt', 'quarkpulse-agent');
    fs.copyFileSync(path.join(dir, A, 'bin', 'quarkpulse-agent-linux-x64'), exe2);
    fs.chmodSync(exe2, 0o755);
    const client = (await api.post('/api/clients', { name: 'Service', contract: 'monthly' })).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token;
    const env = { PATH: pathWithoutNode(), HOME: home, LANG: 'C' };
    const configPath = path.join(home, 'etc', 'agent.json');
    await run(exe2, ['agent', 'enroll', '--server', t.url, '--config', configPath], { env: { ...env, QP_TOKEN: token } });
    const id = (JSON.parse(fs.readFileSync(configPath, 'utf8')) as { deviceId: string }).deviceId;
    const exits = path.join(home, 'exits.log');
    const manager = spawn('sh', ['-c', `while :; do "$EXE" agent run --config "$CONFIG" --log-level warn; echo "exit $?" >> "$EXITS"; sleep 0.2; done`], {
      env: { ...env, EXE: exe2, CONFIG: configPath, EXITS: exits, INVOCATION_ID: 'test-unit', QP_UPDATE_JITTER_MS: '0' },
      stdio: 'ignore',
      detached: true,
    });
    try {
      const version = () => (t.server.db.prepare('SELECT agent_version FROM devices WHERE id = ?').get(id) as { agent_version: string | null }).agent_version;
      await waitFor('B runs under the manager', () => version() === B && fs.existsSync(exits), 60_000);
      expect(fs.readFileSync(exits, 'utf8')).toBe('exit 75\n'); // A asked for the restart once; B keeps running
      expect(sha256(exe2)).toBe(shaB);
      expect(sha256(`${exe2}.previous`)).toBe(shaA);
    } finally {
      process.kill(-manager.pid!, 'SIGKILL');
    }
  });
});
