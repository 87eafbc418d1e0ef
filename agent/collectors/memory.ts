import { readFileSync } from 'node:fs';
import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { clampPct, pushSample, type Collector } from './types.js';

/** Memory figures in bytes. */
export interface MemInfo {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

/** Parses /proc/meminfo (values in kB) into bytes; undefined when MemTotal or MemAvailable is missing. */
export function parseMeminfo(text: string): MemInfo | undefined {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total === undefined || available === undefined) return undefined;
  return { total, available, swapTotal: kb('SwapTotal') ?? 0, swapFree: kb('SwapFree') ?? 0 };
}

async function readLinux(): Promise<MemInfo> {
  const info = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
  if (!info) throw new Error('/proc/meminfo has no MemTotal/MemAvailable (kernel older than 3.14?)');
  return info;
}

async function readPortable(): Promise<MemInfo> {
  const m = await (await loadSi()).mem();
  return { total: m.total, available: m.available, swapTotal: m.swaptotal, swapFree: m.swapfree };
}

/**
 * mem.* and swap.*: /proc/meminfo on Linux (what si.mem() reads, without loading it), else
 * systeminformation. Used memory is total − available, as shared/metrics.ts defines it: page
 * cache the kernel can drop is not "used".
 */
export function createMemoryCollector(platform: NodeJS.Platform = process.platform): Collector {
  const read = platform === 'linux' ? readLinux : readPortable;
  const usedPctOf = (m: MemInfo): Sample[] => (m.total > 0 ? [{ name: 'mem.usedPct', value: clampPct(((m.total - m.available) / m.total) * 100) }] : []);
  return {
    name: 'memory',
    watchable: ['mem.usedPct'],
    async watch() {
      return usedPctOf(await read());
    },
    async init() {
      return (await read()).total > 0;
    },
    async collect() {
      const m = await read();
      const out: Sample[] = [];
      const usedBytes = m.total - m.available;
      pushSample(out, 'mem.totalBytes', m.total);
      pushSample(out, 'mem.usedBytes', usedBytes);
      pushSample(out, 'mem.availableBytes', m.available);
      if (m.total > 0) pushSample(out, 'mem.usedPct', clampPct((usedBytes / m.total) * 100));
      pushSample(out, 'swap.totalBytes', m.swapTotal);
      pushSample(out, 'swap.usedBytes', m.swapTotal - m.swapFree);
      return out;
    },
  };
}
