/**
 * The agent's side of the security model, end to end over a real socket: a real agent (real
 * journal in a temp dir, real health.check task) gets job frames signed by the real server signer
 * (an Ed25519 key file) from a real protocol server. Each bad job is refused with its exact code
 * and nothing runs (no `running` status, nothing journalled as running); a good one runs once,
 * across reconnects and agent restarts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../agent/index.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { loadOrCreateJobSigner, newJobNonce, type JobSigner } from '../../server/jobs/job-signing.js';
import type { JobEnvelope, JobMessage, JobStatus } from '../../shared/jobs.js';
import { ProtocolServer, waitFor } from '../agent/helpers/protocol-server.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';

const TOKEN = 'agent-token-0123456789';
const DEVICE = 'dev-1';

let dir: string;
let server: ProtocolServer;
let signer: JobSigner;
const agents: Agent[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-jobs-'));
  signer = loadOrCreateJobSigner(path.join(dir, 'server', 'job-signing-key.pem'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function envelope(over: Partial<JobEnvelope> = {}): JobEnvelope {
  const now = Date.now();
  return {
    jobId: `job_${Math.random().toString(36).slice(2, 12)}`,
    deviceId: DEVICE,
    task: 'health.check',
    params: {},
    notBeforeMs: now - 1_000,
    notAfterMs: now + 3_600_000,
    nonce: newJobNonce(),
    ...over,
  };
}

function startAgent(opts: { pinned?: string | undefined; tasksFile?: string } = {}): Agent {
  const agent = createAgent({
    config: {
      serverUrl: server.url(),
      deviceId: DEVICE,
      deviceToken: TOKEN,
      intervalMs: 60_000,
      stateDir: path.join(dir, 'agent'),
      jobSigningKey: 'pinned' in opts ? opts.pinned : signer.publicKey,
      tasksFile: opts.tasksFile ?? path.join(dir, 'tasks.json'),
    },
    logger: createTestLogger().logger,
    collectors: [],
    connection: { backoff: { baseMs: 20, capMs: 200 } },
    flushTimeoutMs: 100,
  });
  agents.push(agent);
  return agent;
}

const statuses = (): JobStatus[] => server.others.filter((m): m is JobStatus => m.type === 'jobStatus');
const statusesOf = (jobId: string) => statuses().filter((s) => s.jobId === jobId);

async function finalOf(jobId: string): Promise<JobStatus> {
  await waitFor(`final status of ${jobId}`, () => statusesOf(jobId).some((s) => s.state !== 'running'), 20_000);
  return statusesOf(jobId).find((s) => s.state !== 'running')!;
}

async function connected(agent: Agent): Promise<void> {
  await agent.start();
  await waitFor('agent ready', () => agent.state === 'ready', 20_000);
}

function journalLines(): { jobId: string; status: JobStatus }[] {
  const file = path.join(dir, 'agent', 'jobs.jsonl');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
}

describe('agent job checks: refused with a precise code, nothing run', () => {
  it.each<[string, string, () => JobMessage | Record<string, unknown>, RegExp]>([
    [
      'signed with another key',
      'JOB_BAD_SIGNATURE',
      () => loadOrCreateJobSigner(path.join(dir, 'other.pem')).signJob(envelope({ jobId: 'job_otherkey' })),
      /^signature does not verify with the pinned key \(signed by key [0-9a-f]{16}, this agent trusts key [0-9a-f]{16}\)$/,
    ],
    [
      'altered after signing',
      'JOB_BAD_SIGNATURE',
      () => {
        const frame = signer.signJob(envelope({ jobId: 'job_altered' }));
        return { ...frame, job: { ...frame.job, task: 'reboot', params: { delayMinutes: 0 } } };
      },
      /^signature does not verify with the pinned key \(the job was altered after signing\)$/,
    ],
    [
      'for another device',
      'JOB_WRONG_DEVICE',
      () => signer.signJob(envelope({ jobId: 'job_otherdev', deviceId: 'dev-2' })),
      /^job is for device dev-2, this is device dev-1$/,
    ],
    [
      'expired',
      'JOB_EXPIRED',
      () => signer.signJob(envelope({ jobId: 'job_expired', notBeforeMs: Date.now() - 7_200_000, notAfterMs: Date.now() - 3_600_000 })),
      /^job window ended at \d{4}-.*; agent time is \d{4}-/,
    ],
    [
      'not yet valid',
      'JOB_NOT_YET_VALID',
      () => signer.signJob(envelope({ jobId: 'job_early', notBeforeMs: Date.now() + 3_600_000, notAfterMs: Date.now() + 7_200_000 })),
      /^job may start at /,
    ],
    [
      'a window over 31 days',
      'JOB_WINDOW_TOO_LONG',
      () => signer.signJob(envelope({ jobId: 'job_longwin', notAfterMs: Date.now() + 40 * 86_400_000 })),
      /^window of \d+ ms must be above 0 and at most 2678400000 ms \(31 days\)$/,
    ],
    [
      'an unknown task',
      'JOB_UNKNOWN_TASK',
      () => signer.signJob(envelope({ jobId: 'job_shell', task: 'shell', params: { command: 'id' } })),
      /^this agent has no task "shell"; it has health\.check/,
    ],
    [
      'bad parameters',
      'JOB_INVALID_PARAMS',
      () => signer.signJob(envelope({ jobId: 'job_badparams', params: { verbose: true } })),
      /^health\.check: unknown parameter\(s\) "verbose"$/,
    ],
    [
      'a malformed envelope',
      'JOB_MALFORMED',
      () => ({ type: 'job', v: 1, job: { ...envelope({ jobId: 'job_malform' }), extra: 1 }, signature: 'x'.repeat(86), keyId: 'k' }),
      /^job: unknown field "extra"$/,
    ],
  ])('%s → %s', async (_what, code, makeFrame, message) => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const agent = startAgent();
    await connected(agent);
    const frame = makeFrame();
    const jobId = (frame.job as JobEnvelope).jobId;
    server.sendToAll(frame);
    const final = await finalOf(jobId);
    expect(final).toMatchObject({ type: 'jobStatus', v: 1, jobId, state: 'refused', code });
    expect(final.message).toMatch(message);
    expect(statusesOf(jobId).map((s) => s.state)).toEqual(['refused']);
    expect(journalLines().some((l) => l.status.state === 'running')).toBe(false);
  });

  it('refuses a replayed nonce (another job id with a used nonce) and a resent job answers its recorded status without running again', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const agent = startAgent();
    await connected(agent);
    const first = signer.signJob(envelope({ jobId: 'job_first' }));
    server.sendToAll(first);
    expect(await finalOf('job_first')).toMatchObject({ state: 'done', exitCode: 0 });
    server.sendToAll(signer.signJob(envelope({ jobId: 'job_replay', nonce: first.job.nonce })));
    expect(await finalOf('job_replay')).toMatchObject({ state: 'refused', code: 'JOB_REPLAYED', message: 'nonce already used by job job_first' });
    server.sendToAll(first); // the very same frame again (a captured copy, or a resend after a lost status)
    await waitFor('second answer for job_first', () => statusesOf('job_first').filter((s) => s.state === 'done').length === 2);
    expect(statusesOf('job_first').map((s) => s.state)).toEqual(['running', 'done', 'done']);
  });

  it('with no pinned key refuses every job (JOB_NO_PINNED_KEY)', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const agent = startAgent({ pinned: undefined });
    await connected(agent);
    server.sendToAll(signer.signJob(envelope({ jobId: 'job_nopin' })));
    expect(await finalOf('job_nopin')).toMatchObject({ state: 'refused', code: 'JOB_NO_PINNED_KEY' });
  });

  it.each<[string, string | null, string, string]>([
    ['tasks switched off', '{ "enabled": false }', 'JOB_TASKS_DISABLED', 'tasks are switched off on this machine'],
    [
      'a list without the task',
      '{ "enabled": true, "allowedTasks": ["updates.scan"] }',
      'JOB_TASK_NOT_ALLOWED',
      "the machine's task setting allows only updates.scan",
    ],
    ['a broken file', '{ "enabled": tru', 'JOB_LOCAL_POLICY_INVALID', "the machine's task setting is invalid, so every task is refused: "],
    [
      'an unknown field',
      '{ "enabled": true, "allowAll": true }',
      'JOB_LOCAL_POLICY_INVALID',
      "the machine's task setting is invalid, so every task is refused: ",
    ],
  ])("the machine's task setting: %s → %s", async (_what, text, code, message) => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const tasksFile = path.join(dir, 'tasks.json');
    fs.writeFileSync(tasksFile, text!);
    const agent = startAgent({ tasksFile });
    await connected(agent);
    const ids = ['job_pol_a', 'job_pol_b', 'job_pol_c'];
    for (const jobId of ids) server.sendToAll(signer.signJob(envelope({ jobId })));
    for (const jobId of ids) {
      const final = await finalOf(jobId);
      expect(final).toMatchObject({ state: 'refused', code });
      expect(final.message!.startsWith(message)).toBe(true);
    }
    expect(statuses().some((s) => s.state === 'running')).toBe(false);
    // Read at every job: switching tasks on again on the machine applies to the next job.
    fs.writeFileSync(tasksFile, '{ "enabled": true }');
    server.sendToAll(signer.signJob(envelope({ jobId: 'job_pol_on' })));
    expect(await finalOf('job_pol_on')).toMatchObject({ state: 'done' });
  });
});

describe('agent jobs: run once, reported durably', () => {
  it('runs a good job and reports running then done with bounded, hashed output and the task result', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const agent = startAgent();
    await connected(agent);
    server.sendToAll(signer.signJob(envelope({ jobId: 'job_health' })));
    const final = await finalOf('job_health');
    expect(statusesOf('job_health').map((s) => s.state)).toEqual(['running', 'done']);
    expect(final.output).toMatch(/^filesystem \/.*% used/m);
    expect(final.outputBytes).toBe(Buffer.byteLength(final.output!));
    expect(final.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(final.isOutputTruncated).toBe(false);
    expect(final.result).toMatchObject({ memoryUsedPct: expect.any(Number), problems: expect.any(Array) });
    expect(final.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('resends an unacknowledged status after an agent restart, and the resent job never runs twice', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const frame = signer.signJob(envelope({ jobId: 'job_restart' }));
    const first = startAgent();
    await connected(first);
    server.sendToAll(frame);
    await finalOf('job_restart');
    await first.stop();
    agents.splice(0);
    server.others.length = 0;
    const second = startAgent();
    await connected(second);
    // Not acknowledged before the restart: the final status comes again after welcome.
    await waitFor('status resent after restart', () => statusesOf('job_restart').some((s) => s.state === 'done'));
    // The server, not knowing, sends the job again: answered, not run.
    server.sendToAll(frame);
    await waitFor('answer to the resent job', () => statusesOf('job_restart').filter((s) => s.state === 'done').length === 2);
    expect(statusesOf('job_restart').map((s) => s.state)).toEqual(['done', 'done']);
    // Acknowledged: not resent after the next restart.
    server.sendToAll({ type: 'jobAck', v: 1, jobId: 'job_restart', state: 'done' });
    await server.roundTrip();
    await waitFor('ack journalled', () => journalLines().some((l) => l.jobId === 'job_restart' && (l as { isAcked?: boolean }).isAcked === true));
    await second.stop();
    agents.splice(0);
    server.others.length = 0;
    const third = startAgent();
    await connected(third);
    await server.roundTrip();
    expect(statusesOf('job_restart')).toEqual([]);
  });

  it('pins the key of the first welcome when enrolled without one, persists it, and never replaces it from the network', async () => {
    server = await new ProtocolServer({ token: TOKEN, jobSigningKey: signer.publicKey }).listen();
    const configPath = path.join(dir, 'agent.json');
    saveAgentConfig(configPath, { serverUrl: server.url(), deviceId: DEVICE, deviceToken: TOKEN, stateDir: path.join(dir, 'agent') });
    const agent = createAgent({
      config: loadAgentConfig(configPath),
      configPath,
      logger: createTestLogger().logger,
      collectors: [],
      connection: { backoff: { baseMs: 20, capMs: 200 } },
      flushTimeoutMs: 100,
    });
    agents.push(agent);
    await connected(agent);
    await waitFor('key pinned in the config file', () => loadAgentConfig(configPath).jobSigningKey === signer.publicKey);
    server.sendToAll(signer.signJob(envelope({ jobId: 'job_tofu' })));
    expect(await finalOf('job_tofu')).toMatchObject({ state: 'done' });
    await agent.stop();
    agents.splice(0);
    await server.close();
    // A server offering another key: the pin stays, its jobs are refused.
    const other = loadOrCreateJobSigner(path.join(dir, 'other.pem'));
    server = await new ProtocolServer({ token: TOKEN, jobSigningKey: other.publicKey }).listen();
    fs.writeFileSync(configPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(configPath, 'utf8')), serverUrl: server.url() }));
    const again = createAgent({
      config: loadAgentConfig(configPath),
      configPath,
      logger: createTestLogger().logger,
      collectors: [],
      connection: { backoff: { baseMs: 20, capMs: 200 } },
      flushTimeoutMs: 100,
    });
    agents.push(again);
    await connected(again);
    server.sendToAll(other.signJob(envelope({ jobId: 'job_swap' })));
    expect(await finalOf('job_swap')).toMatchObject({ state: 'refused', code: 'JOB_BAD_SIGNATURE' });
    expect(loadAgentConfig(configPath).jobSigningKey).toBe(signer.publicKey);
  });
});
