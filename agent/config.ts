/**
 * The agent's config file (JSON, mode 0600 because it holds the device token). Written by
 * `quarkpulse agent enroll`, read by `quarkpulse agent run`. Every load error says what to fix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_CONFIG_LIMITS } from '../shared/protocol-constants.js';

/** The config file as stored: stateDir is optional on disk and defaults to the file's directory. */
export interface AgentConfigFileBody {
  /** Base URL of the server, e.g. https://monitor.example.com (a path prefix behind a proxy is kept). */
  serverUrl: string;
  deviceId: string;
  /** Secret device credential from enrollment. */
  deviceToken: string;
  /** Collection interval, ms, until the server pushes its own. */
  intervalMs: number;
  /** Directory for the spool and stream state. */
  stateDir?: string;
  /** PEM file with the CA that signed the server's certificate, for private CAs. */
  caFile?: string;
  /** The operator accepts plain http:// to a non-loopback server (the credential travels in clear). */
  allowInsecureHttp?: boolean;
  /** The server's job-signing public key (`ed25519:` + base64url), pinned at enrollment or first welcome. */
  jobSigningKey?: string;
  /** The machine's own task setting (docs/MAINTENANCE.md); default tasks.json next to this file. */
  tasksFile?: string;
  /** The server's Ed25519 public key (base64, 32 bytes), pinned at enrollment; executables must carry its signature. */
  signingPublicKey?: string;
  /** Credentials before the last rotations, newest first (at most 3): used if the server was restored from a backup. */
  previousDeviceTokens?: string[];
}

const FIELDS = [
  'serverUrl',
  'deviceId',
  'deviceToken',
  'intervalMs',
  'stateDir',
  'caFile',
  'allowInsecureHttp',
  'jobSigningKey',
  'tasksFile',
  'signingPublicKey',
  'previousDeviceTokens',
];

/** The form of a pinned job-signing key: `ed25519:` and 43 base64url characters (32 bytes). */
export const JOB_SIGNING_KEY_PATTERN = /^ed25519:[A-Za-z0-9_-]{43}$/;
/** How many older credentials the agent keeps for a server restored from a backup. */
export const MAX_PREVIOUS_TOKENS = 3;

