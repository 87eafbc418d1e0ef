import os from 'node:os';
import type { Sample } from '../../shared/protocol.js';
import { clampPct, pushSample, type Collector } from './types.js';

/** CPU time counters of one core, as os.cpus() reports them (ms since boot). */
export type CpuTimes = os.CpuInfo['times'];

function readCpuTimes(): CpuTimes[] {
  return os.cpus().map((c) => c.times);
}

function totalOf(t: CpuTimes): number {
  return t.user + t.nice + t.sys + t.idle + t.irq;
}

/** Busy share between two counter snapshots, 0–100; undefined when no time passed. */
export function busyPct(prev: CpuTimes, next: CpuTimes): number | undefined {
  const total = totalOf(next) - totalOf(prev);
  if (!(total > 0)) return undefined;
  return clampPct((1 - (next.idle - prev.idle) / total) * 100);
}

function sumTimes(all: CpuTimes[]): CpuTimes {
  const sum: CpuTimes = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  for (const t of all) {
    sum.user += t.user;
    sum.nice += t.nice;
    sum.sys += t.sys;
    sum.idle += t.idle;
    sum.irq += t.irq;
  }
  return sum;
}

/**
 * cpu.loadPct and cpu.coreLoadPct{core}. Uses os.cpus() counter deltas between calls (what
 * si.currentLoad does internally, minus its global state). init() takes the baseline and lets
 * `settleMs` pass, so the agent's first report, collected right after, already has CPU load
 * since start rather than nothing or load since boot.
 */
export function createCpuCollector(readTimes: () => CpuTimes[] = readCpuTimes, settleMs = 250): Collector {
  let prev: CpuTimes[] = [];
  return {
    name: 'cpu',
    async init() {
      prev = readTimes();
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      return prev.length > 0;
    },
    async collect() {
      const next = readTimes();
      const out: Sample[] = [];
      // A core count change (hot-plug, VM resize) makes the deltas meaningless: re-baseline.
      if (next.length === prev.length) {
        const total = busyPct(sumTimes(prev), sumTimes(next));
        // Counters have 10 ms ticks: called again too soon, keep the old baseline for next time.
        if (total === undefined) return out;
        pushSample(out, 'cpu.loadPct', total);
        next.forEach((t, i) => pushSample(out, 'cpu.coreLoadPct', busyPct(prev[i]!, t), { core: String(i) }));
      }
      prev = next;
      return out;
    },
  };
}
