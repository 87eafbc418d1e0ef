/**
 * The settings the server last pushed (interval, watched services, collector switches), kept in
 * `<stateDir>/server-settings.json` so an agent restarted while the server is unreachable keeps
 * watching what it was told to. A damaged file is moved aside and reported, never fatal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AgentConfig } from '../shared/protocol.js';
import { AGENT_CONFIG_LIMITS } from '../shared/protocol-constants.js';
import { probeConfigProblem } from './probe/config.js';

const FILE = 'server-settings.json';

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= AGENT_CONFIG_LIMITS.maxServiceNameChars);
}

/** Checks the file's shape by hand (no zod on the agent's start path); the problem, or undefined. */
function problemOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const r = raw as Record<string, unknown>;
  const { minIntervalMs, maxIntervalMs } = AGENT_CONFIG_LIMITS;
  if (!Number.isInteger(r.intervalMs) || (r.intervalMs as number) < minIntervalMs || (r.intervalMs as number) > maxIntervalMs) {
    return `field "intervalMs" must be an integer ${minIntervalMs}–${maxIntervalMs}`;
  }
  if (r.watchedServices !== undefined && !isStringArray(r.watchedServices)) return 'field "watchedServices" must be a list of names';
  if (
    r.collectors !== undefined &&
    (typeof r.collectors !== 'object' || r.collectors === null || !Object.values(r.collectors).every((b) => typeof b === 'boolean'))
  ) {
    return 'field "collectors" must map names to true/false';
  }
  if (r.probe !== undefined) return probeConfigProblem(r.probe);
  return undefined;
}

/** The remembered settings, or undefined when there are none (or they were unreadable: moved aside). */
export function loadServerSettings(stateDir: string, logger: Logger): AgentConfig | undefined {
  const file = path.join(stateDir, FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let problem: string | undefined;
  try {
    const raw: unknown = JSON.parse(text);
    problem = problemOf(raw);
    if (!problem) return raw as AgentConfig;
  } catch (err) {
    problem = `not valid JSON: ${(err as Error).message}`;
  }
  const movedTo = `${file}.corrupt-${Date.now()}`;
  try {
    fs.renameSync(file, movedTo);
  } catch {
    // Left in place; it is read-only state and the next save replaces it.
  }
  logger.error({ file, movedTo, problem }, 'remembered server settings are damaged; moved aside, using the config file until the server sends settings');
  return undefined;
}

/** Remembers the settings (temp file + rename, 0600). A failure is logged; the agent keeps running. */
export function saveServerSettings(stateDir: string, settings: AgentConfig, logger: Logger): void {
  const file = path.join(stateDir, FILE);
  try {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify(settings)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    logger.warn({ file, err: (err as Error).message }, 'could not remember the server settings; they apply until the agent restarts');
  }
}