/** True for base64 of exactly 32 bytes (an Ed25519 public key). */
export function isSigningPublicKey(s: unknown): s is string {
  return typeof s === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(s) && Buffer.from(s, 'base64').length === 32;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Checks a parsed config file by hand (the agent carries no zod; see agent/wire.ts) and applies
 * the default interval. Returns every problem, each naming its field, or the body.
 */
export function checkAgentConfigFile(raw: unknown): { ok: true; body: AgentConfigFileBody } | { ok: false; problems: string[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problems: ['the file must hold one JSON object'] };
  const r = raw as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(r).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) problems.push(`unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')} (typo?)`);
  if (r.serverUrl === undefined) problems.push('field "serverUrl" is missing');
  else if (typeof r.serverUrl !== 'string') problems.push('field "serverUrl" must be a string like "https://monitor.example.com"');
  else if (!isHttpUrl(r.serverUrl)) problems.push('field "serverUrl" must be an http:// or https:// URL like "https://monitor.example.com"');
  for (const key of ['deviceId', 'deviceToken']) {
    if (r[key] === undefined) problems.push(`field "${key}" is missing`);
    else if (typeof r[key] !== 'string' || r[key] === '') problems.push(`field "${key}" must not be empty`);
  }
  const interval = r.intervalMs ?? 10_000;
  const { minIntervalMs, maxIntervalMs } = AGENT_CONFIG_LIMITS;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < minIntervalMs || interval > maxIntervalMs) {
    problems.push(`field "intervalMs" must be an integer from ${minIntervalMs} to ${maxIntervalMs} (ms)`);
  }
  if (r.jobSigningKey !== undefined && (typeof r.jobSigningKey !== 'string' || !JOB_SIGNING_KEY_PATTERN.test(r.jobSigningKey))) {
    problems.push('field "jobSigningKey" must look like "ed25519:" followed by 43 base64url characters (the server\'s job-signing public key)');
  }
  for (const key of ['stateDir', 'caFile', 'tasksFile']) {
    if (r[key] !== undefined && (typeof r[key] !== 'string' || r[key] === '')) problems.push(`field "${key}" must be a non-empty path`);
  }
  if (r.allowInsecureHttp !== undefined && typeof r.allowInsecureHttp !== 'boolean') problems.push('field "allowInsecureHttp" must be true or false');
  if (r.signingPublicKey !== undefined && !isSigningPublicKey(r.signingPublicKey)) {
    problems.push('field "signingPublicKey" must be the server\'s Ed25519 public key in base64 (44 characters); enroll again to get it');
  }
  const prev = r.previousDeviceTokens;
  if (prev !== undefined && (!Array.isArray(prev) || prev.length > MAX_PREVIOUS_TOKENS || prev.some((x) => typeof x !== 'string' || x === ''))) {
    problems.push(`field "previousDeviceTokens" must be a list of at most ${MAX_PREVIOUS_TOKENS} non-empty strings`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      serverUrl: r.serverUrl as string,
      deviceId: r.deviceId as string,
      deviceToken: r.deviceToken as string,
      intervalMs: interval as number,
      ...(r.stateDir !== undefined ? { stateDir: r.stateDir as string } : {}),
      ...(r.caFile !== undefined ? { caFile: r.caFile as string } : {}),
      ...(r.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
      ...(r.jobSigningKey !== undefined ? { jobSigningKey: r.jobSigningKey as string } : {}),
      ...(r.tasksFile !== undefined ? { tasksFile: r.tasksFile as string } : {}),
      ...(r.signingPublicKey !== undefined ? { signingPublicKey: r.signingPublicKey as string } : {}),
      ...(prev !== undefined ? { previousDeviceTokens: prev as string[] } : {}),
    },
  };
}

function checkedOrThrow(raw: unknown, what: string): AgentConfigFileBody {
  const checked = checkAgentConfigFile(raw);
  if (!checked.ok) throw new Error(`${what}: ${checked.problems.join('; ')}`);
  return checked.body;
}

/** A loaded agent config with defaults applied (stateDir always set, absolute paths). */
export interface AgentFileConfig {
  readonly serverUrl: string;
  readonly deviceId: string;
  readonly deviceToken: string;
  /** Collection interval, ms. */
  readonly intervalMs: number;
  readonly stateDir: string;
  readonly caFile?: string | undefined;
  /** Plain http:// to a non-loopback server accepted by the operator (agent/cleartext.ts). */
  readonly allowInsecureHttp?: boolean | undefined;
  /** Pinned job-signing public key; absent until enrollment or the first welcome that carries one. */
  readonly jobSigningKey?: string | undefined;
  /** The machine's task setting file (absolute); absent in a config built in code: tasks.json in stateDir. */
  readonly tasksFile?: string | undefined;
  /** Pinned Ed25519 public key of the server (base64). */
  readonly signingPublicKey?: string | undefined;
  /** Older credentials, newest first. */
  readonly previousDeviceTokens?: readonly string[] | undefined;
}

