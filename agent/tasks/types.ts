/**
 * One task of the predefined maintenance catalogue (agent/tasks/<name>.ts). A task validates its
 * own parameters by hand (the agent carries no zod; tests/jobs/job-wire.test.ts holds each check
 * to its zod schema in shared/jobs.ts) and runs fixed programs with argument lists, never a shell.
 */
import type { Logger } from 'pino';
import type { JobFailureCode, JobTaskName } from '../../shared/job-constants.js';

/** What a task gets besides its parameters. */
export interface TaskContext {
  readonly logger: Logger;
  /** Aborted when the task's time limit passes or the agent stops. */
  readonly signal: AbortSignal;
  /** The job's window, ms since the Unix epoch (reboot uses it: never after the window). */
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly nowMs: () => number;
}

/** How a task ended. */
export interface TaskOutcome {
  readonly isOk: boolean;
  /** With isOk false: why (default TASK_FAILED). */
  readonly code?: JobFailureCode;
  readonly message?: string;
  readonly exitCode?: number;
  /** Combined output of what ran; the runner bounds it and hashes it. */
  readonly output: string;
  /** Task-specific figures (bytesFreed, packages, …). */
  readonly result?: Record<string, unknown>;
}

/** A catalogue task. */
export interface Task {
  readonly name: JobTaskName;
  /** Longest the task may run before it is stopped, ms. */
  readonly timeoutMs: number;
  /** Why these parameters are refused, or undefined. */
  paramsProblem(params: Record<string, unknown>): string | undefined;
  run(params: Record<string, unknown>, ctx: TaskContext): Promise<TaskOutcome>;
}

/** Keys of a params object that are not in `allowed`, as a problem text, or undefined. */
export function unknownKeysProblem(params: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(params).filter((k) => !allowed.includes(k));
  return extra.length > 0 ? `unknown parameter(s) ${extra.map((k) => `"${k}"`).join(', ')}` : undefined;
}

/** The shape of package, update and service names (shared/jobs.ts safeNameSchema). */
export const SAFE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9+._:@~-]*$/;

/** True for a safe name of 1–200 characters. */
export function isSafeName(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 200 && SAFE_NAME_PATTERN.test(v);
}
