/**
 * How tasks run programs: an argument list (never a shell), combined stdout+stderr, an abort
 * signal that stops the child, and — for what needs root on Linux — the maintenance helper, either
 * directly (the agent already runs as root) or through `sudo -n` (the agent's unprivileged user,
 * allowed exactly that one program by the installer's sudoers rule).
 */
import { spawn } from 'node:child_process';

/** The maintenance helper as install.sh installs it. */
export const DEFAULT_HELPER_PATH = '/opt/quarkpulse/quarkpulse-maint-helper';

/** A finished program. */
export interface CommandResult {
  readonly exitCode: number;
  /** stdout and stderr interleaved as they arrived. */
  readonly output: string;
}

/** Runs `file args` and resolves with its exit code and output; rejects only if it cannot start. */
export function runCommand(file: string, args: readonly string[], signal: AbortSignal, env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { signal, windowsHide: true, env: env ?? { ...process.env, LANG: 'C', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => {
      if ((err as { name?: string }).name === 'AbortError') return; // 'close' follows
      reject(err);
    });
    child.on('close', (code, sig) => resolve({ exitCode: code ?? (sig ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** How root-needing steps are run. */
export interface Privilege {
  /** The helper's path (root-owned). */
  readonly helperPath: string;
  /** true: run the helper directly (the agent is root); false: through `sudo -n`. */
  readonly isRoot: boolean;
  /** Extra environment for the helper when run directly (tests point apt at a temporary repository with APT_CONFIG). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The privilege of this process: direct when root, else sudo. */
export function defaultPrivilege(): Privilege {
  return { helperPath: DEFAULT_HELPER_PATH, isRoot: process.getuid?.() === 0 };
}

/** The command line that runs one helper verb with this privilege. */
export function helperCommand(p: Privilege, verb: string, args: readonly string[]): { file: string; args: string[] } {
  return p.isRoot ? { file: p.helperPath, args: [verb, ...args] } : { file: 'sudo', args: ['-n', p.helperPath, verb, ...args] };
}

/** Runs one helper verb. */
export function runHelper(p: Privilege, verb: string, args: readonly string[], signal: AbortSignal): Promise<CommandResult> {
  const cmd = helperCommand(p, verb, args);
  return runCommand(cmd.file, cmd.args, signal, p.isRoot ? { ...process.env, LANG: 'C', LC_ALL: 'C', ...p.env } : undefined);
}

/** A plain-words explanation when sudo refused (the installer did not set up maintenance). */
export function explainSudoRefusal(output: string): string | undefined {
  if (
    /sudo: (a password is required|a terminal is required)|is not allowed to execute|not in the sudoers file|sudo: command not found|no new privileges/i.test(
      output,
    )
  ) {
    return 'this machine does not allow the agent to run maintenance as root — reinstall with scripts/install/linux/install.sh (it installs the sudoers rule for the maintenance helper)';
  }
  return undefined;
}
