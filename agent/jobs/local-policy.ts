/**
 * The machine's own task setting: a JSON file only someone on the machine can change (the server
 * has no way to write it). Read at every job, so an edit applies to the next job without a restart.
 *
 *   { "enabled": false }                                      no task runs
 *   { "enabled": true, "allowedTasks": ["updates.scan"] }     only these
 *   (no file)                                                 the whole predefined catalogue
 *
 * A file that cannot be read or parsed refuses every task: a broken setting must not mean "all".
 */
import fs from 'node:fs';
import { JOB_TASK_NAMES } from '../../shared/job-constants.js';

/** What the setting allows. */
export type LocalTaskPolicy =
  { kind: 'default' } | { kind: 'set'; isEnabled: boolean; allowedTasks?: readonly string[] } | { kind: 'invalid'; problem: string };

/** Reads the task setting file; never throws. */
export function readLocalTaskPolicy(file: string): LocalTaskPolicy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'default' };
    return { kind: 'invalid', problem: `${file} cannot be read: ${(err as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', problem: `${file} is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'invalid', problem: `${file} must hold one JSON object` };
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => k !== 'enabled' && k !== 'allowedTasks');
  if (unknown.length > 0) return { kind: 'invalid', problem: `${file}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')}` };
  if (typeof r.enabled !== 'boolean') return { kind: 'invalid', problem: `${file}: field "enabled" must be true or false` };
  if (r.allowedTasks === undefined) return { kind: 'set', isEnabled: r.enabled };
  if (!Array.isArray(r.allowedTasks) || !r.allowedTasks.every((t) => typeof t === 'string')) {
    return { kind: 'invalid', problem: `${file}: field "allowedTasks" must be a list of task names` };
  }
  const notInCatalogue = r.allowedTasks.filter((t) => !(JOB_TASK_NAMES as readonly string[]).includes(t as string));
  if (notInCatalogue.length > 0) {
    return {
      kind: 'invalid',
      problem: `${file}: "allowedTasks" names unknown task(s) ${notInCatalogue.map((t) => `"${t}"`).join(', ')}; known: ${JOB_TASK_NAMES.join(', ')}`,
    };
  }
  return { kind: 'set', isEnabled: r.enabled, allowedTasks: r.allowedTasks as string[] };
}
