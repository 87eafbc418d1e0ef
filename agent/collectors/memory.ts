import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { clampPct, pushSample, type Collector } from './types.js';

/**
 * mem.* and swap.*. si.mem() reads /proc/meminfo on Linux (no child process). Used memory is
 * total − available, as shared/metrics.ts defines it: page cache the kernel can drop is not "used".
 */
export function createMemoryCollector(): Collector {
  return {
    name: 'memory',
    async init() {
      const m = await (await loadSi()).mem();
      return m.total > 0;
    },
    async collect() {
      const m = await (await loadSi()).mem();
      const out: Sample[] = [];
      const usedBytes = m.total - m.available;
      pushSample(out, 'mem.totalBytes', m.total);
      pushSample(out, 'mem.usedBytes', usedBytes);
      pushSample(out, 'mem.availableBytes', m.available);
      if (m.total > 0) pushSample(out, 'mem.usedPct', clampPct((usedBytes / m.total) * 100));
      pushSample(out, 'swap.totalBytes', m.swaptotal);
      pushSample(out, 'swap.usedBytes', m.swapused);
      return out;
    },
  };
}
