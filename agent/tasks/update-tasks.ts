/**
 * updates.scan and updates.install. Linux: apt, dnf or zypper; root steps go through the
 * maintenance helper (run-command.ts). Windows: Windows Update Agent through PowerShell. macOS:
 * softwareupdate. The scan is read-only (apt refreshes its lists through the helper first when it
 * may); install compares a scan before and after, so `installed` names what really changed, and
 * after a failure asks dpkg whether anything is left half-configured and says so.
 */
import { runCommand, runHelper, explainSudoRefusal, type Privilege } from './run-command.js';
import {
  isLockBusy,
  parseAptScan,
  parseDnfScan,
  parseSoftwareUpdateScan,
  parseWindowsScan,
  parseZypperScan,
  parseZypperSecurityPatches,
  windowsInstallScript,
  WINDOWS_SCAN_SCRIPT,
  type PackageManagerName,
  type PendingUpdate,
} from './package-managers.js';
import { isSafeName, unknownKeysProblem, type Task, type TaskOutcome } from './types.js';

/** Options of the update tasks. */
export interface UpdateTaskOptions {
  readonly platform: NodeJS.Platform;
  readonly privilege: Privilege;
  /** Which mechanism this machine has (found once at start). */
  readonly manager: PackageManagerName | undefined;
}

/** The mechanism of a platform: the first Linux package manager found on PATH. */
export async function detectPackageManager(platform: NodeJS.Platform): Promise<PackageManagerName | undefined> {
  if (platform === 'win32') return 'windows-update';
  if (platform === 'darwin') return 'softwareupdate';
  if (platform !== 'linux') return undefined;
  const ac = new AbortController();
  for (const [name, file] of [
    ['apt', 'apt-get'],
    ['dnf', 'dnf'],
    ['zypper', 'zypper'],
  ] as const) {
    try {
      const r = await runCommand(file, ['--version'], ac.signal);
      if (r.exitCode === 0) return name;
    } catch {
      // not installed
    }
  }
  return undefined;
}

function env(p: Privilege): NodeJS.ProcessEnv {
  return { ...process.env, LANG: 'C', LC_ALL: 'C', ...p.env };
}

interface Scan {
  readonly updates: PendingUpdate[];
  readonly output: string;
  /** zypper: needed security patches (zypper marks security per patch). */
  readonly securityPatches?: string[];
}

