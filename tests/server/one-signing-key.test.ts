/**
 * One signing key (docs/SECURITY.md, "One signing key"): a new server has only signing-key.pem,
 * and it signs executables and jobs; the purpose is inside what is signed, so neither signature
 * verifies as the other. An installation that still has the old job-signing-key.pem keeps
 * working: jobs carry the old key's signature (for agents that pinned it) and the one key's, and
 * an agent that pinned only the old job key takes the one key when the old key endorses it.
 * Removing the old file afterwards, every agent still runs jobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../agent/index.js';
import { isJobSignatureValid, jobKeyFormOf, parsePinnedKey } from '../../agent/jobs/job-signature.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { artifactSigningMessage, loadOrCreateSigningKey, verifySignature } from '../../server/signing/signing-key.js';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import { loadOrCreateJobSigner, newJobNonce } from '../../server/jobs/job-signing.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';

let t: TestServer | undefined;
let dir: string;
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, pred: () => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A real agent from a config file (as `agent run` reads it), with no collectors. */
function startAgent(configPath: string): Agent {
  const agent = createAgent({
    config: loadAgentConfig(configPath),
    configPath,
    logger: createTestLogger().logger,
    collectors: [],
    connection: { backoff: { baseMs: 20, capMs: 200 } },
    flushTimeoutMs: 100,
  });
  agents.push(agent);
  void agent.start();
  return agent;
}

/** Asks for health.check on a device (the job service, as the REST route does after its 2FA check) and waits for the outcome. */
async function runHealthCheck(deviceId: string): Promise<{ state: string; errorCode?: string | null }> {
  const ctx = t!.server.ctx;
  const [job] = ctx.jobs.create({ id: 'test', name: 'test' }, { deviceIds: [deviceId], task: 'health.check', params: {} });
  await until('the job finished', () => ['done', 'failed', 'refused'].includes(ctx.jobs.get(job!.id).state));
  return ctx.jobs.get(job!.id) as unknown as { state: string; errorCode?: string | null };
}

function writeConfig(file: string, body: Parameters<typeof saveAgentConfig>[1]) {
  saveAgentConfig(file, body);
  return file;
}

