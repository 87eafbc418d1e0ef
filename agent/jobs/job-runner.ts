/**
 * Receives job frames, checks them (check-job.ts), runs accepted ones one at a time, and reports
 * every step as a jobStatus frame. The journal is written (fsync) before each step is acted on or
 * reported, so whatever the agent says survives a crash and nothing runs twice.
 *
 *   frame ─▶ queue ─▶ check ─┬ refuse ─▶ [journal if signed] ─▶ jobStatus refused
 *                            ├ duplicate ─▶ resend the recorded status (nothing runs)
 *                            └ run ─▶ journal running ─▶ jobStatus running ─▶ task
 *                                     ─▶ journal done|failed ─▶ jobStatus done|failed
 *   jobAck ─▶ journal acked;   welcome ─▶ resend every unacknowledged status
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { JobFailureCode, JobRefusalCode, MAX_JOB_OUTPUT_CHARS, MAX_JOB_RESULT_CHARS, type JobAgentState } from '../../shared/job-constants.js';
import type { JobEnvelope, JobStatus } from '../../shared/jobs.js';
import { PROTOCOL_VERSION } from '../../shared/protocol-constants.js';
import type { Task, TaskOutcome } from '../tasks/types.js';
import { checkJob } from './check-job.js';
import type { JobJournal } from './job-journal.js';
import { parsePinnedKey, pinnedKeyIdOf } from './job-signature.js';
import { readLocalTaskPolicy } from './local-policy.js';

/** Inputs of createJobRunner. */
export interface JobRunnerOptions {
  readonly deviceId: string;
  readonly journal: JobJournal;
  readonly tasks: readonly Task[];
  /** The pinned job-signing key (read at every job: it may be pinned by the first welcome). */
  readonly pinnedKey: () => string | undefined;
  /** The machine's task setting file (local-policy.ts). */
  readonly tasksFile: string;
  readonly logger: Logger;
  readonly nowMs: () => number;
  /** Sends a status if connected; false otherwise (it is resent after the next welcome). */
  readonly send: (status: JobStatus) => boolean;
}

/** The job runner. */
export interface JobRunner {
  /** A `job` frame arrived (raw: everything is checked here). */
  onJob(frame: Record<string, unknown>): void;
  /** A `jobAck` arrived. */
  onAck(jobId: string, state: JobAgentState): void;
  /** After a welcome: sends every status the server has not acknowledged. */
  resendUnacked(): void;
  /** Resolves when the queue is empty. */
  idle(): Promise<void>;
  /** Stops the running task (reported failed, JOB_INTERRUPTED) and refuses to start more. */
  stop(): Promise<void>;
}

/** Bounds output to its last MAX_JOB_OUTPUT_CHARS characters and describes the whole of it. */
export function boundOutput(output: string): Pick<JobStatus, 'output' | 'outputBytes' | 'outputSha256' | 'isOutputTruncated'> {
  const bytes = Buffer.from(output, 'utf8');
  const isOutputTruncated = output.length > MAX_JOB_OUTPUT_CHARS;
  return {
    output: isOutputTruncated ? output.slice(output.length - MAX_JOB_OUTPUT_CHARS) : output,
    outputBytes: bytes.length,
    outputSha256: createHash('sha256').update(bytes).digest('hex'),
    isOutputTruncated,
  };
}

