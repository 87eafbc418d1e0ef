/** CPU and memory of a process from /proc (Linux), for measuring the server from outside. */
import { readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100;

/** Cumulative CPU seconds (user + system) and current RSS of `pid`. */
export function readProcStats(pid: number): { cpuSec: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuSec: (utime + stime) / TICKS_PER_SEC, rssBytes: rssPages * 4096 };
}

/** Samples a process over a window: CPU % of one core and peak/last RSS. */
export function startProcWindow(pid: number) {
  const t0 = performance.now();
  const s0 = readProcStats(pid);
  let peakRss = s0.rssBytes;
  const timer = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, readProcStats(pid).rssBytes);
    } catch {
      // process gone
    }
  }, 1_000);
  return {
    stop(): { cpuPct: number; rssBytes: number; peakRssBytes: number; seconds: number } {
      clearInterval(timer);
      const s1 = readProcStats(pid);
      const seconds = (performance.now() - t0) / 1000;
      return { cpuPct: ((s1.cpuSec - s0.cpuSec) / seconds) * 100, rssBytes: s1.rssBytes, peakRssBytes: Math.max(peakRss, s1.rssBytes), seconds };
    },
  };
}