describe('one signing key', () => {
  it('a new server keeps one key file, outside the database; it signs executables and jobs, neither as the other', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-one-key-'));
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [] });
    expect(fs.readdirSync(path.join(dir, 'data')).filter((f) => f.endsWith('.pem'))).toEqual(['signing-key.pem']);
    const key = loadOrCreateSigningKey(path.join(dir, 'data', 'signing-key.pem'));
    const api = new ApiClient(t.url);
    await api.login();
    const enrolled = await api.post('/api/enroll', {
      token: (await api.post(`/api/clients/${(await api.post('/api/clients', { name: 'One', contract: 'monthly' })).json.id}/enrollment-tokens`, {})).json
        .token,
      hostname: 'one-pc',
    });
    // Both pins of the enrollment answer are the one key.
    expect(enrolled.json.signingKey.publicKey).toBe(key.publicKey);
    expect(enrolled.json.jobSigningKey).toBe(jobKeyFormOf(key.publicKey));

    // The purpose is the first line of what is signed: an artifact signature is no job signature, and back.
    const job = {
      jobId: 'job_purpose1',
      deviceId: 'd',
      task: 'reboot',
      params: { delayMinutes: 0 },
      notBeforeMs: 1e12,
      notAfterMs: 1e12 + 1,
      nonce: newJobNonce(),
    };
    const jobSig = key.signJob(job);
    const artifact = { version: '1.0.0', platform: 'linux-x64', sha256: 'a'.repeat(64) };
    const artifactSig = key.sign('agent-artifact', [artifact.version, artifact.platform, artifact.sha256]);
    const pinned = parsePinnedKey(jobKeyFormOf(key.publicKey));
    expect(isJobSignatureValid(pinned, job, jobSig)).toBe(true);
    expect(verifySignature(key.publicKey, artifactSigningMessage(artifact), artifactSig)).toBe(true);
    expect(isJobSignatureValid(pinned, job, Buffer.from(artifactSig, 'base64').toString('base64url'))).toBe(false);
    expect(verifySignature(key.publicKey, artifactSigningMessage(artifact), Buffer.from(jobSig, 'base64url').toString('base64'))).toBe(false);
    expect(Buffer.from(jobSigningBytes(job)).subarray(0, 18).toString()).toBe('quarkpulse-job-v1\n');
    expect(artifactSigningMessage(artifact).subarray(0, 29).toString()).toBe('quarkpulse/agent-artifact/v1\n');

    // A real agent enrolled here runs a job the server signed with that key.
    const configPath = writeConfig(path.join(dir, 'agent', 'agent.json'), {
      serverUrl: t.url,
      deviceId: enrolled.json.deviceId,
      deviceToken: enrolled.json.deviceToken,
      stateDir: path.join(dir, 'agent'),
      signingPublicKey: enrolled.json.signingKey.publicKey,
      jobSigningKey: enrolled.json.jobSigningKey,
    });
    startAgent(configPath);
    await until(
      'connected',
      () => t!.server.ctx.agents && (t!.server.ctx.agents as unknown as { isConnected(id: string): boolean }).isConnected(enrolled.json.deviceId),
    );
    expect((await runHealthCheck(enrolled.json.deviceId)).state).toBe('done');
  });

  it('an installation with the old job key file keeps every agent running jobs, moves old pins to the one key, and works after the file is gone', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-one-key-'));
    const data = path.join(dir, 'data');
    // The two files of an older installation.
    const legacy = loadOrCreateJobSigner(path.join(data, 'job-signing-key.pem'));
    const key = loadOrCreateSigningKey(path.join(data, 'signing-key.pem'));
    t = await startTestServer({ dataDir: data, agentArtifactDirs: [] });
    const api = new ApiClient(t.url);
    await api.login();
    // Agents of before the one key: the old job key pinned, no signing key. One more with both pins.
    const old = await enrollTestDevice(api, { clientName: 'Old', hostname: 'old-pc' });
    const both = await enrollTestDevice(api, { clientName: 'Old', hostname: 'both-pc' });
    const oldConfig = writeConfig(path.join(dir, 'old', 'agent.json'), {
      serverUrl: t.url,
      deviceId: old.deviceId,
      deviceToken: old.deviceToken,
      stateDir: path.join(dir, 'old'),
      jobSigningKey: legacy.publicKey,
    });
    const bothConfig = writeConfig(path.join(dir, 'both', 'agent.json'), {
      serverUrl: t.url,
      deviceId: both.deviceId,
      deviceToken: both.deviceToken,
      stateDir: path.join(dir, 'both'),
      jobSigningKey: legacy.publicKey,
      signingPublicKey: key.publicKey,
    });
    // What enrollment and welcome announce as the job key stays the pinned old one while its file exists.
    expect(t.server.ctx.jobSigner.publicKey).toBe(legacy.publicKey);

    // A job frame: the old key's signature first (what already-deployed agents check), the one key's beside it.
    const envelope = {
      jobId: 'job_frame001',
      deviceId: old.deviceId,
      task: 'health.check',
      params: {},
      notBeforeMs: Date.now(),
      notAfterMs: Date.now() + 60_000,
      nonce: newJobNonce(),
    };
    const frame = t.server.ctx.jobSigner.signJob(envelope);
    expect(isJobSignatureValid(parsePinnedKey(legacy.publicKey), envelope, frame.signature)).toBe(true);
    expect(frame.keyId).toBe(legacy.keyId);
    expect(frame.alsoSignedBy).toHaveLength(1);
    expect(isJobSignatureValid(parsePinnedKey(jobKeyFormOf(key.publicKey)), envelope, frame.alsoSignedBy![0]!.signature)).toBe(true);

    startAgent(oldConfig);
    startAgent(bothConfig);
    const gateway = t.server.ctx.agents as unknown as { isConnected(id: string): boolean };
    await until('both connected', () => gateway.isConnected(old.deviceId) && gateway.isConnected(both.deviceId));
    // The old agent took the one key over its socket, signed by the job key it trusts.
    await until('old agent pinned the one key', () => loadAgentConfig(oldConfig).signingPublicKey === key.publicKey);
    expect(loadAgentConfig(oldConfig).jobSigningKey).toBe(legacy.publicKey);
    expect((await runHealthCheck(old.deviceId)).state).toBe('done');
    expect((await runHealthCheck(both.deviceId)).state).toBe('done');

    // The old file removed (every agent has the one key now): jobs carry one signature and still run.
    for (const a of agents.splice(0)) await a.stop();
    await t.close();
    fs.rmSync(path.join(data, 'job-signing-key.pem'));
    t = await startTestServer({ dataDir: data, agentArtifactDirs: [] });
    expect(t.server.ctx.jobSigner.publicKey).toBe(jobKeyFormOf(key.publicKey));
    const configOld = loadAgentConfig(oldConfig);
    saveAgentConfig(oldConfig, { ...configOld, serverUrl: t.url });
    saveAgentConfig(bothConfig, { ...loadAgentConfig(bothConfig), serverUrl: t.url });
    startAgent(oldConfig);
    startAgent(bothConfig);
    const gw = t.server.ctx.agents as unknown as { isConnected(id: string): boolean };
    await until('both connected again', () => gw.isConnected(old.deviceId) && gw.isConnected(both.deviceId));
    expect((await runHealthCheck(old.deviceId)).state).toBe('done');
    expect((await runHealthCheck(both.deviceId)).state).toBe('done');
  });

  it('an endorsement not signed by the pinned job key is not taken', async () => {
    const { isEndorsedBy } = await import('../../agent/jobs/job-signature.js');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-one-key-'));
    const legacy = loadOrCreateJobSigner(path.join(dir, 'job.pem'));
    const other = loadOrCreateJobSigner(path.join(dir, 'other.pem'));
    const key = loadOrCreateSigningKey(path.join(dir, 'signing.pem'));
    const good = legacy.signPurpose('signing-key-endorsement', [key.publicKey]);
    expect(isEndorsedBy(legacy.publicKey, key.publicKey, good)).toBe(true);
    expect(isEndorsedBy(legacy.publicKey, key.publicKey, other.signPurpose('signing-key-endorsement', [key.publicKey]))).toBe(false);
    const attacker = loadOrCreateSigningKey(path.join(dir, 'attacker.pem'));
    expect(isEndorsedBy(legacy.publicKey, attacker.publicKey, good)).toBe(false);
    // The same key's signature for another purpose is no endorsement.
    expect(isEndorsedBy(legacy.publicKey, key.publicKey, legacy.signPurpose('agent-artifact', [key.publicKey]))).toBe(false);
  });
});
