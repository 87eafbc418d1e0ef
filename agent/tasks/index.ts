/**
 * The agent's task catalogue: one module per task, listed here. A task not listed does not exist
 * for this agent (JOB_UNKNOWN_TASK); there is no shell task.
 */
import { createCleanupTask } from './cleanup.js';
import { createHealthCheckTask } from './health-check.js';
import { createRebootTask } from './reboot.js';
import { defaultPrivilege, type Privilege } from './run-command.js';
import { createServiceRestartTask } from './service-restart.js';
import type { Task } from './types.js';
import { createUpdatesInstallTask, createUpdatesScanTask, detectPackageManager } from './update-tasks.js';

/** Every built-in task for this platform (the update tasks only where an update mechanism exists). */
export async function defaultTasks(platform: NodeJS.Platform = process.platform, privilege: Privilege = defaultPrivilege()): Promise<Task[]> {
  const manager = await detectPackageManager(platform);
  const tasks: Task[] = [
    createHealthCheckTask(platform),
    createServiceRestartTask(platform, privilege),
    createCleanupTask(platform, privilege),
    createRebootTask(platform, privilege),
  ];
  if (manager) tasks.push(createUpdatesScanTask({ platform, privilege, manager }), createUpdatesInstallTask({ platform, privilege, manager }));
  return tasks;
}
