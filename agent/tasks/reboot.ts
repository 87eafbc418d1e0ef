/**
 * reboot: restarts the machine after a notice to logged-in users, and only inside the job's
 * window — the server gives reboot jobs the maintenance window as notBefore/notAfter, and the agent
 * refuses to schedule a reboot that would fall after it, or a reboot job whose window is longer
 * than 12 hours (a reboot must never be queued for "some time this month").
 * Linux: `shutdown -r +MIN` through the maintenance helper (wall notice); Windows: `shutdown.exe /r
 * /t SECONDS /c …` (a notice on every session); macOS: `shutdown -r +MIN`.
 */
import { explainSudoRefusal, runCommand, runHelper, type Privilege } from './run-command.js';
import { unknownKeysProblem, type Task } from './types.js';

/** Longest window a reboot job may have, ms. */
export const MAX_REBOOT_WINDOW_MS = 12 * 3_600_000;

/** The reboot parameters, checked by hand (shared/jobs.ts is the reference). */
export function rebootParamsProblem(params: Record<string, unknown>): string | undefined {
  const extra = unknownKeysProblem(params, ['delayMinutes', 'message']);
  if (extra) return extra;
  const d = params.delayMinutes;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 60) return 'delayMinutes must be an integer from 0 to 60';
  const m = params.message;

  if (m !== undefined && (typeof m !== 'string' || m.length < 1 || m.length > 200 || /[\0-\x1f]/.test(m)))
    return 'message must be 1–200 characters without control characters';
  return undefined;
}

/** Why a reboot at nowMs + delay is outside the window [notBeforeMs, notAfterMs], or undefined. */
export function rebootWindowProblem(nowMs: number, delayMinutes: number, notBeforeMs: number, notAfterMs: number): string | undefined {
  if (notAfterMs - notBeforeMs > MAX_REBOOT_WINDOW_MS)
    return `a reboot job's window must be at most 12 hours (the maintenance window); this one is ${Math.round((notAfterMs - notBeforeMs) / 3_600_000)} hours`;
  const atMs = nowMs + delayMinutes * 60_000;
  if (atMs > notAfterMs)
    return `the reboot would happen at ${new Date(atMs).toISOString()}, after the maintenance window ends at ${new Date(notAfterMs).toISOString()}; not rebooted`;
  return undefined;
}

/** The reboot task. */
export function createRebootTask(platform: NodeJS.Platform, privilege: Privilege): Task {
  return {
    name: 'reboot',
    timeoutMs: 2 * 60_000,
    paramsProblem: rebootParamsProblem,
    async run(params, ctx) {
      const delay = params.delayMinutes as number;
      const problem = rebootWindowProblem(ctx.nowMs(), delay, ctx.notBeforeMs, ctx.notAfterMs);
      if (problem) return { isOk: false, message: problem, output: '' };
      const notice = (params.message as string | undefined) ?? `Quarkpulse maintenance: this computer restarts in ${delay} minute(s). Save your work.`;
      const r =
        platform === 'win32'
          ? await runCommand('shutdown.exe', ['/r', '/t', String(delay * 60), '/c', notice, '/d', 'p:0:0'], ctx.signal, process.env)
          : platform === 'darwin'
            ? await runCommand('shutdown', ['-r', `+${delay}`], ctx.signal)
            : await runHelper(privilege, 'reboot', [String(delay)], ctx.signal);
      if (r.exitCode !== 0)
        return {
          isOk: false,
          exitCode: r.exitCode,
          message: explainSudoRefusal(r.output) ?? `could not schedule the reboot (exit ${r.exitCode})`,
          output: r.output,
        };
      const atMs = ctx.nowMs() + delay * 60_000;
      return { isOk: true, exitCode: 0, output: `${r.output}reboot scheduled for ${new Date(atMs).toISOString()}\n`, result: { rebootAtMs: atMs } };
    },
  };
}
