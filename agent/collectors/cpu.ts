import { readFileSync } from 'node:fs';
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
 * The counters of all cores together from the first line of /proc/stat (USER_HZ ticks), with the
 * fields os.cpus() uses (user, nice, system, idle, irq), so the busy share is the one collect()
 * computes; undefined when the line is not there.
 */
export function parseProcStatTotal(text: string): CpuTimes | undefined {
  const m = /^cpu\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(text);
  if (!m) return undefined;
  return { user: Number(m[1]), nice: Number(m[2]), sys: Number(m[3]), idle: Number(m[4]), irq: Number(m[6]) };
}

/** All cores' counters: one small read of /proc/stat on Linux, os.cpus() elsewhere. */
function readTotalTimes(platform: NodeJS.Platform = process.platform): CpuTimes {
  if (platform === 'linux') {
    const t = parseProcStatTotal(readFileSync('/proc/stat', 'utf8'));
    if (t) return t;
  }
  return sumTimes(readCpuTimes());
}

/**
 * cpu.loadPct and cpu.coreLoadPct{core}. Uses os.cpus() counter deltas between calls (what
 * si.currentLoad does internally, minus its global state). init() takes the baseline and lets
 * `settleMs` pass, so the agent's first report, collected right after, already has CPU load
 * since start rather than nothing or load since boot.
 */
export function createCpuCollector(readTimes: () => CpuTimes[] = readCpuTimes, settleMs = 250, readTotal: () => CpuTimes = readTotalTimes): Collector {
  let prev: CpuTimes[] = [];
  // The watch's own baseline: one second apart, not one interval.
  let watchPrev: CpuTimes | undefined;
  return {
    name: 'cpu',
    watchable: ['cpu.loadPct'],
    async watch() {
      const next = readTotal();
      const pct = watchPrev ? busyPct(watchPrev, next) : undefined;
      // Too soon for the 10 ms ticks: keep the baseline.
      if (watchPrev && pct === undefined) return [];
      watchPrev = next;
      return pct === undefined ? [] : [{ name: 'cpu.loadPct', value: pct }];
    },
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
