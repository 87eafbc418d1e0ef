import { execFile } from 'node:child_process';

/** Output of a finished child process. */
export interface ExecResult {
  stdout: string;
  /** Exit code (0 on success); commands like `dnf check-update` use codes to answer. */
  code: number;
}

/**
 * Runs a program without a shell (no quoting bugs, no injection through service names) and
 * resolves with its stdout and exit code; rejects only when it cannot be started or times out.
 */
export function runProgram(file: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, windowsHide: true, env: env ?? { ...process.env, LANG: 'C', LC_ALL: 'C' } },
      (err, stdout) => {
        if (err && (typeof (err as { code?: unknown }).code !== 'number' || (err as { killed?: boolean }).killed)) {
          reject(err);
          return;
        }
        resolve({ stdout: String(stdout), code: err ? Number((err as { code: number }).code) : 0 });
      },
    );
  });
}

/** True when `file` can be run (found on PATH and starts). */
export async function hasProgram(file: string, args: readonly string[] = ['--version']): Promise<boolean> {
  try {
    await runProgram(file, args, 5_000);
    return true;
  } catch {
    return false;
  }
}