/** Runs the read-only scan of a mechanism. */
export async function scanUpdates(o: UpdateTaskOptions, signal: AbortSignal, refresh: boolean): Promise<Scan> {
  const p = o.privilege;
  switch (o.manager) {
    case 'apt': {
      let out = '';
      if (refresh) {
        const r = await runHelper(p, 'apt-refresh', [], signal);
        out += r.exitCode === 0 ? r.output : `package lists not refreshed (exit ${r.exitCode}): ${explainSudoRefusal(r.output) ?? r.output.trim()}\n`;
      }
      const sim = await runCommand('apt-get', ['-s', '-o', 'Debug::NoLocking=true', 'upgrade'], signal, env(p));
      if (sim.exitCode !== 0) throw new Error(`apt-get -s upgrade exited with ${sim.exitCode}: ${sim.output.trim().slice(-500)}`);
      return { updates: parseAptScan(sim.output), output: out + sim.output };
    }
    case 'dnf': {
      const check = await runCommand('dnf', ['-q', 'check-update'], signal, env(p));
      if (check.exitCode !== 0 && check.exitCode !== 100) throw new Error(`dnf check-update exited with ${check.exitCode}`);
      const sec = await runCommand('dnf', ['-q', 'updateinfo', 'list', '--security'], signal, env(p));
      return { updates: parseDnfScan(check.output, sec.output), output: check.output };
    }
    case 'zypper': {
      const list = await runCommand('zypper', ['-q', 'list-updates'], signal, env(p));
      const sec = await runCommand('zypper', ['-q', 'list-patches', '--category', 'security'], signal, env(p));
      return { updates: parseZypperScan(list.output), output: list.output + sec.output, securityPatches: parseZypperSecurityPatches(sec.output) };
    }
    case 'windows-update': {
      const r = await runCommand('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_SCAN_SCRIPT], signal, process.env);
      if (r.exitCode !== 0) throw new Error(`Windows Update search failed (exit ${r.exitCode}): ${r.output.trim().slice(-500)}`);
      return { updates: parseWindowsScan(r.output), output: r.output };
    }
    case 'softwareupdate': {
      const r = await runCommand('softwareupdate', ['-l'], signal);
      return { updates: parseSoftwareUpdateScan(r.output), output: r.output };
    }
    default:
      throw new Error('no supported update mechanism on this machine (apt, dnf, zypper, Windows Update, softwareupdate)');
  }
}

function summary(scan: Scan): Record<string, unknown> {
  return {
    pendingCount: scan.updates.length,
    securityCount: scan.securityPatches ? scan.securityPatches.length : scan.updates.filter((u) => u.isSecurity).length,
    updates: scan.updates.slice(0, 200),
  };
}

/** The updates.scan task. */
export function createUpdatesScanTask(o: UpdateTaskOptions): Task {
  return {
    name: 'updates.scan',
    timeoutMs: 10 * 60_000,
    paramsProblem: (params) => unknownKeysProblem(params, []),
    async run(_params, ctx) {
      const scan = await scanUpdates(o, ctx.signal, true);
      const s = summary(scan);
      return {
        isOk: true,
        exitCode: 0,
        output: `${scan.output}\n${s.pendingCount} update(s) pending, ${s.securityCount} for security\n`,
        result: { source: o.manager, ...s },
      };
    },
  };
}

/** The updates.install parameters, checked by hand (shared/jobs.ts taskParamsSchemas is the reference). */
export function installParamsProblem(params: Record<string, unknown>): string | undefined {
  const extra = unknownKeysProblem(params, ['scope', 'packages']);
  if (extra) return extra;
  if (params.scope !== 'all' && params.scope !== 'security' && params.scope !== 'list') return 'scope must be "all", "security" or "list"';
  if ((params.scope === 'list') !== (params.packages !== undefined)) return 'packages is required with scope "list" and not allowed otherwise';
  if (params.packages !== undefined) {
    if (!Array.isArray(params.packages) || params.packages.length < 1 || params.packages.length > 500) return 'packages must list 1–500 names';
    const bad = params.packages.find((n) => !isSafeName(n));
    if (bad !== undefined)
      return `package name ${JSON.stringify(bad)} is not allowed (letters, digits and + . _ : @ ~ - only, starting with a letter or digit)`;
  }
  return undefined;
}

/** What one install step runs: a helper verb (Linux) or a program (Windows, macOS). */
export type InstallStep = { kind: 'helper'; verb: string; args: string[] } | { kind: 'program'; file: string; args: string[] };

/** The install step for a scope, or a reason it cannot be done. `securityNames`: security updates found by the scan. */
export function installStep(
  manager: PackageManagerName,
  scope: 'all' | 'security' | 'list',
  names: readonly string[],
  securityNames: readonly string[],
): InstallStep | { nothing: string } | { impossible: string } {
  switch (manager) {
    case 'apt':
      if (scope === 'all') return { kind: 'helper', verb: 'apt-upgrade-all', args: [] };
      if (scope === 'security')
        return securityNames.length === 0 ? { nothing: 'no security updates pending' } : { kind: 'helper', verb: 'apt-upgrade', args: [...securityNames] };
      return { kind: 'helper', verb: 'apt-upgrade', args: [...names] };
    case 'dnf':
      return scope === 'all'
        ? { kind: 'helper', verb: 'dnf-upgrade-all', args: [] }
        : scope === 'security'
          ? { kind: 'helper', verb: 'dnf-upgrade-security', args: [] }
          : { kind: 'helper', verb: 'dnf-upgrade', args: [...names] };
    case 'zypper':
      return scope === 'all'
        ? { kind: 'helper', verb: 'zypper-update-all', args: [] }
        : scope === 'security'
          ? { kind: 'helper', verb: 'zypper-patch-security', args: [] }
          : { kind: 'helper', verb: 'zypper-update', args: [...names] };
    case 'windows-update':
      return { kind: 'program', file: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', windowsInstallScript(scope, names)] };
    case 'softwareupdate':
      if (scope === 'security') return { impossible: 'macOS softwareupdate cannot select security updates; use scope "all" or a list of labels' };
      return { kind: 'program', file: 'softwareupdate', args: scope === 'all' ? ['-i', '-a'] : ['-i', '--', ...names] };
  }
}

/** The updates.install task. */
export function createUpdatesInstallTask(o: UpdateTaskOptions): Task {
  return {
    name: 'updates.install',
    timeoutMs: 60 * 60_000,
    paramsProblem: installParamsProblem,
    async run(params, ctx): Promise<TaskOutcome> {
      if (!o.manager) return { isOk: false, message: 'no supported update mechanism on this machine', output: '' };
      const scope = params.scope as 'all' | 'security' | 'list';
      const names = (params.packages as string[] | undefined) ?? [];
      const before = await scanUpdates(o, ctx.signal, true);
      const step = installStep(
        o.manager,
        scope,
        names,
        before.updates.filter((u) => u.isSecurity).map((u) => u.name),
      );
      if ('impossible' in step) return { isOk: false, message: step.impossible, output: '' };
      if ('nothing' in step)
        return { isOk: true, exitCode: 0, message: step.nothing, output: `${step.nothing}\n`, result: { installed: [], ...summary(before) } };
      const r =
        step.kind === 'helper'
          ? await runHelper(o.privilege, step.verb, step.args, ctx.signal)
          : await runCommand(step.file, step.args, ctx.signal, process.env);
      let output = r.output;
      const after = await scanUpdates(o, ctx.signal, false).catch(() => undefined);
      const installed = after
        ? before.updates.filter((u) => !after.updates.some((a) => a.name === u.name && a.toVersion === u.toVersion)).map((u) => u.name)
        : [];
      const result: Record<string, unknown> = { installed, ...(after ? summary(after) : {}), ...(r.exitCode === 3010 ? { isRebootRequired: true } : {}) };
      if (r.exitCode === 0 || r.exitCode === 3010) return { isOk: true, exitCode: r.exitCode, output, result };
      if (isLockBusy(output))
        return {
          isOk: false,
          code: 'TASK_BUSY',
          exitCode: r.exitCode,
          message: 'the package manager is busy (another process holds its lock); nothing was changed — retried per policy',
          output,
          result,
        };
      const sudo = explainSudoRefusal(output);
      if (sudo) return { isOk: false, exitCode: r.exitCode, message: sudo, output, result };
      // Never leave the machine half-configured without saying so.
      if (o.manager === 'apt') {
        const audit = await runCommand('dpkg', ['--audit'], ctx.signal, env(o.privilege)).catch(() => undefined);
        if (audit && audit.output.trim()) {
          output += `\n--- dpkg --audit ---\n${audit.output}`;
          result.needsAttention = true;
          return {
            isOk: false,
            exitCode: r.exitCode,
            message: 'install failed and dpkg reports packages left unconfigured — a technician must finish it (dpkg --configure -a)',
            output,
            result,
          };
        }
      }
      const clean = o.manager === 'apt' ? '; dpkg --audit reports nothing left half-configured' : '';
      return { isOk: false, exitCode: r.exitCode, message: `install failed (exit ${r.exitCode})${clean}`, output, result };
    },
  };
}
