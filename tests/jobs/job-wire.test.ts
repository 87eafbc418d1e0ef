/**
 * The job protocol's pieces: canonical JSON, the signing key file, the agent's hand-written checks
 * held to the zod schemas of shared/jobs.ts, and the journal's restart rules.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobEnvelopeProblem } from '../../agent/jobs/check-job.js';
import { openJobJournal } from '../../agent/jobs/job-journal.js';
import { isJobSignatureValid, parsePinnedKey, pinnedKeyIdOf } from '../../agent/jobs/job-signature.js';
import { boundOutput } from '../../agent/jobs/job-runner.js';
import { createHealthCheckTask, parseFailedUnits, parseProcMounts } from '../../agent/tasks/health-check.js';
import { decodeServerFrame } from '../../agent/wire.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { jobEnvelopeSchema, taskParamsSchemas, type JobEnvelope } from '../../shared/jobs.js';
import { decodeAgentMessage, decodeServerMessage, MAX_JOB_OUTPUT_CHARS } from '../../shared/protocol.js';
import { keyIdOf, loadOrCreateJobSigner, newJobNonce } from '../../server/jobs/job-signing.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-jobwire-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const job: JobEnvelope = {
  jobId: 'job_0123456789',
  deviceId: 'dev-1',
  task: 'health.check',
  params: {},
  notBeforeMs: 1_764_000_000_000,
  notAfterMs: 1_764_003_600_000,
  nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
};

describe('canonical JSON', () => {
  it('sorts keys at every depth, writes no whitespace, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' }, ä: null, A: true })).toBe('{"A":true,"a":{"c":"x","d":[3,1]},"b":1,"ä":null}');
  });
  it.each([[Number.NaN], [Infinity], [2 ** 60], [undefined], [() => 1], [new Date(0)]])('refuses %s', (v) => {
    expect(() => canonicalJson({ v })).toThrow(TypeError);
  });
});

describe('job-signing key file', () => {
  it('is generated once with mode 0600, then loaded with the same public key', () => {
    const file = path.join(dir, 'data', 'job-signing-key.pem');
    const first = loadOrCreateJobSigner(file);
    expect(first.isNew).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = loadOrCreateJobSigner(file);
    expect(again.isNew).toBe(false);
    expect(again.publicKey).toBe(first.publicKey);
    expect(first.publicKey).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(first.keyId).toBe(keyIdOf(first.publicKey));
    expect(pinnedKeyIdOf(first.publicKey)).toBe(first.keyId);
  });

  it('refuses to start on a key file other users can read, and on a file that is not a key', () => {
    const file = path.join(dir, 'k.pem');
    loadOrCreateJobSigner(file);
    fs.chmodSync(file, 0o644);
    expect(() => loadOrCreateJobSigner(file)).toThrow(`job-signing key ${file} is readable by other users (mode 644) — run \`chmod 600 ${file}\``);
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateJobSigner(junk)).toThrow(/^job-signing key .*junk\.pem cannot be read as a PEM private key: /);
  });

  it('signs what the agent verifies, and nothing else verifies', () => {
    const signer = loadOrCreateJobSigner(path.join(dir, 'k.pem'));
    const frame = signer.signJob(job);
    const key = parsePinnedKey(signer.publicKey);
    expect(isJobSignatureValid(key, frame.job, frame.signature)).toBe(true);
    // Key order does not matter (canonical form); any changed value does.
    const reordered = Object.fromEntries(Object.entries(frame.job).reverse());
    expect(isJobSignatureValid(key, reordered, frame.signature)).toBe(true);
    expect(isJobSignatureValid(key, { ...frame.job, notAfterMs: frame.job.notAfterMs + 1 }, frame.signature)).toBe(false);
    expect(isJobSignatureValid(key, { ...frame.job, params: { x: 1 } }, frame.signature)).toBe(false);
    // A changed character inside the signature (the last one of 86 also holds 4 padding bits, so
    // changing its low bit may not change the signature at all).
    expect(isJobSignatureValid(key, frame.job, frame.signature.slice(0, 10) + (frame.signature[10] === 'A' ? 'B' : 'A') + frame.signature.slice(11))).toBe(
      false,
    );
    expect(newJobNonce()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('hand-written agent checks agree with the zod schemas', () => {
  it.each<[string, unknown]>([
    ['a valid envelope', job],
    ['an extra field', { ...job, shell: 'id' }],
    ['a short jobId', { ...job, jobId: 'j1' }],
    ['a jobId with a slash', { ...job, jobId: 'job_../../x' }],
    ['an empty deviceId', { ...job, deviceId: '' }],
    ['params as a list', { ...job, params: [] }],
    ['a float time', { ...job, notBeforeMs: 1.5 }],
    ['a time in ms before 2000', { ...job, notAfterMs: 5 }],
    ['a short nonce', { ...job, nonce: 'abc' }],
    ['a nonce with +', { ...job, nonce: 'AAAAAAAAAAAAAAAAAAAAA+' }],
    ['no task', { ...job, task: undefined }],
  ])('envelope: %s', (_what, envelope) => {
    expect(jobEnvelopeProblem(envelope) === undefined).toBe(jobEnvelopeSchema.safeParse(envelope).success);
  });

  it.each<[string, unknown]>([
    ['health.check without params', {}],
    ['health.check with a param', { deep: true }],
  ])('task params: %s', (_what, params) => {
    const mine = createHealthCheckTask('linux').paramsProblem(params as Record<string, unknown>) === undefined;
    expect(mine).toBe(taskParamsSchemas['health.check'].safeParse(params).success);
  });

  it.each<[string, unknown]>([
    ['jobAck', { type: 'jobAck', v: 1, jobId: 'job_0123456789', state: 'done' }],
    ['jobAck with an unknown state', { type: 'jobAck', v: 1, jobId: 'job_0123456789', state: 'queued' }],
    ['jobAck with a short id', { type: 'jobAck', v: 1, jobId: 'j', state: 'done' }],
    [
      'welcome with a key',
      { type: 'welcome', v: 1, deviceId: 'd', serverVersion: '1', lastSeq: 0, config: { intervalMs: 10_000 }, jobSigningKey: 'ed25519:abc' },
    ],
    [
      'welcome with a key that is not a string',
      { type: 'welcome', v: 1, deviceId: 'd', serverVersion: '1', lastSeq: 0, config: { intervalMs: 10_000 }, jobSigningKey: 5 },
    ],
  ])('server frame: %s', (_what, frame) => {
    const text = JSON.stringify(frame);
    const mine = decodeServerFrame(text);
    const theirs = decodeServerMessage(text);
    expect(mine.ok).toBe(theirs.ok);
    if (mine.ok && theirs.ok) expect(mine.message).toEqual(theirs.message);
  });

  it("a job frame passes the agent's outline check whole; the job runner checks every field", () => {
    const frame = { type: 'job', v: 1, job: { ...job, extra: 1 }, signature: 's', keyId: 'k' };
    const mine = decodeServerFrame(JSON.stringify(frame));
    expect(mine).toEqual({ ok: true, message: frame });
    expect(decodeServerMessage(JSON.stringify(frame)).ok).toBe(false);
  });

  it('jobStatus frames are agent messages the server validates strictly', () => {
    const ok = decodeAgentMessage(
      JSON.stringify({ type: 'jobStatus', v: 1, jobId: 'job_0123456789', state: 'done', tsMs: 1_764_000_000_000, exitCode: 0, output: 'x' }),
    );
    expect(ok.ok).toBe(true);
    const bad = decodeAgentMessage(JSON.stringify({ type: 'jobStatus', v: 1, jobId: 'job_0123456789', state: 'queued', tsMs: 1_764_000_000_000 }));
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    expect((bad as { message: string }).message).toMatch(/^state: /);
  });
});

describe('output bounds', () => {
  it('keeps the last 64 KiB characters and hashes and counts the whole output', () => {
    const whole = `${'a'.repeat(MAX_JOB_OUTPUT_CHARS)}tail €`;
    const b = boundOutput(whole);
    expect(b.output!.length).toBe(MAX_JOB_OUTPUT_CHARS);
    expect(b.output!.endsWith('tail €')).toBe(true);
    expect(b.outputBytes).toBe(Buffer.byteLength(whole));
    expect(b.isOutputTruncated).toBe(true);
    expect(b.outputSha256).toBe(createHash('sha256').update(whole, 'utf8').digest('hex'));
  });
});

describe('job journal', () => {
  const logger = pino({ level: 'silent' });
  const running = { type: 'jobStatus' as const, v: 1 as const, jobId: 'job_0123456789', state: 'running' as const, tsMs: 1_764_000_000_000 };

  it('a job journalled as running when the agent stopped reopens as failed JOB_INTERRUPTED, unacknowledged, nonce kept', () => {
    const j = openJobJournal({ dir, logger, nowMs: () => 1_764_000_100_000 });
    j.record({ jobId: job.jobId, nonce: job.nonce, task: job.task, notAfterMs: job.notAfterMs, status: running });
    j.close();
    const again = openJobJournal({ dir, logger, nowMs: () => 1_764_000_200_000 });
    expect(again.find(job.jobId)?.status).toMatchObject({ state: 'failed', code: 'JOB_INTERRUPTED', tsMs: 1_764_000_200_000 });
    expect(again.unacked().map((e) => e.jobId)).toEqual([job.jobId]);
    expect(again.jobIdOfNonce(job.nonce)).toBe(job.jobId);
    again.close();
  });

  it('forgets acknowledged jobs only after their window (plus skew), and skips a torn last line', () => {
    const j = openJobJournal({ dir, logger, nowMs: () => 1_764_000_100_000 });
    j.record({ jobId: job.jobId, nonce: job.nonce, task: job.task, notAfterMs: job.notAfterMs, status: { ...running, state: 'done' } });
    j.markAcked(job.jobId, 'done');
    j.close();
    fs.appendFileSync(path.join(dir, 'jobs.jsonl'), '{"jobId":"job_torn","no');
    const within = openJobJournal({ dir, logger, nowMs: () => job.notAfterMs + 59_000 });
    expect(within.find(job.jobId)?.isAcked).toBe(true);
    expect(within.unacked()).toEqual([]);
    expect(within.size).toBe(1);
    within.close();
    const after = openJobJournal({ dir, logger, nowMs: () => job.notAfterMs + 61_000 });
    expect(after.size).toBe(0);
    after.close();
  });
});

describe('health.check parsers', () => {
  it('keeps real filesystems from /proc/mounts and names failed units', () => {
    const mounts = [
      '/dev/sda1 / ext4 rw 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/sdb1 /srv/my\\040data xfs rw 0 0',
      'srv:/x /mnt nfs4 rw 0 0',
    ].join('\n');
    expect(parseProcMounts(mounts)).toEqual(['/', '/srv/my data']);
    expect(parseFailedUnits('nginx.service loaded failed failed A high performance web server\n● cups.service loaded failed failed CUPS\n')).toEqual([
      'nginx.service',
      'cups.service',
    ]);
    expect(parseFailedUnits('')).toEqual([]);
  });
});
