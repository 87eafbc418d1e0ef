/**
 * Self-update with rollback (docs/DEPLOYMENT.md §6). The server names the version it wants in
 * `config.update.version`; when it differs from this agent's, the agent
 *
 *   1. downloads `/agent/manifest.json` and `/agent/download/<version>/<platform>` from its own
 *      server (serverUrl of agent.json; redirects are not followed) into a temp file next to its
 *      executable, fsynced;
 *   2. verifies size, sha256 and the Ed25519 signature with the key pinned at enrollment
 *      (agent/artifact-verify.ts) — a refusal deletes the temp file and replaces nothing;
 *   3. stops its own work (spool closed), keeps the running executable as `<exe>.previous`,
 *      writes `update.json` (phase "trying", fsynced) and renames the temp file over `<exe>`:
 *      the path holds the old file or the whole new one, never half of one;
 *   4. starts the new executable as a trial child with the same arguments. The new version
 *      confirms by writing phase "confirmed" after its first welcome. Confirmed within the time
 *      limit: under a service manager the trial is stopped and this process exits with 75 so the
 *      manager starts the new executable; run directly, this process exits and the child goes on
 *      (a re-exec). Not confirmed (it exited, or the limit passed): the trial is killed,
 *      `<exe>.previous` is renamed back, the failure is recorded and this process goes on.
 *
 * A failed version is not tried again for `retryAfterMs` (default 6 h) unless the server asks for
 * another one. The latest failure is sent to the server (`updateStatus`) after every welcome.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Logger } from 'pino';
import { PROTOCOL_VERSION, type AgentUpdateState } from '../shared/protocol-constants.js';
import type { UpdateStatus } from '../shared/protocol.js';
import { verifyArtifactFile, type ArtifactClaim } from './artifact-verify.js';
import { joinServerUrl } from './enroll.js';

/** Exit code that asks the service manager to start the (new) executable: EX_TEMPFAIL. */
export const EXIT_RESTART = 75;
/** Environment variable set for a trial child. */
export const TRIAL_ENV = 'QP_UPDATE_TRIAL';
const STATE_FILE = 'update.json';
/** Failures the server or the network may cause for a while: tried again sooner. */
const TRANSIENT_CODES = new Set(['MANIFEST_UNAVAILABLE', 'DOWNLOAD_FAILED']);

/** The platform name of executables (shared/agent-dist.ts AGENT_PLATFORMS). */
export function agentPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return `${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

/** What the agent last said about an update. */
export interface UpdateReport {
  version: string;
  state: AgentUpdateState;
  code?: string;
  message?: string;
  tsMs: number;
}

/** update.json in the state dir. */
export interface UpdateStateFile {
  v: 1;
  phase: 'idle' | 'trying' | 'confirmed';
  fromVersion?: string;
  toVersion?: string;
  /** Trial deadline, ms since the epoch. */
  deadlineMs?: number;
  trialPid?: number;
  last?: UpdateReport;
}

/** How the new version gets started after it proved itself. */
export type RestartMode = 'service' | 'reexec';

/** systemd sets INVOCATION_ID for its services; the Windows service host and launchd set QP_SERVICE_MANAGER. */
export function detectRestartMode(env: NodeJS.ProcessEnv = process.env): RestartMode {
  if (env.QP_RESTART_MODE === 'service' || env.QP_RESTART_MODE === 'reexec') return env.QP_RESTART_MODE;
  return env.INVOCATION_ID || env.QP_SERVICE_MANAGER ? 'service' : 'reexec';
}

function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a file durably: temp file, fsync, rename, fsync of the directory. */
function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export function readUpdateState(stateDir: string): UpdateStateFile {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(stateDir, STATE_FILE), 'utf8')) as UpdateStateFile;
    if (raw && raw.v === 1 && typeof raw.phase === 'string') return raw;
  } catch {
    // none yet, or unreadable: nothing is in progress
  }
  return { v: 1, phase: 'idle' };
}

export function writeUpdateState(stateDir: string, state: UpdateStateFile): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeDurably(path.join(stateDir, STATE_FILE), JSON.stringify(state));
}

/** The executable a self-update replaces: this process's own file when it is a self-contained executable. */
export async function ownExecutable(): Promise<string | undefined> {
  try {
    const sea = (await import('node:sea')) as { isSea(): boolean };
    return sea.isSea() ? process.execPath : undefined;
  } catch {
    return undefined; // Node without node:sea
  }
}

const previousOf = (exe: string) => `${exe}.previous`;
const downloadOf = (exe: string) => path.join(path.dirname(exe), `.${path.basename(exe)}.download`);

/** A GET against the agent's own server; resolves with the response (status checked by the caller). No redirects are followed. */
function get(url: URL, caFile: string | undefined, timeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const opts: https.RequestOptions = { timeout: timeoutMs, headers: { accept: '*/*' } };
    if (url.protocol === 'https:' && caFile) opts.ca = fs.readFileSync(caFile);
    const req = (url.protocol === 'https:' ? https : http).get(url, opts, resolve);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function readBody(res: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > maxBytes) throw new Error(`answer larger than ${maxBytes} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An update that failed, with a code and a message in plain words. */
