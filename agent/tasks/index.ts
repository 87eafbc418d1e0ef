/**
 * The agent's task catalogue: one module per task, listed here. A task not listed does not exist
 * for this agent (JOB_UNKNOWN_TASK); there is no shell task.
 */
import { createHealthCheckTask } from './health-check.js';
import type { Task } from './types.js';

/** Every built-in task for this platform. */
export function defaultTasks(platform: NodeJS.Platform = process.platform): Task[] {
  return [createHealthCheckTask(platform)];
}
