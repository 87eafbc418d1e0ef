import { readFileSync } from 'node:fs';
import os from 'node:os';
import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { MAX_LABEL_VALUE_LENGTH, pushSample, type Collector } from './types.js';

/** Byte counters of one interface since boot. */
export interface IfaceCounters {
  readonly iface: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** Parses /proc/net/dev: receive bytes are column 1, transmit bytes column 9. */
export function parseProcNetDev(text: string): IfaceCounters[] {
  const out: IfaceCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const cols = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const rxBytes = Number(cols[0]);
    const txBytes = Number(cols[8]);
    if (Number.isFinite(rxBytes) && Number.isFinite(txBytes)) out.push({ iface: line.slice(0, colon).trim(), rxBytes, txBytes });
  }
  return out;
}

// si.networkStats spawns a shell per interface on Linux; /proc/net/dev is one file read.
async function readLinuxCounters(): Promise<IfaceCounters[]> {
  return parseProcNetDev(readFileSync('/proc/net/dev', 'utf8'));
}

async function readPortableCounters(): Promise<IfaceCounters[]> {
  return (await (await loadSi()).networkStats('*')).map((s) => ({ iface: s.iface, rxBytes: s.rx_bytes, txBytes: s.tx_bytes }));
}

function isLoopback(iface: string): boolean {
  if (/^lo\d*$/.test(iface)) return true;
  const addrs = os.networkInterfaces()[iface];
  return addrs !== undefined && addrs.length > 0 && addrs.every((a) => a.internal);
}

/** Options for tests: where counters come from and a monotonic clock in ms. */
export interface NetworkCollectorOptions {
  readCounters?: () => Promise<IfaceCounters[]>;
  nowMs?: () => number;
}

/**
 * net.rxBytesPerSec / net.txBytesPerSec per interface (label `iface`, loopback skipped), from
 * counter deltas since the previous call (or init). A new interface and a counter reset (driver
 * reload, 32-bit wrap) yield nothing for that interface rather than a bogus spike.
 */
export function createNetworkCollector(opts: NetworkCollectorOptions = {}): Collector {
  const readCounters = opts.readCounters ?? (process.platform === 'linux' ? readLinuxCounters : readPortableCounters);
  const nowMs = opts.nowMs ?? (() => performance.now());
  let prev = new Map<string, { rxBytes: number; txBytes: number; atMs: number }>();
  return {
    name: 'network',
    async init() {
      // Baseline now so the first collect() already has a delta.
      const atMs = nowMs();
      const counters = (await readCounters()).filter((c) => !isLoopback(c.iface));
      prev = new Map(counters.map((c) => [c.iface, { rxBytes: c.rxBytes, txBytes: c.txBytes, atMs }]));
      return counters.length > 0;
    },
    async collect() {
      const atMs = nowMs();
      const next = new Map<string, { rxBytes: number; txBytes: number; atMs: number }>();
      const out: Sample[] = [];
      for (const c of await readCounters()) {
        if (isLoopback(c.iface) || c.iface.length > MAX_LABEL_VALUE_LENGTH) continue;
        next.set(c.iface, { rxBytes: c.rxBytes, txBytes: c.txBytes, atMs });
        const p = prev.get(c.iface);
        const elapsedSec = p ? (atMs - p.atMs) / 1000 : 0;
        if (!p || !(elapsedSec > 0) || c.rxBytes < p.rxBytes || c.txBytes < p.txBytes) continue;
        pushSample(out, 'net.rxBytesPerSec', (c.rxBytes - p.rxBytes) / elapsedSec, { iface: c.iface });
        pushSample(out, 'net.txBytesPerSec', (c.txBytes - p.txBytes) / elapsedSec, { iface: c.iface });
      }
      prev = next;
      return out;
    },
  };
}