/** What saveAgentConfig writes; stateDir may be left out to mean "next to the config file". */
export type AgentConfigInput = Omit<AgentFileConfig, 'stateDir' | 'intervalMs' | 'tasksFile'> & {
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
      throw new Error(`agent config ${file} does not exist — run \`quarkpulse agent enroll --server URL --token T\` first, or pass --config PATH`, {
        cause: err,
      });
    }
    if (code === 'EACCES') {
      throw new Error(`agent config ${file} is not readable by this user — run the agent as the user that enrolled it (root for /etc/quarkpulse)`, {
        cause: err,
      });
    }
    throw new Error(`agent config ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`agent config ${file} is not valid JSON: ${describeJsonError(text, err as Error)} — fix the file or re-run \`quarkpulse agent enroll\``, {
      cause: err,
    });
  }
  const checked = checkAgentConfigFile(raw);
  if (!checked.ok) throw new Error(`agent config ${file} is invalid: ${checked.problems.join('; ')}`);
  const cfg = checked.body;
  const dir = path.dirname(file);
  return {
    serverUrl: cfg.serverUrl,
    deviceId: cfg.deviceId,
    deviceToken: cfg.deviceToken,
    intervalMs: cfg.intervalMs,
    // Relative paths are relative to the config file, not to wherever the service was started.
    stateDir: path.resolve(dir, cfg.stateDir ?? '.'),
    caFile: cfg.caFile === undefined ? undefined : path.resolve(dir, cfg.caFile),
    ...(cfg.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    jobSigningKey: cfg.jobSigningKey,
    tasksFile: path.resolve(dir, cfg.tasksFile ?? 'tasks.json'),
    signingPublicKey: cfg.signingPublicKey,
    previousDeviceTokens: cfg.previousDeviceTokens,
  };
}

/**
 * Pins the job-signing key in an existing config file, keeping every other field. Only ever
 * called when the file has no key yet: a pinned key is changed on the machine, never by the server.
 */
export function pinJobSigningKey(configPath: string, jobSigningKey: string): void {
  const file = path.resolve(configPath);
  loadAgentConfig(file);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (raw.jobSigningKey !== undefined) throw new Error(`agent config ${file} already pins a job-signing key; change it on the machine (docs/MAINTENANCE.md)`);
  writeConfigFile(file, checkedOrThrow({ ...raw, jobSigningKey }, `agent config ${file}`));
}

/** Pins the server's signing key (base64) in the config file; refuses when one is pinned already. */
export function pinSigningPublicKey(configPath: string, signingPublicKey: string): void {
  const file = path.resolve(configPath);
  loadAgentConfig(file);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (raw.signingPublicKey !== undefined) throw new Error(`agent config ${file} already pins a signing key`);
  writeConfigFile(file, checkedOrThrow({ ...raw, signingPublicKey }, `agent config ${file}`));
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
  // The old credential is kept (not used) in case the server is restored from an older backup.
  const previous = [raw.deviceToken as string, ...((raw.previousDeviceTokens as string[] | undefined) ?? [])]
    .filter((x) => x !== deviceToken)
    .slice(0, MAX_PREVIOUS_TOKENS);
  writeConfigFile(file, checkedOrThrow({ ...raw, deviceToken, previousDeviceTokens: previous }, `agent config ${file}`));
}

/**
 * An older credential was accepted again (server restored from a backup): it becomes current and
 * the refused one joins the older list, so a later return to the newer database still works.
 */
export function restoreAgentConfigToken(configPath: string, deviceToken: string): void {
  const file = path.resolve(configPath);
  loadAgentConfig(file);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const previous = [raw.deviceToken as string, ...((raw.previousDeviceTokens as string[] | undefined) ?? [])]
    .filter((x) => x !== deviceToken)
    .slice(0, MAX_PREVIOUS_TOKENS);
  writeConfigFile(file, checkedOrThrow({ ...raw, deviceToken, previousDeviceTokens: previous }, `agent config ${file}`));
}

/** Writes the config with mode 0600 (it holds the device token). */
export function saveAgentConfig(configPath: string, cfg: AgentConfigInput): void {
  const file = path.resolve(configPath);
  const body = checkedOrThrow(
    {
      serverUrl: cfg.serverUrl,
      deviceId: cfg.deviceId,
      deviceToken: cfg.deviceToken,
      intervalMs: cfg.intervalMs,
      ...(cfg.stateDir === undefined ? {} : { stateDir: cfg.stateDir }),
      ...(cfg.caFile === undefined ? {} : { caFile: cfg.caFile }),
      ...(cfg.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
      ...(cfg.jobSigningKey === undefined ? {} : { jobSigningKey: cfg.jobSigningKey }),
      ...(cfg.signingPublicKey === undefined ? {} : { signingPublicKey: cfg.signingPublicKey }),
    },
    'cannot write the agent config',
  );
  writeConfigFile(file, body);
}
