/**
 * The wanted agent version, as a real server announces it in welcome and config frames: the
 * server's own version by default; policies for the fleet, a client and a device (the most
 * specific wins); hold; admins only, audited; the state each device shows (current, pending,
 * failed with the agent's reason, held) from its hello and its updateStatus frames.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';
import { createUser } from '../helpers/oncall-setup.js';
import { VERSION } from '../../server/lib/version.js';
import { runCli } from '../helpers/run-cli.js';

let t: TestServer | undefined;
let dir: string;
afterEach(async () => {
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

function fakeBuild(root: string, version: string): string {
  const d = path.join(root, `build-${version}`);
  fs.mkdirSync(d, { recursive: true });
  const bytes = Buffer.from(`agent ${version}`);
  fs.writeFileSync(path.join(d, 'quarkpulse-agent-linux-x64'), bytes);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(
    path.join(d, 'build.json'),
    JSON.stringify({ version, artifacts: [{ platform: 'linux-x64', file: 'quarkpulse-agent-linux-x64', size: bytes.length, sha256 }] }),
  );
  return d;
}

async function connect(url: string, token: string, agentVersion: string, hostname: string) {
  const ws = await WsTestClient.connect(url.replace('http', 'ws') + '/agent/ws', { authorization: `Bearer ${token}` });
  ws.send({ type: 'hello', v: 1, agentVersion, hostname, streamId: `stream-${crypto.randomUUID()}`, intervalMs: 10_000 });
  const welcome = await ws.next((m) => m.type === 'welcome');
  return { ws, welcome };
}

describe('agent update policies', () => {
  it('announces the server version by default, the most specific policy otherwise, and pushes changes to connected agents', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-updates-'));
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [fakeBuild(dir, '2.0.0'), fakeBuild(dir, '1.9.0')] });
    const api = new ApiClient(t.url);
    await api.login();
    const a = await enrollTestDevice(api, { clientName: 'Pilot', hostname: 'pilot-pc' });
    const b = await enrollTestDevice(api, { clientName: 'Others', hostname: 'other-pc' });

    const first = await connect(t.url, a.deviceToken, '1.0.0', 'pilot-pc');
    expect(first.welcome.config.update).toEqual({ version: VERSION });
    const other = await connect(t.url, b.deviceToken, '1.0.0', 'other-pc');

    // Everyone stays on 1.9.0; the pilot client gets 2.0.0 first.
    expect((await api.put('/api/agent-updates/policy', { scope: 'fleet', mode: 'version', version: '1.9.0' })).json).toMatchObject({ pushedTo: 2 });
    expect((await first.ws.next((m) => m.type === 'config')).config.update).toEqual({ version: '1.9.0' });
    expect((await other.ws.next((m) => m.type === 'config')).config.update).toEqual({ version: '1.9.0' });
    await api.put('/api/agent-updates/policy', { scope: 'client', id: a.clientId, mode: 'version', version: '2.0.0' });
    expect((await first.ws.next((m) => m.type === 'config')).config.update).toEqual({ version: '2.0.0' });
    // A device held back: no update in its config at all.
    await api.put('/api/agent-updates/policy', { scope: 'device', id: a.deviceId, mode: 'hold' });
    expect((await first.ws.next((m) => m.type === 'config')).config.update).toBeUndefined();

    // The agent reports a failure in plain words; the fleet shows it.
    await api.put('/api/agent-updates/policy', { scope: 'device', id: a.deviceId, mode: 'inherit' });
    await first.ws.next((m) => m.type === 'config');
    first.ws.send({
      type: 'updateStatus',
      v: 1,
      version: '2.0.0',
      state: 'failed',
      code: 'SIGNATURE_INVALID',
      message: 'not by the pinned key',
      tsMs: Date.now(),
    });
    await new Promise((r) => setTimeout(r, 100));
    const overview = (await api.get('/api/agent-updates')).json;
    expect(overview.serverVersion).toBe(VERSION);
    expect(overview.availableVersions.sort()).toEqual(['1.9.0', '2.0.0']);
    const byHost = Object.fromEntries(overview.devices.map((d: { hostname: string }) => [d.hostname, d]));
    expect(byHost['pilot-pc']).toMatchObject({
      agentVersion: '1.0.0',
      wantedVersion: '2.0.0',
      wantedFrom: 'client',
      state: 'failed',
      lastReport: { version: '2.0.0', state: 'failed', code: 'SIGNATURE_INVALID', message: 'not by the pinned key' },
    });
    expect(byHost['other-pc']).toMatchObject({ agentVersion: '1.0.0', wantedVersion: '1.9.0', wantedFrom: 'fleet', state: 'pending' });

    // Reconnecting as the wanted version: current.
    other.ws.close();
    await connect(t.url, b.deviceToken, '1.9.0', 'other-pc');
    // The hello is written with the next ingest batch.
    const otherState = async () => (await api.get('/api/agent-updates')).json.devices.find((d: { hostname: string }) => d.hostname === 'other-pc');
    for (let i = 0; i < 50 && (await otherState()).agentVersion !== '1.9.0'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await otherState()).toMatchObject({ agentVersion: '1.9.0', state: 'current' });
    await api.put('/api/agent-updates/policy', { scope: 'fleet', mode: 'hold' });
    expect(
      (await api.get('/api/agent-updates')).json.devices.every((d: { state: string; deviceId: string }) => d.deviceId === a.deviceId || d.state === 'held'),
    ).toBe(true);

    const audit = (await api.get('/api/audit?limit=10')).json.entries.map((e: { action: string; summary: string }) => `${e.action}: ${e.summary}`);
    expect(audit).toContain('agent-update.policy: agent updates of client "Pilot": version 2.0.0 (was inherit)');
    expect(audit).toContain('agent-update.policy: agent updates of device pilot-pc: hold (was inherit)');
    expect(audit).toContain('agent-update.policy: agent updates of the whole fleet: hold (was version 1.9.0)');
    first.ws.close();
  });

  it('refuses a version the server cannot hand out, a technician, and a scope without its id', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-updates-'));
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [fakeBuild(dir, '2.0.0')] });
    const api = new ApiClient(t.url);
    await api.login();
    const r = await api.put('/api/agent-updates/policy', { scope: 'fleet', mode: 'version', version: '3.0.0' });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: 'AGENT_VERSION_UNAVAILABLE', message: 'this server has no agent executable of version 3.0.0; available: 2.0.0' });
    expect((await api.put('/api/agent-updates/policy', { scope: 'client', mode: 'hold' })).json.error.message).toBe('body.id: the client id is required');
    expect((await api.put('/api/agent-updates/policy', { scope: 'client', id: 'nope', mode: 'hold' })).status).toBe(404);
    await createUser(api, 'tech', 'technician', null);
    const tech = new ApiClient(t.url);
    await tech.login('tech', 'tech-password-1');
    expect((await tech.put('/api/agent-updates/policy', { scope: 'fleet', mode: 'hold' })).status).toBe(403);
    expect((await tech.get('/api/agent-updates')).status).toBe(200);
  });

  it('quarkpulse agent-updates set|list on the data directory: the same checks and audit as the API', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-updates-'));
    const data = path.join(dir, 'data');
    const build = fakeBuild(dir, '2.0.0');
    t = await startTestServer({ dataDir: data, agentArtifactDirs: [build] });
    const api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api, { clientName: 'Pilot', hostname: 'pilot-pc' });
    const env = { QP_AGENT_DIST_DIRS: build };
    const set = await runCli(
      ['agent-updates', 'set', '--data', data, '--scope', 'client', '--id', dev.clientId, '--mode', 'version', '--agent-version', '2.0.0'],
      { env },
    );
    expect(set).toMatchObject({ code: 0, stdout: `agent update policy of client ${dev.clientId}: version 2.0.0 (agents get it at their next connection)\n` });
    const refused = await runCli(['agent-updates', 'set', '--data', data, '--scope', 'fleet', '--mode', 'version', '--agent-version', '9.9.9'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('this server has no agent executable of version 9.9.9; available: 2.0.0');
    const bad = await runCli(['agent-updates', 'set', '--data', data, '--scope', 'planet', '--mode', 'hold'], { env });
    expect(bad.code).toBe(2);
    const list = await runCli(['agent-updates', 'list', '--data', data], { env });
    expect(list.stdout).toContain(`policy client ${dev.clientId}: version 2.0.0`);
    expect(list.stdout).toMatch(/pilot-pc {2}- → 2\.0\.0 {2}unknown/);
    const audit = (await api.get('/api/audit?limit=5')).json.entries.map((e: { action: string; actorName: string }) => `${e.action} by ${e.actorName}`);
    expect(audit[0]).toMatch(/^agent-update\.policy by /);
  }, 60_000);
});