export class UpdateError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpdateError';
  }
}

/** Streams a download into `file` (mode 0700), at most `size` bytes, fsynced. */
async function download(url: URL, caFile: string | undefined, file: string, size: number, timeoutMs: number): Promise<void> {
  const res = await get(url, caFile, timeoutMs);
  if (res.statusCode !== 200) {
    const body = await readBody(res, 64 * 1024).catch(() => '');
    const message = (() => {
      try {
        return (JSON.parse(body) as { error?: { message?: string } }).error?.message;
      } catch {
        return undefined;
      }
    })();
    throw new UpdateError('DOWNLOAD_FAILED', `${url.href} answered HTTP ${res.statusCode}${message ? `: ${message}` : ''}`);
  }
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(file, 'wx', 0o700);
  let written = 0;
  try {
    for await (const c of res) {
      const chunk = c as Buffer;
      written += chunk.length;
      // Never more than the manifest says: a server that streams forever cannot fill the disk.
      if (written > size) throw new UpdateError('SIZE_MISMATCH', `the download is larger than the ${size} bytes the manifest says`);
      fs.writeSync(fd, chunk);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Inputs of createUpdater. */
export interface UpdaterOptions {
  readonly serverUrl: string;
  readonly caFile?: string | undefined;
  readonly stateDir: string;
  /** The key pinned at enrollment (agent.json signingPublicKey), read when a download is checked. */
  readonly pinnedKey: () => string | undefined;
  readonly agentVersion: string;
  /** The executable to replace; undefined when this agent cannot replace itself (run as a script under node). */
  readonly executable: string | undefined;
  readonly logger: Logger;
  readonly platform?: string;
  readonly now?: () => number;
  /** A refused or rolled-back version is tried again after this long, ms. Default 6 h. */
  readonly retryAfterMs?: number;
  /** After a failure the server may be to blame for (unreachable, busy): tried again after this long, ms. Default 15 min. */
  readonly transientRetryAfterMs?: number;
  /** Waits a random time up to this before downloading, so a fleet does not fetch at once, ms. Default 10 min. */
  readonly jitterMs?: number;
  /** [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Download time limit, ms. Default 10 min. */
  readonly downloadTimeoutMs?: number;
  /** Called with a verified executable, ready to swap in. */
  readonly onStaged: (staged: StagedUpdate) => void;
  /** Sends a frame on the live connection; false when not connected. */
  readonly send: (status: UpdateStatus) => boolean;
  /** True in a trial child: it never starts an update of its own. */
  readonly isTrial?: boolean;
}

/** A downloaded and verified executable. */
export interface StagedUpdate {
  readonly version: string;
  readonly file: string;
  readonly executable: string;
}

/** Watches the wanted version and stages verified downloads. */
export function createUpdater(opts: UpdaterOptions) {
  const { logger } = opts;
  const now = opts.now ?? (() => Date.now());
  const platform = opts.platform ?? agentPlatform();
  const retryAfterMs = opts.retryAfterMs ?? 6 * 3_600_000;
  const transientRetryAfterMs = opts.transientRetryAfterMs ?? 15 * 60_000;
  const jitterMs = opts.jitterMs ?? 10 * 60_000;
  const random = opts.random ?? Math.random;
  let jitterTimer: NodeJS.Timeout | undefined;
  let latestWanted: string | undefined;
  let busy = false;
  let stopped = false;
  let isUnsupportedLogged = false;

  function record(report: UpdateReport): void {
    const state = readUpdateState(opts.stateDir);
    writeUpdateState(opts.stateDir, { ...state, last: report });
    opts.send({ type: 'updateStatus', v: PROTOCOL_VERSION, ...report });
  }

  function fail(version: string, code: string, message: string): void {
    logger.error({ version, code, reason: message }, `agent update to ${version} refused or failed; nothing was replaced`);
    record({ version, state: 'failed', code, message: message.slice(0, 500), tsMs: now() });
  }

  async function stage(version: string, exe: string): Promise<void> {
    const manifestUrl = joinServerUrl(opts.serverUrl, '/agent/manifest.json');
    let manifest: { artifacts?: ArtifactClaim[] };
    try {
      const res = await get(manifestUrl, opts.caFile, 30_000);
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      manifest = JSON.parse(await readBody(res, 1 << 20)) as typeof manifest;
    } catch (err) {
      throw new UpdateError('MANIFEST_UNAVAILABLE', `cannot read ${manifestUrl.href}: ${(err as Error).message}`);
    }
    const claim = (manifest.artifacts ?? []).find((a) => a.version === version && a.platform === platform);
    if (!claim || typeof claim.size !== 'number' || typeof claim.sha256 !== 'string' || typeof claim.signature !== 'string') {
      throw new UpdateError('ARTIFACT_NOT_FOUND', `the server has no agent ${version} for ${platform}`);
    }
    const file = downloadOf(exe);
    const url = joinServerUrl(opts.serverUrl, `/agent/download/${encodeURIComponent(version)}/${encodeURIComponent(platform)}`);
    try {
      await download(url, opts.caFile, file, claim.size, opts.downloadTimeoutMs ?? 600_000);
      const check = verifyArtifactFile(file, claim, opts.pinnedKey());
      if (!check.ok) throw new UpdateError(check.code, check.message);
    } catch (err) {
      fs.rmSync(file, { force: true });
      if (err instanceof UpdateError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new UpdateError(
          'EXECUTABLE_NOT_WRITABLE',
          `cannot write next to ${exe} (${code}); reinstall with this server's install script so the agent may update itself`,
        );
      }
      throw new UpdateError('DOWNLOAD_FAILED', `cannot download ${url.href}: ${(err as Error).message}`);
    }
    if (stopped) {
      fs.rmSync(file, { force: true });
      return;
    }
    logger.info({ version, platform, sha256: claim.sha256 }, `agent ${version} downloaded and verified; installing it`);
    record({ version, state: 'installing', tsMs: now() });
    opts.onStaged({ version, file, executable: exe });
  }

  function consider(wanted: string | undefined): void {
    latestWanted = wanted;
    if (wanted === undefined || wanted === opts.agentVersion || busy || stopped || opts.isTrial) return;
    const last = readUpdateState(opts.stateDir).last;
    const wait = last?.code !== undefined && TRANSIENT_CODES.has(last.code) ? transientRetryAfterMs : retryAfterMs;
    if (last?.version === wanted && last.state === 'failed' && now() - last.tsMs < wait) return;
    const exe = opts.executable;
    if (!exe) {
      if (!isUnsupportedLogged)
        logger.warn({ wanted }, 'the server wants another agent version, but this agent runs as a script under node and cannot replace itself');
      isUnsupportedLogged = true;
      fail(
        wanted,
        'UPDATE_UNSUPPORTED',
        'this agent runs as a script under node and cannot replace itself; install the self-contained executable (install.sh)',
      );
      return;
    }
    busy = true;
    // Spread over jitterMs: every agent of a fleet gets the new wanted version at the same moment.
    const delayMs = Math.floor(random() * jitterMs);
    logger.info({ wanted, delayMs }, `the server wants agent ${wanted}; downloading it in ${Math.round(delayMs / 1000)} s`);
    jitterTimer = setTimeout(() => {
      // The server may have changed its mind meanwhile (a hold, another version): ask again then.
      if (stopped || latestWanted !== wanted) {
        busy = false;
        if (!stopped) consider(latestWanted);
        return;
      }
      stage(wanted, exe)
        .catch((err: Error) => fail(wanted, err instanceof UpdateError ? err.code : 'UPDATE_FAILED', err.message))
        .finally(() => (busy = false));
    }, delayMs);
    jitterTimer.unref();
  }

  return {
    /** A config from the server (welcome or config frame). */
    onConfig: consider,
    /** After each welcome: the new version confirms its trial; the latest failure is told to the server. */
    onWelcome(): void {
      const state = readUpdateState(opts.stateDir);
      if (state.phase === 'trying' && state.toVersion === opts.agentVersion) {
        writeUpdateState(opts.stateDir, { v: 1, phase: 'confirmed', fromVersion: state.fromVersion, toVersion: state.toVersion });
        logger.info({ version: opts.agentVersion, from: state.fromVersion }, 'this agent version connected; update confirmed');
        return;
      }
      if (state.last?.state === 'failed') opts.send({ type: 'updateStatus', v: PROTOCOL_VERSION, ...state.last });
    },
    stop(): void {
      stopped = true;
      clearTimeout(jitterTimer);
    },
  };
}
export type Updater = ReturnType<typeof createUpdater>;

/** Puts a verified executable in place, keeping the running one as `<exe>.previous`; writes phase "trying" first. */
export function swapIn(staged: StagedUpdate, stateDir: string, fromVersion: string, deadlineMs: number): void {
  const exe = staged.executable;
  const prev = previousOf(exe);
  fs.rmSync(prev, { force: true });
  if (process.platform === 'win32') {
    // A running .exe cannot be replaced, but it can be renamed away.
    fs.copyFileSync(exe, prev);
  } else {
    try {
      fs.linkSync(exe, prev); // the same bytes under a second name, no copy
    } catch {
      fs.copyFileSync(exe, prev);
    }
  }
  const last = readUpdateState(stateDir).last;
  writeUpdateState(stateDir, { v: 1, phase: 'trying', fromVersion, toVersion: staged.version, deadlineMs, ...(last ? { last } : {}) });
  if (process.platform === 'win32') {
    const old = `${exe}.old`;
    fs.rmSync(old, { force: true });
    fs.renameSync(exe, old);
  }
  fs.renameSync(staged.file, exe);
  fsyncDir(path.dirname(exe));
}

/** Puts `<exe>.previous` back; false when there is none. */
export function restorePrevious(exe: string): boolean {
  const prev = previousOf(exe);
  if (!fs.existsSync(prev)) return false;
  if (process.platform === 'win32' && fs.existsSync(exe)) {
    // The running old version's image is `<exe>.old`: the failed one goes to a name of its own.
    const failed = `${exe}.failed`;
    fs.rmSync(failed, { force: true });
    fs.renameSync(exe, failed);
  }
  fs.renameSync(prev, exe);
  fsyncDir(path.dirname(exe));
  return true;
}

/** Outcome of a trial run of the new executable. */
export type TrialOutcome = { ok: true; child: ChildProcess } | { ok: false; code: string; message: string };

/**
 * Starts the swapped-in executable with `args` and waits until it confirms (update.json phase
 * "confirmed"), exits, or `timeoutMs` passes. A trial that did not confirm is killed.
 */
export async function runTrial(opts: {
  executable: string;
  args: readonly string[];
  stateDir: string;
  version: string;
  timeoutMs: number;
  logger: Logger;
}): Promise<TrialOutcome> {
  const child = spawn(opts.executable, opts.args, { stdio: 'inherit', env: { ...process.env, [TRIAL_ENV]: opts.version } });
  const state = readUpdateState(opts.stateDir);
  if (child.pid !== undefined) writeUpdateState(opts.stateDir, { ...state, trialPid: child.pid });
  let exit: { code: number | null; signal: string | null; error?: string } | undefined;
  child.on('exit', (code, signal) => (exit ??= { code, signal }));
  child.on('error', (err) => (exit ??= { code: null, signal: null, error: err.message }));
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    const s = readUpdateState(opts.stateDir);
    if (s.phase === 'confirmed' && s.toVersion === opts.version && !exit) return { ok: true, child };
    if (exit) {
      const how = exit.error ? `could not start (${exit.error})` : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      return { ok: false, code: 'UPDATE_START_FAILED', message: `agent ${opts.version} ${how} before it connected; went back to the previous version` };
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
      return {
        ok: false,
        code: 'UPDATE_NOT_CONNECTED',
        message: `agent ${opts.version} did not connect to the server within ${Math.round(opts.timeoutMs / 1000)} s; went back to the previous version`,
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a confirmed trial child gracefully (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * At start, before anything else: an update.json left in phase "trying" by a process that is gone
 * (power cut or kill during a trial). Run as that unconfirmed new version outside a trial, the
 * previous executable is put back and 'relaunch' is answered (start the executable again);
 * otherwise the leftovers are cleaned up and the failure recorded.
 */
export function recoverInterruptedUpdate(opts: {
  stateDir: string;
  executable: string | undefined;
  agentVersion: string;
  isTrial: boolean;
  logger: Logger;
  now?: () => number;
}): 'continue' | 'relaunch' {
  // A download cut short (power cut, kill) is never started; it goes.
  if (opts.executable && !opts.isTrial) fs.rmSync(downloadOf(opts.executable), { force: true });
  const state = readUpdateState(opts.stateDir);
  if (state.phase !== 'trying' || opts.isTrial) return 'continue';
  const now = opts.now ?? (() => Date.now());
  const to = state.toVersion ?? 'unknown';
  const failed = (message: string): UpdateStateFile => ({
    v: 1,
    phase: 'idle',
    last: { version: to, state: 'failed', code: 'UPDATE_INTERRUPTED', message, tsMs: now() },
  });
  if (to === opts.agentVersion && opts.executable && restorePrevious(opts.executable)) {
    opts.logger.error(
      { version: to, previous: state.fromVersion },
      'an agent update was interrupted before it was confirmed; went back to the previous version',
    );
    writeUpdateState(
      opts.stateDir,
      failed(`the update to ${to} was interrupted before it connected; went back to ${state.fromVersion ?? 'the previous version'}`),
    );
    return 'relaunch';
  }
  writeUpdateState(opts.stateDir, failed(`the update to ${to} was interrupted; still running ${opts.agentVersion}`));
  return 'continue';
}

/** Records a failed trial in update.json (sent to the server after the next welcome). */
export function recordFailedUpdate(stateDir: string, version: string, code: string, message: string, nowMs: number): void {
  writeUpdateState(stateDir, { v: 1, phase: 'idle', last: { version, state: 'failed', code, message: message.slice(0, 500), tsMs: nowMs } });
}
