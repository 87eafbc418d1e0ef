/**
 * cleanup: frees disk space and says how much, per target. `temp`: files in the system temporary
 * directories unchanged for `olderThanDays` (default 7); `package-cache`: downloaded packages
 * (apt-get clean, dnf clean packages, zypper clean); `journal`: systemd journal files older than
 * `olderThanDays` (default 7). Linux steps run through the maintenance helper; Windows cleans the
 * temp folders with PowerShell. Bytes are measured, not estimated: sizes before and after, or the
 * helper's own count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { explainSudoRefusal, runCommand, runHelper, type Privilege } from './run-command.js';
import { unknownKeysProblem, type Task } from './types.js';

const TARGETS = ['temp', 'package-cache', 'journal'] as const;
/** Package caches a helper clean empties, by manager. */
export const PACKAGE_CACHE_DIRS = ['/var/cache/apt/archives', '/var/cache/dnf', '/var/cache/zypp/packages'];

/** The cleanup parameters, checked by hand (shared/jobs.ts is the reference). */
export function cleanupParamsProblem(params: Record<string, unknown>): string | undefined {
  const extra = unknownKeysProblem(params, ['targets', 'olderThanDays']);
  if (extra) return extra;
  const t = params.targets;
  if (!Array.isArray(t) || t.length < 1 || t.length > 3 || !t.every((x) => (TARGETS as readonly unknown[]).includes(x)))
    return 'targets must list 1–3 of "temp", "package-cache", "journal"';
  if (new Set(t).size !== t.length) return 'targets must not repeat';
  const d = params.olderThanDays;
  if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 365)) return 'olderThanDays must be an integer from 1 to 365';
  return undefined;
}

/** Total size of the regular files under `dir` (0 when it does not exist), bytes. */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += directoryBytes(p);
    else if (e.isFile()) {
      try {
        total += fs.statSync(p).size;
      } catch {
        // vanished meanwhile
      }
    }
  }
  return total;
}

const UNITS: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes from journalctl's "Vacuuming done, freed 1.2G of archived journals …" (0 if absent). */
export function parseJournalFreed(output: string): number {
  const m = /freed ([\d.]+)([BKMGT])/.exec(output);
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : 0;
}

/** Bytes from the helper's "freed-bytes N" line (0 if absent). */
export function parseFreedBytes(output: string): number {
  const m = /^freed-bytes (\d+)$/m.exec(output);
  return m ? Number(m[1]) : 0;
}

/** PowerShell removing files in the temp folders unchanged for DAYS; prints "freed-bytes N". */
export function windowsCleanTempScript(days: number): string {
  return (
    `$limit=(Get-Date).AddDays(-${days});$total=0;` +
    'foreach ($d in @($env:TEMP, "$env:SystemRoot\\Temp")) { Get-ChildItem -LiteralPath $d -Recurse -File -Force -ErrorAction SilentlyContinue | ' +
    'Where-Object { $_.LastWriteTime -lt $limit } | ForEach-Object { $s=$_.Length; try { Remove-Item -LiteralPath $_.FullName -Force -ErrorAction Stop; $total+=$s } catch {} } };' +
    'Write-Output "freed-bytes $total"'
  );
}

/** The cleanup task. */
export function createCleanupTask(platform: NodeJS.Platform, privilege: Privilege, packageCacheDirs: readonly string[] = PACKAGE_CACHE_DIRS): Task {
  return {
    name: 'cleanup',
    timeoutMs: 30 * 60_000,
    paramsProblem: cleanupParamsProblem,
    async run(params, ctx) {
      const days = (params.olderThanDays as number | undefined) ?? 7;
      const freed: Record<string, number> = {};
      const failures: string[] = [];
      let output = '';
      for (const target of params.targets as (typeof TARGETS)[number][]) {
        if (platform === 'win32') {
          if (target !== 'temp') {
            output += `${target}: not available on Windows\n`;
            continue;
          }
          const r = await runCommand('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', windowsCleanTempScript(days)], ctx.signal, process.env);
          freed.temp = parseFreedBytes(r.output);
          output += r.output;
          if (r.exitCode !== 0) failures.push(`temp (exit ${r.exitCode})`);
          continue;
        }
        if (platform !== 'linux') {
          output += `${target}: not available on ${platform}\n`;
          continue;
        }
        let r;
        if (target === 'temp') {
          r = await runHelper(privilege, 'clean-temp', [String(days)], ctx.signal);
          freed.temp = parseFreedBytes(r.output);
        } else if (target === 'package-cache') {
          const before = packageCacheDirs.reduce((n, d) => n + directoryBytes(d), 0);
          r = await runHelper(privilege, 'clean-package-cache', [], ctx.signal);
          freed['package-cache'] = Math.max(0, before - packageCacheDirs.reduce((n, d) => n + directoryBytes(d), 0));
        } else {
          r = await runHelper(privilege, 'journal-vacuum', [String(days)], ctx.signal);
          freed.journal = parseJournalFreed(r.output);
        }
        output += `--- ${target} ---\n${r.output}`;
        if (r.exitCode !== 0) failures.push(`${target}: ${explainSudoRefusal(r.output) ?? `exit ${r.exitCode}`}`);
      }
      const bytesFreed = Object.values(freed).reduce((a, b) => a + b, 0);
      output += `freed ${bytesFreed} bytes (${(bytesFreed / 1e6).toFixed(1)} MB)\n`;
      const result = { bytesFreed, bytesFreedByTarget: freed };
      if (failures.length > 0) return { isOk: false, exitCode: 1, message: `cleanup failed for ${failures.join('; ')}`, output, result };
      return { isOk: true, exitCode: 0, output, result };
    },
  };
}
