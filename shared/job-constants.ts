/**
 * The zod-free half of the maintenance-job protocol: task names, limits and codes. The agent
 * imports only this (no zod in its bundle); shared/jobs.ts holds the schemas.
 */

/** Domain separation: the signed bytes are this line followed by the canonical JSON of the job. */
export const JOB_SIGNING_CONTEXT = 'quarkpulse-job-v1\n';

/** The predefined task catalogue. Nothing else ever runs: there is no "shell" task. */
export const JOB_TASK_NAMES = ['updates.scan', 'updates.install', 'service.restart', 'cleanup', 'reboot', 'health.check'] as const;
export type JobTaskName = (typeof JOB_TASK_NAMES)[number];

/** Longest window (notAfterMs − notBeforeMs) a job may have, ms: the agent keeps nonces this long. */
export const MAX_JOB_WINDOW_MS = 31 * 24 * 3_600_000;
/** How far the agent's clock may be off the server's when checking a job's window, ms. */
export const JOB_CLOCK_SKEW_MS = 60_000;
/** Most output characters a job status carries (the rest is cut; outputBytes and outputSha256 describe all of it). */
export const MAX_JOB_OUTPUT_CHARS = 64 * 1024;
/** Largest task result object, as JSON characters. */
export const MAX_JOB_RESULT_CHARS = 32 * 1024;

/** What an agent says about a job. `queued`, `sent` and `expired` are server-side states (see docs/PROTOCOL.md). */
export const JOB_AGENT_STATES = ['running', 'done', 'failed', 'refused'] as const;
export type JobAgentState = (typeof JOB_AGENT_STATES)[number];

/** Every state a job has on the server. */
export const JOB_STATES = ['queued', 'sent', 'running', 'done', 'failed', 'refused', 'expired'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Why an agent refused a job. Every refusal is checked before anything runs, and nothing runs
 * after one.
 */
export const JobRefusalCode = {
  /** The job frame is not a valid job (field named in the message). */
  JOB_MALFORMED: 'JOB_MALFORMED',
  /** The agent has no pinned job-signing key, so it cannot trust any job. */
  JOB_NO_PINNED_KEY: 'JOB_NO_PINNED_KEY',
  /** The signature does not verify with the pinned key (other key, or the job was altered). */
  JOB_BAD_SIGNATURE: 'JOB_BAD_SIGNATURE',
  /** The job names another device. */
  JOB_WRONG_DEVICE: 'JOB_WRONG_DEVICE',
  /** notBeforeMs is still in the future (beyond the allowed clock skew). */
  JOB_NOT_YET_VALID: 'JOB_NOT_YET_VALID',
  /** notAfterMs has passed (beyond the allowed clock skew). */
  JOB_EXPIRED: 'JOB_EXPIRED',
  /** The window is longer than MAX_JOB_WINDOW_MS (or empty). */
  JOB_WINDOW_TOO_LONG: 'JOB_WINDOW_TOO_LONG',
  /** The nonce was already used by another job. */
  JOB_REPLAYED: 'JOB_REPLAYED',
  /** The agent has no task of this name. */
  JOB_UNKNOWN_TASK: 'JOB_UNKNOWN_TASK',
  /** The parameters fail the task's validation. */
  JOB_INVALID_PARAMS: 'JOB_INVALID_PARAMS',
  /** The machine's local task setting turns tasks off. */
  JOB_TASKS_DISABLED: 'JOB_TASKS_DISABLED',
  /** The machine's local task setting does not list this task. */
  JOB_TASK_NOT_ALLOWED: 'JOB_TASK_NOT_ALLOWED',
  /** The machine's local task setting file is unreadable or invalid, so every task is refused. */
  JOB_LOCAL_POLICY_INVALID: 'JOB_LOCAL_POLICY_INVALID',
} as const;
export type JobRefusalCode = (typeof JobRefusalCode)[keyof typeof JobRefusalCode];

/** Why an accepted job failed. */
export const JobFailureCode = {
  /** The task ran and reported failure (exit code and output say why). */
  TASK_FAILED: 'TASK_FAILED',
  /** The task did not finish within its time limit and was stopped. */
  TASK_TIMEOUT: 'TASK_TIMEOUT',
  /** The package manager is locked by another process (dpkg lock); nothing was changed. */
  TASK_BUSY: 'TASK_BUSY',
  /** The agent stopped while the task ran; it is never started again (a job runs at most once). */
  JOB_INTERRUPTED: 'JOB_INTERRUPTED',
} as const;
export type JobFailureCode = (typeof JobFailureCode)[keyof typeof JobFailureCode];

/** How a job-signing public key is written: this prefix, then base64url of the raw 32-byte Ed25519 key. */
export const JOB_KEY_PREFIX = 'ed25519:';
