/** The task catalogue in words, for the device page (run now) and the client page (policies). */
export const TASKS = [
  { task: 'health.check', label: 'Health check (disks, memory, failed services)' },
  { task: 'updates.scan', label: 'Scan for updates' },
  { task: 'updates.install', label: 'Install updates' },
  { task: 'service.restart', label: 'Restart a service' },
  { task: 'cleanup', label: 'Clean temporary files and caches' },
  { task: 'reboot', label: 'Reboot' },
] as const;
export type Task = (typeof TASKS)[number]['task'];

/** A task's label, or its id when unknown. */
export const taskLabel = (task: string): string => TASKS.find((t) => t.task === task)?.label ?? task;
