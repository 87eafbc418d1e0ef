/**
 * The agent's job journal: every job it accepted or refused after the signature check, with its
 * latest status and whether the server acknowledged it. One JSON line per change in
 * `<stateDir>/jobs.jsonl`, fsynced before the agent acts on it, so
 *
 *  - a job is recorded as running before its task starts: after a crash or restart it is reported
 *    failed (JOB_INTERRUPTED) and never started again;
 *  - nonces and job ids survive restarts: a replayed or re-sent job is answered, not run;
 *  - a final status survives until the server acknowledges it (it is resent after each welcome).
 *
 * On open the file is rewritten with one line per job, dropping acknowledged final jobs whose
 * window ended (plus the clock skew): after that the time check refuses them anyway.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { JOB_CLOCK_SKEW_MS, JobFailureCode, type JobAgentState } from '../../shared/job-constants.js';
import type { JobStatus } from '../../shared/jobs.js';
import { PROTOCOL_VERSION } from '../../shared/protocol-constants.js';

/** One job as the journal knows it. */
export interface JournalEntry {
  readonly jobId: string;
  readonly nonce: string;
  readonly task: string;
  /** Window end, ms; the entry may be forgotten after it (plus skew) once acknowledged. */
  readonly notAfterMs: number;
  /** The latest status sent (or to send) for this job. */
  readonly status: JobStatus;
  /** The server acknowledged `status`. */
  readonly isAcked: boolean;
}

/** The journal. */
export interface JobJournal {
  find(jobId: string): JournalEntry | undefined;
  jobIdOfNonce(nonce: string): string | undefined;
  /** Records (durably, fsync) the new latest status of a job; throws if it cannot be written. */
  record(entry: Omit<JournalEntry, 'isAcked'>): void;
  /** The server stored this state: stop resending it (durable). */
  markAcked(jobId: string, state: JobAgentState): void;
  /** Statuses the server has not acknowledged, oldest first. */
  unacked(): JournalEntry[];
  /** Jobs remembered. */
  readonly size: number;
  close(): void;
}

const FILE = 'jobs.jsonl';

/** Opens (and compacts) the journal in `dir`; jobs left running by a previous process become failed. */
export function openJobJournal(opts: { dir: string; logger: Logger; nowMs: () => number }): JobJournal {
  const file = path.join(opts.dir, FILE);
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const entries = new Map<string, JournalEntry>();
  const nonces = new Map<string, string>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`job journal ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as JournalEntry;
      if (typeof e.jobId !== 'string' || typeof e.nonce !== 'string' || typeof e.status?.state !== 'string') throw new Error('incomplete');
      entries.set(e.jobId, e);
    } catch {
      // A torn last line from a crash: the action it described never started (we fsync first).
      badLines++;
    }
  }
  if (badLines > 0) opts.logger.warn({ file, badLines }, 'job journal: skipped unreadable lines');
  const now = opts.nowMs();
  for (const [jobId, e] of entries) {
    if (e.status.state === 'running') {
      entries.set(jobId, {
        ...e,
        isAcked: false,
        status: {
          type: 'jobStatus',
          v: PROTOCOL_VERSION,
          jobId,
          state: 'failed',
          tsMs: now,
          code: JobFailureCode.JOB_INTERRUPTED,
          message: 'the agent stopped while this task ran; it was not started again (a job runs at most once) — check the machine',
        },
      });
      opts.logger.warn({ jobId, task: e.task }, 'job was running when the agent stopped; reported as interrupted, not run again');
    } else if (e.isAcked && e.notAfterMs + JOB_CLOCK_SKEW_MS < now) {
      entries.delete(jobId);
    }
  }
  for (const e of entries.values()) nonces.set(e.nonce, e.jobId);
  // Rewrite compactly: temp file, fsync, rename.
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, [...entries.values()].map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
  const tfd = fs.openSync(tmp, 'r+');
  fs.fsyncSync(tfd);
  fs.closeSync(tfd);
  fs.renameSync(tmp, file);
  let fd: number | undefined = fs.openSync(file, 'a', 0o600);

  function append(e: JournalEntry): void {
    if (fd === undefined) throw new Error('job journal is closed');
    fs.writeSync(fd, `${JSON.stringify(e)}\n`);
    fs.fsyncSync(fd);
    entries.set(e.jobId, e);
    nonces.set(e.nonce, e.jobId);
  }

  return {
    find: (jobId) => entries.get(jobId),
    jobIdOfNonce: (nonce) => nonces.get(nonce),
    record(entry) {
      append({ ...entry, isAcked: false });
    },
    markAcked(jobId, state) {
      const e = entries.get(jobId);
      if (!e || e.isAcked || e.status.state !== state) return;
      append({ ...e, isAcked: true });
    },
    unacked: () => [...entries.values()].filter((e) => !e.isAcked).sort((a, b) => a.status.tsMs - b.status.tsMs),
    get size() {
      return entries.size;
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}
