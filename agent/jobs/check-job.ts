/**
 * Every check a job passes before anything runs, in this order (the first failure decides):
 *
 *   1 frame shape (envelope fields)          JOB_MALFORMED
 *   2 a key is pinned                        JOB_NO_PINNED_KEY
 *   3 signature by the pinned key            JOB_BAD_SIGNATURE      (other key, or altered)
 *   4 deviceId is this device                JOB_WRONG_DEVICE
 *   5 jobId already handled                  → duplicate: answer the recorded status, run nothing
 *   6 window length                          JOB_WINDOW_TOO_LONG
 *   7 now inside [notBefore, notAfter] ± skew JOB_NOT_YET_VALID / JOB_EXPIRED
 *   8 nonce not used by another job          JOB_REPLAYED
 *   9 the machine's task setting             JOB_LOCAL_POLICY_INVALID / JOB_TASKS_DISABLED
 *  10 task in the agent's catalogue          JOB_UNKNOWN_TASK
 *  11 task allowed by the machine's setting  JOB_TASK_NOT_ALLOWED
 *  12 parameters valid for the task          JOB_INVALID_PARAMS
 *
 * Pure apart from the signature check: the caller passes the journal lookups, the clock reading
 * and the task setting it read.
 */
import type { KeyObject } from 'node:crypto';
import { JOB_CLOCK_SKEW_MS, JobRefusalCode, MAX_JOB_WINDOW_MS } from '../../shared/job-constants.js';
import type { JobEnvelope } from '../../shared/jobs.js';
import type { Task } from '../tasks/types.js';
import { isJobSignatureValid } from './job-signature.js';
import type { LocalTaskPolicy } from './local-policy.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 946_684_800_000 && v <= 32_503_680_000_000;
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const NONCE = /^[A-Za-z0-9_-]{22,64}$/;
const ENVELOPE_KEYS = ['jobId', 'deviceId', 'task', 'params', 'notBeforeMs', 'notAfterMs', 'nonce'];

/** Why a job envelope is malformed (jobEnvelopeSchema's rules), or undefined. */
export function jobEnvelopeProblem(job: unknown): string | undefined {
  if (!isObject(job)) return 'job: must be an object';
  for (const k of Object.keys(job)) if (!ENVELOPE_KEYS.includes(k)) return `job: unknown field "${k}"`;
  if (typeof job.jobId !== 'string' || !ID.test(job.jobId)) return 'job.jobId: must be 8–64 characters of A–Z, a–z, 0–9, _ and -';
  if (typeof job.deviceId !== 'string' || job.deviceId.length < 1 || job.deviceId.length > 64) return 'job.deviceId: must be a string of 1–64 characters';
  if (typeof job.task !== 'string' || job.task.length < 1 || job.task.length > 64) return 'job.task: must be a string of 1–64 characters';
  if (!isObject(job.params)) return 'job.params: must be an object';
  if (!isTime(job.notBeforeMs)) return 'job.notBeforeMs: must be an integer time in ms between 2000 and 3000';
  if (!isTime(job.notAfterMs)) return 'job.notAfterMs: must be an integer time in ms between 2000 and 3000';
  if (typeof job.nonce !== 'string' || !NONCE.test(job.nonce)) return 'job.nonce: must be 22–64 base64url characters';
  return undefined;
}

/** Why a job frame (outside the envelope) is malformed, or undefined. */
export function jobFrameProblem(frame: Obj): string | undefined {
  if (typeof frame.signature !== 'string' || frame.signature.length < 80 || frame.signature.length > 100)
    return 'signature: must be a string of 80–100 characters';
  if (typeof frame.keyId !== 'string' || frame.keyId.length < 1 || frame.keyId.length > 64) return 'keyId: must be a string of 1–64 characters';
  const also = frame.alsoSignedBy;
  if (
    also !== undefined &&
    (!Array.isArray(also) || also.length > 4 || !also.every((x) => isObject(x) && typeof x.signature === 'string' && typeof x.keyId === 'string'))
  ) {
    return 'alsoSignedBy: must be a list of at most 4 { keyId, signature }';
  }
  return jobEnvelopeProblem(frame.job);
}

/** What the checks need to know. */
export interface JobCheckInput {
  readonly pinnedKey: KeyObject | undefined;
  /** keyId of the pinned key, for messages. */
  readonly pinnedKeyId: string | undefined;
  readonly deviceId: string;
  readonly nowMs: number;
  readonly isKnownJob: (jobId: string) => boolean;
  /** The job that used this nonce, if any. */
  readonly jobIdOfNonce: (nonce: string) => string | undefined;
  readonly tasks: ReadonlyMap<string, Task>;
  readonly policy: LocalTaskPolicy;
}