/** Creates the runner; nothing runs until a frame arrives. */
export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const { journal, logger } = opts;
  const tasks = new Map(opts.tasks.map((t) => [t.name as string, t]));
  let chain: Promise<void> = Promise.resolve();
  const stopController = new AbortController();
  let keyCache: { pinned: string; key: KeyObject | undefined; keyId: string } | undefined;

  function pinned(): { key: KeyObject | undefined; keyId: string | undefined } {
    const p = opts.pinnedKey();
    if (p === undefined) return { key: undefined, keyId: undefined };
    if (keyCache?.pinned !== p) {
      let key: KeyObject | undefined;
      try {
        key = parsePinnedKey(p);
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'the pinned job-signing key cannot be used; every job is refused');
      }
      keyCache = { pinned: p, key, keyId: pinnedKeyIdOf(p) };
    }
    return { key: keyCache.key, keyId: keyCache.keyId };
  }

  function status(jobId: string, state: JobAgentState, extra: Partial<JobStatus> = {}): JobStatus {
    return { type: 'jobStatus', v: PROTOCOL_VERSION, jobId, state, tsMs: opts.nowMs(), ...extra };
  }

  // Journal first, then tell the server. False when the journal cannot be written.
  function recordAndSend(job: JobEnvelope, s: JobStatus): boolean {
    try {
      journal.record({ jobId: job.jobId, nonce: job.nonce, task: job.task, notAfterMs: job.notAfterMs, status: s });
    } catch (err) {
      logger.error({ jobId: job.jobId, err: (err as Error).message }, 'cannot write the job journal');
      return false;
    }
    opts.send(s);
    return true;
  }

  async function runTask(job: JobEnvelope, task: Task): Promise<JobStatus> {
    const startedAt = performance.now();
    const timeout = AbortSignal.timeout(task.timeoutMs);
    const signal = AbortSignal.any([timeout, stopController.signal]);
    let outcome: TaskOutcome;
    try {
      outcome = await task.run(job.params, { logger, signal, notBeforeMs: job.notBeforeMs, notAfterMs: job.notAfterMs, nowMs: opts.nowMs });
    } catch (err) {
      outcome = { isOk: false, message: (err as Error).message, output: '' };
    }
    const durationMs = Math.round(performance.now() - startedAt);
    let code: string | undefined = outcome.isOk ? undefined : (outcome.code ?? JobFailureCode.TASK_FAILED);
    let message = outcome.message;
    if (!outcome.isOk && timeout.aborted) {
      code = JobFailureCode.TASK_TIMEOUT;
      message = `stopped after ${task.timeoutMs} ms${message ? `: ${message}` : ''}`;
    } else if (!outcome.isOk && stopController.signal.aborted) {
      code = JobFailureCode.JOB_INTERRUPTED;
      message = `the agent stopped during the task${message ? `: ${message}` : ''}`;
    }
    const result = outcome.result && JSON.stringify(outcome.result).length <= MAX_JOB_RESULT_CHARS ? outcome.result : undefined;
    return status(job.jobId, outcome.isOk ? 'done' : 'failed', {
      ...(code ? { code } : {}),
      ...(message ? { message: message.slice(0, 1_000) } : {}),
      ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
      durationMs,
      ...boundOutput(outcome.output),
      ...(result ? { result } : {}),
    });
  }

  async function handle(frame: Record<string, unknown>): Promise<void> {
    const key = pinned();
    const check = checkJob(frame, {
      pinnedKey: key.key,
      pinnedKeyId: key.keyId,
      deviceId: opts.deviceId,
      nowMs: opts.nowMs(),
      isKnownJob: (id) => journal.find(id) !== undefined,
      jobIdOfNonce: (n) => journal.jobIdOfNonce(n),
      tasks,
      policy: readLocalTaskPolicy(opts.tasksFile),
    });
    if (check.verdict === 'duplicate') {
      const e = journal.find(check.jobId)!;
      logger.info({ jobId: check.jobId, state: e.status.state }, 'job received again; answering its recorded status, not running it');
      opts.send(e.status);
      return;
    }
    if (check.verdict === 'refuse') {
      logger.warn({ jobId: check.jobId, code: check.code, reason: check.message }, 'job refused; nothing run');
      if (!check.jobId) return;
      const s = status(check.jobId, 'refused', { code: check.code, message: check.message });
      // Only a signed job is journalled (an unsigned frame must not be able to fill the journal);
      // not a replay (its nonce belongs to the first job) nor one that is merely early.
      if (check.job && check.code !== JobRefusalCode.JOB_REPLAYED && check.code !== JobRefusalCode.JOB_NOT_YET_VALID) recordAndSend(check.job, s);
      else opts.send(s);
      return;
    }
    const { job, task } = check;
    if (stopController.signal.aborted) return; // resent by the server after the restart
    if (!recordAndSend(job, status(job.jobId, 'running'))) {
      opts.send(
        status(job.jobId, 'failed', {
          code: JobFailureCode.TASK_FAILED,
          message: 'the agent cannot write its job journal (disk full?); the task was not started',
        }),
      );
      return;
    }
    logger.info({ jobId: job.jobId, task: job.task }, 'job started');
    const final = await runTask(job, task);
    logger.info({ jobId: job.jobId, task: job.task, state: final.state, code: final.code, durationMs: final.durationMs }, 'job finished');
    if (!recordAndSend(job, final)) opts.send(final);
  }

  return {
    onJob(frame) {
      chain = chain.then(() => handle(frame)).catch((err: Error) => logger.error({ err: err.message }, 'job handling failed'));
    },
    onAck(jobId, state) {
      try {
        journal.markAcked(jobId, state);
      } catch (err) {
        logger.warn({ jobId, err: (err as Error).message }, 'cannot record a job acknowledgement; the status will be sent again');
      }
    },
    resendUnacked() {
      for (const e of journal.unacked()) if (!opts.send(e.status)) return;
    },
    idle: () => chain,
    async stop() {
      stopController.abort();
      await chain;
    },
  };
}
