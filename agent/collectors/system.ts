import { readdirSync } from 'node:fs';
import os from 'node:os';
import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { pushSample, type Collector } from './types.js';

/** Counts processes by listing /proc: one readdir instead of si.processes(), which spawns `ps` (sync: /proc never blocks). */
async function countLinuxProcesses(): Promise<number> {
  const names = readdirSync('/proc');
  let count = 0;
  for (const n of names) if (n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57) count++;
  return count;
}

/** Elsewhere only systeminformation knows; it spawns ps/wmic, the price of portability. */
async function countProcessesPortable(): Promise<number> {
  return (await (await loadSi()).processes()).all;
}

/** system.uptimeSec (os.uptime) and proc.count. */
export function createSystemCollector(platform: NodeJS.Platform = process.platform): Collector {
  const countProcesses = platform === 'linux' ? countLinuxProcesses : countProcessesPortable;
  return {
    name: 'system',
    async init() {
      return true;
    },
    async collect() {
      const out: Sample[] = [];
      pushSample(out, 'system.uptimeSec', os.uptime());
      pushSample(out, 'proc.count', await countProcesses());
      return out;
    },
  };
}
