/**
 * `quarkpulse agent enroll` and `quarkpulse agent run`. Flags are checked here so a typo gets a
 * message saying what to fix (exit 2) instead of a stack trace from deep inside the agent.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { defaultAgentConfigPath, loadAgentConfig, saveAgentConfig, type AgentFileConfig } from './config.js';
import { EnrollError, enrollDevice } from './enroll.js';
import { collectSystemFacts, readHostname, readMachineId } from './facts.js';
import { createAgent } from './index.js';
import { enrollCleartextProblem, runCleartextProblem } from './cleartext.js';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  EXIT_RESTART,
  TRIAL_ENV,
  detectRestartMode,
  ownExecutable,
  recordFailedUpdate,
  recoverInterruptedUpdate,
  restorePrevious,
  runTrial,
  stopChild,
  swapIn,
  type StagedUpdate,
} from './self-update.js';
import { AGENT_VERSION } from './version.js';
import { verifyArtifactFile } from './artifact-verify.js';

/** Exit code for bad flags or a bad config file (1 is left for runtime failures). */
export const EXIT_USAGE = 2;

/** Replaceable parts, for tests; production uses the real ones. */
export interface AgentCliDeps {
  readonly enrollDevice: typeof enrollDevice;
  readonly createAgent: typeof createAgent;
  /** Where human-readable results go (stdout). */
  readonly print: (line: string) => void;
  readonly createLogger: (level: string) => Logger;
  readonly exit: (code: number) => void;
  /** Where warnings go (stderr). */
  readonly warn: (line: string) => void;
  /** Environment (QP_TOKEN). */
  readonly env: NodeJS.ProcessEnv;
  /** The command line (process.argv): a self-update starts the new executable with the same arguments. */
  readonly argv: readonly string[];
  /** The executable a self-update replaces (agent/self-update.ts ownExecutable). */
  readonly ownExecutable: () => Promise<string | undefined>;
}

/** Printed when the token came in argv, where `ps` and shell history show it. */
export const TOKEN_ARGV_WARNING =
  'warning: --token puts the enrollment token in the process list and the shell history; pass it in the QP_TOKEN environment variable or with --token-file FILE instead';

/**
 * The enrollment token from --token-file, else QP_TOKEN, else --token (with a warning), or the
 * problem. Files and variables keep it out of argv.
 */
export function resolveEnrollToken(
  opts: { token?: string; tokenFile?: string },
  env: NodeJS.ProcessEnv,
): { token?: string; problem?: string; isFromArgv?: boolean } {
  if (opts.tokenFile !== undefined) {
    try {
      return { token: fs.readFileSync(opts.tokenFile, 'utf8').trim() };
    } catch (err) {
      return {
        problem: `--token-file ${opts.tokenFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); write the enrollment token into it, alone on one line`,
      };
    }
  }
  if (env.QP_TOKEN) return { token: env.QP_TOKEN.trim() };
  if (opts.token !== undefined) return { token: opts.token, isFromArgv: true };
  return { problem: 'an enrollment token is required: set QP_TOKEN or pass --token-file FILE (the token shown for the client in the dashboard)' };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The problem with a --server value, or undefined when it is a usable http(s) URL. */
export function checkServerUrl(value: string | undefined): string | undefined {
  if (!value) return '--server is required: the URL of your Quarkpulse server, e.g. --server https://monitor.example.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `--server "${value}" is not a URL; give the full address with scheme, e.g. --server https://monitor.example.com`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `--server "${value}" must start with http:// or https:// (the agent derives the ws:// address itself)`;
  }
  return undefined;
}

function checkToken(value: string | undefined): string | undefined {
  if (!value) return 'the enrollment token is empty: set QP_TOKEN or pass --token-file FILE (the token shown for the client in the dashboard)';
  if (value.length < 10 || value.length > 200)
    return `the enrollment token has ${value.length} characters; an enrollment token has 10–200 — copy it again from the dashboard`;
  return undefined;
}

