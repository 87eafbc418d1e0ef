/** The task catalogue in words, for the device page (run now) and the client page (policies). */
import { activeT, type DashKey } from './i18n/index.js';

export const TASKS = [
  { task: 'health.check', label: 'task.health.check' },
  { task: 'updates.scan', label: 'task.updates.scan' },
  { task: 'updates.install', label: 'task.updates.install' },
  { task: 'service.restart', label: 'task.service.restart' },
  { task: 'cleanup', label: 'task.cleanup' },
  { task: 'reboot', label: 'task.reboot' },
] as const satisfies readonly { task: string; label: DashKey }[];
export type Task = (typeof TASKS)[number]['task'];

/** A task's label in the active language, or its id when unknown. */
export const taskLabel = (task: string): string => {
  const key = TASKS.find((t) => t.task === task)?.label;
  return key ? activeT()(key) : task;
};
