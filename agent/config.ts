/**
 * The agent's config file (JSON, mode 0600 because it holds the device token). Written by
 * `quarkpulse agent enroll`, read by `quarkpulse agent run`. Every load error says what to fix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const httpUrl = z
  .string({ error: 'must be a string like "https://monitor.example.com"' })
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL like "https://monitor.example.com"');

/** Shape of the config file; stateDir is optional on disk and defaults to the file's directory. */
export const agentConfigFileSchema = z
  .object({
    /** Base URL of the server, e.g. https://monitor.example.com (a path prefix behind a proxy is kept). */
    serverUrl: httpUrl,
    deviceId: z.string().min(1, 'must not be empty'),
    /** Secret device credential from enrollment. */
    deviceToken: z.string().min(1, 'must not be empty'),
    /** Collection interval, ms, until the server pushes its own. */
    intervalMs: z.number().int().min(1_000).max(3_600_000).default(10_000),
    /** Directory for the spool and stream state. */
    stateDir: z.string().min(1).optional(),
    /** PEM file with the CA that signed the server's certificate, for private CAs. */
    caFile: z.string().min(1).optional(),
  })
  .strict();

/** A loaded agent config with defaults applied (stateDir always set, absolute paths). */
export interface AgentFileConfig {
  readonly serverUrl: string;
  readonly deviceId: string;
  readonly deviceToken: string;
  /** Collection interval, ms. */
  readonly intervalMs: number;
  readonly stateDir: string;
  readonly caFile?: string | undefined;
}

/** What saveAgentConfig writes; stateDir may be left out to mean "next to the config file". */
export type AgentConfigInput = Omit<AgentFileConfig, 'stateDir' | 'intervalMs'> & {
  readonly stateDir?: string | undefined;
  readonly intervalMs?: number | undefined;
};

/**
 * Where the agent config lives unless --config says otherwise: $QP_AGENT_CONFIG, else the system
 * path for root (a service), else the user's config dir (a technician trying it out).
 */
export function defaultAgentConfigPath(
  env: NodeJS.ProcessEnv = process.env,
  isRoot: boolean = process.getuid?.() === 0,
  homeDir: string = os.homedir(),
): string {
  if (env.QP_AGENT_CONFIG) return path.resolve(env.QP_AGENT_CONFIG);
  if (isRoot) return '/etc/quarkpulse/agent.json';
  return path.join(homeDir, '.config', 'quarkpulse', 'agent.json');
}

// JSON.parse reports a character offset; people fix files by line and column.
function describeJsonError(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return err.message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split('\n');
  return `${err.message} (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
}

/** Reads and validates the agent config; throws an Error whose message says what to fix. */
export function loadAgentConfig(configPath: string): AgentFileConfig {
  const file = path.resolve(configPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`agent config ${file} does not exist — run \`quarkpulse agent enroll --server URL --token T\` first, or pass --config PATH`);
    }
    if (code === 'EACCES') {
      throw new Error(`agent config ${file} is not readable by this user — run the agent as the user that enrolled it (root for /etc/quarkpulse)`);
    }
    throw new Error(`agent config ${file} cannot be read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`agent config ${file} is not valid JSON: ${describeJsonError(text, err as Error)} — fix the file or re-run \`quarkpulse agent enroll\``);
  }
  const parsed = agentConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const given = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const problems = parsed.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')} (typo?)`;
      const field = i.path.join('.');
      if (!field) return i.message;
      if (i.path.length === 1 && given[field] === undefined) return `field "${field}" is missing`;
      return `field "${field}" ${i.message}`;
    });
    throw new Error(`agent config ${file} is invalid: ${problems.join('; ')}`);
  }
  const cfg = parsed.data;
  const dir = path.dirname(file);
  return {
    serverUrl: cfg.serverUrl,
    deviceId: cfg.deviceId,
    deviceToken: cfg.deviceToken,
    intervalMs: cfg.intervalMs,
    // Relative paths are relative to the config file, not to wherever the service was started.
    stateDir: path.resolve(dir, cfg.stateDir ?? '.'),
    caFile: cfg.caFile === undefined ? undefined : path.resolve(dir, cfg.caFile),
  };
}

// Temp file (0600), fsync, rename, chmod: a crash leaves the old file or the new one, never half,
// and an existing file with looser permissions is tightened.
function writeConfigFile(file: string, body: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

/**
 * Replaces the device token in an existing config file (credential rotation), keeping every other
 * field as written. Durable (fsync) before it returns, because the server retires the old token
 * as soon as the agent acknowledges.
 */
export function updateAgentConfigToken(configPath: string, deviceToken: string): void {
  const file = path.resolve(configPath);
  // loadAgentConfig gives the precise error if the file went bad since start.
  loadAgentConfig(file);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeConfigFile(file, agentConfigFileSchema.parse({ ...raw, deviceToken }));
}

/** Writes the config with mode 0600 (it holds the device token). */
export function saveAgentConfig(configPath: string, cfg: AgentConfigInput): void {
  const file = path.resolve(configPath);
  const body = agentConfigFileSchema.parse({
    serverUrl: cfg.serverUrl,
    deviceId: cfg.deviceId,
    deviceToken: cfg.deviceToken,
    intervalMs: cfg.intervalMs,
    ...(cfg.stateDir === undefined ? {} : { stateDir: cfg.stateDir }),
    ...(cfg.caFile === undefined ? {} : { caFile: cfg.caFile }),
  });
  writeConfigFile(file, body);
}
