import { loadSi } from '../si.js';
import { createProcReader } from './linux-procfs.js';
import { cleanText, type Collector, type CollectorOutput } from './types.js';

type ProcessInfo = NonNullable<import('../../shared/protocol.js').InventorySections['processes']>['byCpu'][number];

/** A process as systeminformation lists it (the fields used here). */
export interface RawProcess {
  pid: number;
  name: string;
  cpu: number;
  /** Resident memory, KiB. */
  memRss: number;
  user?: string;
}

/** The top `n` processes by CPU and by resident memory. */
export function topProcesses(list: readonly RawProcess[], n: number): { byCpu: ProcessInfo[]; byMem: ProcessInfo[] } {
  const toInfo = (p: RawProcess): ProcessInfo => {
    const user = cleanText(p.user, 100);
    return {
      pid: Math.max(0, Math.trunc(p.pid)),
      name: cleanText(p.name, 200) ?? `pid ${p.pid}`,
      cpuPct: Number.isFinite(p.cpu) ? Math.max(0, Math.round(p.cpu * 10) / 10) : 0,
      memBytes: Number.isFinite(p.memRss) ? Math.max(0, Math.round(p.memRss * 1024)) : 0,
      ...(user ? { user } : {}),
    };
  };
  const infos = list.map(toInfo);
  return {
    byCpu: [...infos].sort((a, b) => b.cpuPct - a.cpuPct).slice(0, n),
    byMem: [...infos].sort((a, b) => b.memBytes - a.memBytes).slice(0, n),
  };
}

async function readPortable(): Promise<RawProcess[]> {
  return (await (await loadSi()).processes()).list;
}

/**
 * Top 5 processes by CPU (share since the previous run) and by memory, every 60 s (listing every
 * process is not free). Linux reads /proc; elsewhere systeminformation. Inventory only.
 */
export function createProcessesCollector(intervalMs = 60_000, platform: NodeJS.Platform = process.platform): Collector {
  const read = platform === 'linux' ? createProcReader() : readPortable;
  return {
    name: 'processes',
    intervalMs,
    timeoutMs: 30_000,
    async init() {
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      return { samples: [], inventory: { processes: topProcesses(await read(), 5) } };
    },
  };
}
