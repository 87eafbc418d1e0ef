/**
 * service.restart: restarts one service by name. Linux: `systemctl restart` through the
 * maintenance helper; Windows: Restart-Service; macOS: `launchctl kickstart -k system/NAME`.
 * The name is validated (no option-like or shell characters) before anything runs.
 */
import { explainSudoRefusal, runCommand, runHelper, type Privilege } from './run-command.js';
import { isSafeName, unknownKeysProblem, type Task } from './types.js';

/** The service.restart parameters, checked by hand (shared/jobs.ts is the reference). */
export function serviceParamsProblem(params: Record<string, unknown>): string | undefined {
  const extra = unknownKeysProblem(params, ['service']);
  if (extra) return extra;
  if (!isSafeName(params.service)) return 'service must be a name of 1–200 letters, digits and + . _ : @ ~ - starting with a letter or digit';
  return undefined;
}

/** The service.restart task. */
export function createServiceRestartTask(platform: NodeJS.Platform, privilege: Privilege): Task {
  return {
    name: 'service.restart',
    timeoutMs: 5 * 60_000,
    paramsProblem: serviceParamsProblem,
    async run(params, ctx) {
      const service = params.service as string;
      const r =
        platform === 'win32'
          ? await runCommand(
              'powershell.exe',
              ['-NoProfile', '-NonInteractive', '-Command', `Restart-Service -Name '${service}' -Force -ErrorAction Stop`],
              ctx.signal,
              process.env,
            )
          : platform === 'darwin'
            ? await runCommand('launchctl', ['kickstart', '-k', `system/${service}`], ctx.signal)
            : await runHelper(privilege, 'service-restart', [service], ctx.signal);
      if (r.exitCode === 0) return { isOk: true, exitCode: 0, output: r.output || `restarted ${service}\n`, result: { service } };
      return {
        isOk: false,
        exitCode: r.exitCode,
        message: explainSudoRefusal(r.output) ?? `could not restart ${service} (exit ${r.exitCode})`,
        output: r.output,
      };
    },
  };
}