function checkCaFile(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    fs.accessSync(value, fs.constants.R_OK);
    return undefined;
  } catch {
    return `--ca ${value} cannot be read; pass the PEM file of the CA that signed the server certificate`;
  }
}

function checkLogLevel(value: string): string | undefined {
  return LOG_LEVELS.includes(value) ? undefined : `--log-level must be one of ${LOG_LEVELS.join(', ')}`;
}

/** Adds `agent enroll` and `agent run` to the program; returns the `agent` command. */
export function registerAgentCommands(program: Command, deps: Partial<AgentCliDeps> = {}): Command {
  const d: AgentCliDeps = {
    enrollDevice,
    createAgent,
    print: (line) => process.stdout.write(`${line}\n`),
    createLogger: (level) => pino({ level }),
    exit: (code) => process.exit(code),
    warn: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    argv: process.argv,
    ownExecutable,
    ...deps,
  };
  const agent = program.command('agent').description('run or enroll the monitoring agent on this machine');

  agent
    .command('enroll')
    .description('exchange a client enrollment token for a device credential and write the agent config (mode 0600)')
    .option('--server <url>', 'server base URL, e.g. https://monitor.example.com (required)')
    .option('--token-file <file>', 'file holding the enrollment token (or set QP_TOKEN)')
    .option('--token <token>', 'enrollment token (discouraged: visible in ps; use QP_TOKEN or --token-file)')
    .option('--config <path>', `where to write the config (default: ${defaultAgentConfigPath()})`)
    .option('--ca <file>', 'PEM CA certificate for a server with a certificate from a private CA')
    .option('--state-dir <dir>', "where the agent keeps its spool and stream state (default: the config file's directory)")
    .option('--allow-insecure-http', 'accept a plain http:// server URL that is not loopback (the credential travels unencrypted); kept in the config')
    .action(
      async (
        opts: { server?: string; token?: string; tokenFile?: string; config?: string; ca?: string; stateDir?: string; allowInsecureHttp?: boolean },
        cmd: Command,
      ) => {
        const allowInsecureHttp = opts.allowInsecureHttp === true;
        const serverProblem = checkServerUrl(opts.server) ?? enrollCleartextProblem(opts.server!, allowInsecureHttp);
        if (serverProblem) return cmd.error(serverProblem, { exitCode: EXIT_USAGE, code: 'quarkpulse.usage' });
        const resolved = resolveEnrollToken(opts, d.env);
        const problem = resolved.problem ?? checkToken(resolved.token) ?? checkCaFile(opts.ca);
        if (problem) return cmd.error(problem, { exitCode: EXIT_USAGE, code: 'quarkpulse.usage' });
        if (resolved.isFromArgv) d.warn(TOKEN_ARGV_WARNING);
        const token = resolved.token!;
        const configPath = path.resolve(opts.config ?? defaultAgentConfigPath());
        const caFile = opts.ca === undefined ? undefined : path.resolve(opts.ca);
        try {
          const [machineId, facts] = await Promise.all([readMachineId(), collectSystemFacts()]);
          const answer = await d.enrollDevice({ serverUrl: opts.server!, token, hostname: readHostname(), machineId, facts, caFile });
          const stateDir = opts.stateDir === undefined ? undefined : path.resolve(opts.stateDir);
          const signingPublicKey = answer.signingKey?.publicKey;
          saveAgentConfig(configPath, {
            serverUrl: opts.server!,
            deviceId: answer.deviceId,
            deviceToken: answer.deviceToken,
            caFile,
            stateDir,
            allowInsecureHttp,
            jobSigningKey: answer.jobSigningKey,
            signingPublicKey,
          });
          d.print(`enrolled: device id ${answer.deviceId}`);
          if (answer.signingKey) d.print(`pinned the server's signing key ${answer.signingKey.keyId}`);
          d.print(`config written to ${configPath}`);
          d.print(`start the agent with: quarkpulse agent run --config ${configPath}`);
        } catch (err) {
          const msg = err instanceof EnrollError ? `enrollment failed: ${err.code}: ${err.message}` : `enrollment failed: ${(err as Error).message}`;
          return cmd.error(msg, { exitCode: 1, code: 'quarkpulse.enrollFailed' });
        }
      },
    );

  agent
    .command('verify-artifact')
    .description(
      'check a downloaded agent executable against its manifest entry with the signing key pinned in the config (exit 0 when it may be installed, 1 when refused)',
    )
    .option('--config <path>', `agent config with the pinned key (default: ${defaultAgentConfigPath()})`)
    .requiredOption('--file <file>', 'the downloaded executable')
    .requiredOption('--artifact-version <version>', 'version of the manifest entry')
    .requiredOption('--platform <platform>', 'platform of the manifest entry, e.g. windows-x64')
    .requiredOption('--size <bytes>', 'size of the manifest entry, bytes')
    .requiredOption('--sha256 <hex>', 'sha256 of the manifest entry')
    .requiredOption('--signature <base64>', 'signature of the manifest entry')
    .action(
      (opts: { config?: string; file: string; artifactVersion: string; platform: string; size: string; sha256: string; signature: string }, cmd: Command) => {
        let config: AgentFileConfig;
        try {
          config = loadAgentConfig(path.resolve(opts.config ?? defaultAgentConfigPath()));
        } catch (err) {
          return cmd.error((err as Error).message, { exitCode: EXIT_USAGE, code: 'quarkpulse.config' });
        }
        const size = Number(opts.size);
        if (!Number.isSafeInteger(size) || size < 0)
          return cmd.error('--size must be a whole number of bytes', { exitCode: EXIT_USAGE, code: 'quarkpulse.usage' });
        let check: ReturnType<typeof verifyArtifactFile>;
        try {
          check = verifyArtifactFile(
            opts.file,
            { version: opts.artifactVersion, platform: opts.platform, size, sha256: opts.sha256, signature: opts.signature },
            config.signingPublicKey,
          );
        } catch (err) {
          return cmd.error(`cannot read ${opts.file}: ${(err as Error).message}`, { exitCode: 1, code: 'quarkpulse.verify' });
        }
        if (!check.ok) return cmd.error(`${check.code}: ${check.message}`, { exitCode: 1, code: 'quarkpulse.verify' });
        d.print(`verified: agent ${opts.artifactVersion} for ${opts.platform}, signed by the pinned key`);
      },
    );

  agent
    .command('run')
    .description('collect metrics and stream them to the server until SIGINT/SIGTERM')
    .option('--config <path>', `agent config written by enroll (default: ${defaultAgentConfigPath()})`)
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--allow-insecure-http', 'accept a plain http:// server URL that is not loopback (the credential travels unencrypted)')
    .action(async (opts: { config?: string; logLevel: string; allowInsecureHttp?: boolean }, cmd: Command) => {
      const levelProblem = checkLogLevel(opts.logLevel);
      if (levelProblem) return cmd.error(levelProblem, { exitCode: EXIT_USAGE, code: 'quarkpulse.usage' });
      let config: AgentFileConfig;
      const configPath = path.resolve(opts.config ?? defaultAgentConfigPath());
      try {
        config = loadAgentConfig(configPath);
      } catch (err) {
        return cmd.error((err as Error).message, { exitCode: EXIT_USAGE, code: 'quarkpulse.config' });
      }
      const cleartext = runCleartextProblem(configPath, config.serverUrl, opts.allowInsecureHttp === true || config.allowInsecureHttp === true);
      if (cleartext) return cmd.error(cleartext, { exitCode: EXIT_USAGE, code: 'quarkpulse.insecureHttp' });
      const logger = d.createLogger(opts.logLevel);
      const executable = await d.ownExecutable();
      const isTrial = d.env[TRIAL_ENV] !== undefined;
      const restartMode = detectRestartMode(d.env);
      // The same command line again: how the new executable (or the restored one) is started.
      const args = d.argv.slice(2);
      if (recoverInterruptedUpdate({ stateDir: config.stateDir, executable, agentVersion: AGENT_VERSION, isTrial, logger }) === 'relaunch' && executable) {
        if (restartMode === 'reexec') spawn(executable, args, { stdio: 'inherit', env: d.env }).unref();
        return d.exit(restartMode === 'service' ? EXIT_RESTART : 0);
      }
      let stopping = false;
      let trialChild: ChildProcess | undefined;
      let running: ReturnType<typeof d.createAgent>;
      const confirmTimeoutMs = Number(d.env.QP_UPDATE_CONFIRM_TIMEOUT_MS) || 120_000;
      // QP_UPDATE_JITTER_MS: the longest random wait before a download (default 10 min; 0 for a small fleet or a test).
      const jitter =
        d.env.QP_UPDATE_JITTER_MS !== undefined && Number.isFinite(Number(d.env.QP_UPDATE_JITTER_MS)) ? { jitterMs: Number(d.env.QP_UPDATE_JITTER_MS) } : {};

      // A verified executable is ready: stop, swap it in, start it on trial, keep it or go back.
      const install = async (staged: StagedUpdate) => {
        if (stopping) return;
        await running.stop();
        if (stopping) return;
        try {
          swapIn(staged, config.stateDir, AGENT_VERSION, Date.now() + confirmTimeoutMs);
        } catch (err) {
          fs.rmSync(staged.file, { force: true });
          recordFailedUpdate(
            config.stateDir,
            staged.version,
            'SWAP_FAILED',
            `could not put agent ${staged.version} in place: ${(err as Error).message}`,
            Date.now(),
          );
          logger.error({ err: (err as Error).message }, 'could not put the new agent executable in place; keeping this version');
          return startAgent();
        }
        logger.info(
          { version: staged.version, timeoutMs: confirmTimeoutMs },
          `starting agent ${staged.version}; it must connect within ${Math.round(confirmTimeoutMs / 1000)} s`,
        );
        const outcome = await runTrial({
          executable: staged.executable,
          args,
          stateDir: config.stateDir,
          version: staged.version,
          timeoutMs: confirmTimeoutMs,
          logger,
        });
        if (outcome.ok) {
          trialChild = outcome.child;
          if (restartMode === 'service') {
            // The service manager starts the new executable (Restart= in the unit, or the Windows service host).
            await stopChild(outcome.child);
            logger.info({ version: staged.version }, `agent ${staged.version} connected; restarting through the service manager`);
            return d.exit(EXIT_RESTART);
          }
          logger.info({ version: staged.version, pid: outcome.child.pid }, `agent ${staged.version} connected and goes on as process ${outcome.child.pid}`);
          outcome.child.unref();
          return d.exit(0);
        }
        restorePrevious(staged.executable);
        recordFailedUpdate(config.stateDir, staged.version, outcome.code, outcome.message, Date.now());
        logger.error({ version: staged.version, code: outcome.code, reason: outcome.message }, 'agent update rolled back');
        if (!stopping) startAgent();
      };
      const makeAgent = () =>
        d.createAgent({
          config,
          logger,
          configPath,
          selfUpdate: {
            executable,
            isTrial,
            ...jitter,
            onStaged: (staged) => void install(staged).catch((err: Error) => logger.error({ err: err.message }, 'agent update failed')),
          },
        });
      const startAgent = (): void => {
        running = makeAgent();
        running.start().catch((err: Error) => {
          logger.fatal({ err: err.message }, 'agent failed to start');
          d.warn(`agent failed to start: ${err.message}`);
          d.exit(1);
        });
      };
      const shutdown = (signal: NodeJS.Signals) => {
        if (stopping) return; // a second signal while stopping is ignored; stop() is bounded
        stopping = true;
        logger.info({ signal }, 'stopping agent');
        const child = trialChild;
        (child ? stopChild(child) : running.stop()).then(
          () => d.exit(0),
          (err: Error) => {
            logger.error({ err: err.message }, 'agent stop failed');
            d.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      running = makeAgent();
      try {
        await running.start();
      } catch (err) {
        logger.fatal({ err: (err as Error).message }, 'agent failed to start');
        return cmd.error(`agent failed to start: ${(err as Error).message}`, { exitCode: 1, code: 'quarkpulse.startFailed' });
      }
    });

  return agent;
}
