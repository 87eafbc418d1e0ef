/**
 * health.check: a read-only bundle — filesystems (statfs), memory, load, uptime and, on systemd
 * machines, failed units. Changes nothing and needs no privileges. Its `problems` list names what a
 * technician should look at (a filesystem above 90 %, a failed unit).
 */
import fs from 'node:fs';
import os from 'node:os';
import { runProgram } from '../collectors/exec.js';
import { unknownKeysProblem, type Task } from './types.js';

const REAL_FS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'zfs', 'vfat', 'exfat', 'ntfs', 'ntfs3', 'f2fs', 'jfs', 'reiserfs', 'apfs', 'hfs']);

/** Mount points of real filesystems in /proc/mounts text (pseudo and network filesystems left out). */
export function parseProcMounts(text: string): string[] {
  const mounts = new Set<string>();
  for (const line of text.split('\n')) {
    const [, mount, type] = line.split(' ');
    if (mount && type && REAL_FS.has(type)) mounts.add(mount.replace(/\\040/g, ' '));
  }
  return [...mounts];
}

/** Unit names from `systemctl --failed --no-legend --plain` output. */
export function parseFailedUnits(text: string): string[] {
  // Some systemd versions mark each line with "●" even with --plain.
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*●?\s*/, '').split(/\s+/)[0] ?? '')
    .filter((u) => u.length > 0);
}

function mountsOf(platform: NodeJS.Platform): string[] {
  if (platform === 'linux') {
    try {
      return parseProcMounts(fs.readFileSync('/proc/mounts', 'utf8'));
    } catch {
      return ['/'];
    }
  }
  return platform === 'win32' ? [process.env.SystemDrive ? `${process.env.SystemDrive}\\` : 'C:\\'] : ['/'];
}

/** The health.check task. */
export function createHealthCheckTask(platform: NodeJS.Platform = process.platform): Task {
  return {
    name: 'health.check',
    timeoutMs: 60_000,
    paramsProblem: (params) => unknownKeysProblem(params, []),
    async run(_params, ctx) {
      const lines: string[] = [];
      const problems: string[] = [];
      const filesystems: { mount: string; usedPct: number; freeBytes: number; sizeBytes: number }[] = [];
      for (const mount of mountsOf(platform)) {
        try {
          const s = fs.statfsSync(mount);
          const sizeBytes = s.blocks * s.bsize;
          if (sizeBytes === 0) continue;
          const freeBytes = s.bavail * s.bsize;
          const usedPct = Math.round(((sizeBytes - s.bfree * s.bsize) / sizeBytes) * 1000) / 10;
          filesystems.push({ mount, usedPct, freeBytes, sizeBytes });
          lines.push(`filesystem ${mount}: ${usedPct} % used, ${(freeBytes / 1e9).toFixed(1)} GB free of ${(sizeBytes / 1e9).toFixed(1)} GB`);
          if (usedPct > 90) problems.push(`filesystem ${mount} is ${usedPct} % full`);
        } catch (err) {
          lines.push(`filesystem ${mount}: cannot read (${(err as Error).message})`);
        }
      }
      const memoryUsedPct = Math.round((1 - os.freemem() / os.totalmem()) * 1000) / 10;
      const [load1 = 0] = os.loadavg();
      const uptimeSec = Math.round(os.uptime());
      lines.push(
        `memory: ${memoryUsedPct} % used of ${(os.totalmem() / 1e9).toFixed(1)} GB`,
        `load (1 min): ${load1.toFixed(2)} on ${os.cpus().length} cores`,
        `up ${Math.floor(uptimeSec / 3600)} h`,
      );
      let failedUnits: string[] | undefined;
      if (platform === 'linux' && !ctx.signal.aborted) {
        try {
          const r = await runProgram('systemctl', ['--failed', '--no-legend', '--plain'], 15_000);
          failedUnits = parseFailedUnits(r.stdout);
          lines.push(`failed systemd units: ${failedUnits.length === 0 ? 'none' : failedUnits.join(', ')}`);
          for (const u of failedUnits) problems.push(`systemd unit ${u} failed`);
        } catch {
          lines.push('failed systemd units: systemctl not available');
        }
      }
      lines.push(problems.length === 0 ? 'no problems found' : `problems: ${problems.join('; ')}`);
      return {
        isOk: true,
        exitCode: 0,
        output: `${lines.join('\n')}\n`,
        result: { filesystems, memoryUsedPct, load1, uptimeSec, ...(failedUnits ? { failedUnits } : {}), problems },
      };
    },
  };
}