/** The verdict on one job frame. */
export type JobCheck =
  | { verdict: 'run'; job: JobEnvelope; task: Task }
  | { verdict: 'duplicate'; jobId: string }
  | {
      verdict: 'refuse';
      code: JobRefusalCode;
      message: string;
      /** The job's id when the frame carried a usable one (the refusal is reported under it). */
      jobId?: string;
      /** The signed, checked envelope when the refusal came after the signature (it is journalled). */
      job?: JobEnvelope;
    };

/** Runs the checks on one frame. */
export function checkJob(frame: Obj, input: JobCheckInput): JobCheck {
  const rawJob = isObject(frame.job) ? frame.job : undefined;
  const rawId = typeof rawJob?.jobId === 'string' && ID.test(rawJob.jobId) ? rawJob.jobId : undefined;
  const refuse = (code: JobRefusalCode, message: string, job?: JobEnvelope): JobCheck => ({
    verdict: 'refuse',
    code,
    message,
    ...(rawId ? { jobId: rawId } : {}),
    ...(job ? { job } : {}),
  });
  const shape = jobFrameProblem(frame);
  if (shape) return refuse(JobRefusalCode.JOB_MALFORMED, shape);
  const job = frame.job as JobEnvelope;
  if (!input.pinnedKey)
    return refuse(
      JobRefusalCode.JOB_NO_PINNED_KEY,
      'this agent has no pinned job-signing key, so it runs no jobs (re-enroll, or set jobSigningKey in the agent config)',
    );
  // The frame's own signature, or one of alsoSignedBy (an installation moving to one key signs with both).
  const signatures = [{ keyId: frame.keyId, signature: frame.signature as string }, ...((frame.alsoSignedBy as { keyId: string; signature: string }[]) ?? [])];
  if (!signatures.some((s) => isJobSignatureValid(input.pinnedKey!, job, s.signature))) {
    const which = signatures.some((s) => s.keyId === input.pinnedKeyId)
      ? 'the job was altered after signing'
      : `signed by key ${signatures.map((s) => String(s.keyId)).join(' and ')}, this agent trusts key ${input.pinnedKeyId}`;
    return refuse(JobRefusalCode.JOB_BAD_SIGNATURE, `signature does not verify with the pinned key (${which})`);
  }
  if (job.deviceId !== input.deviceId) return refuse(JobRefusalCode.JOB_WRONG_DEVICE, `job is for device ${job.deviceId}, this is device ${input.deviceId}`);
  if (input.isKnownJob(job.jobId)) return { verdict: 'duplicate', jobId: job.jobId };
  const windowMs = job.notAfterMs - job.notBeforeMs;
  if (windowMs <= 0 || windowMs > MAX_JOB_WINDOW_MS) {
    return refuse(JobRefusalCode.JOB_WINDOW_TOO_LONG, `window of ${windowMs} ms must be above 0 and at most ${MAX_JOB_WINDOW_MS} ms (31 days)`, job);
  }
  if (input.nowMs < job.notBeforeMs - JOB_CLOCK_SKEW_MS) {
    return refuse(
      JobRefusalCode.JOB_NOT_YET_VALID,
      `job may start at ${new Date(job.notBeforeMs).toISOString()}; agent time is ${new Date(input.nowMs).toISOString()}`,
      job,
    );
  }
  if (input.nowMs > job.notAfterMs + JOB_CLOCK_SKEW_MS) {
    return refuse(
      JobRefusalCode.JOB_EXPIRED,
      `job window ended at ${new Date(job.notAfterMs).toISOString()}; agent time is ${new Date(input.nowMs).toISOString()}`,
      job,
    );
  }
  const nonceOwner = input.jobIdOfNonce(job.nonce);
  if (nonceOwner !== undefined) return refuse(JobRefusalCode.JOB_REPLAYED, `nonce already used by job ${nonceOwner}`, job);
  const { policy } = input;
  if (policy.kind === 'invalid')
    return refuse(JobRefusalCode.JOB_LOCAL_POLICY_INVALID, `the machine's task setting is invalid, so every task is refused: ${policy.problem}`, job);
  if (policy.kind === 'set' && !policy.isEnabled) return refuse(JobRefusalCode.JOB_TASKS_DISABLED, 'tasks are switched off on this machine', job);
  const task = input.tasks.get(job.task);
  if (!task)
    return refuse(JobRefusalCode.JOB_UNKNOWN_TASK, `this agent has no task "${job.task}"; it has ${[...input.tasks.keys()].join(', ') || 'none'}`, job);
  if (policy.kind === 'set' && policy.allowedTasks && !policy.allowedTasks.includes(job.task)) {
    return refuse(JobRefusalCode.JOB_TASK_NOT_ALLOWED, `the machine's task setting allows only ${policy.allowedTasks.join(', ') || 'no task'}`, job);
  }
  const problem = task.paramsProblem(job.params);
  if (problem) return refuse(JobRefusalCode.JOB_INVALID_PARAMS, `${job.task}: ${problem}`, job);
  return { verdict: 'run', job, task };
}
