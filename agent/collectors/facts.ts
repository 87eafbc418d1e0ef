import { collectSystemFacts } from '../facts.js';
import type { Collector, CollectorOutput } from './types.js';

/**
 * OS and hardware facts as an inventory section, re-read hourly; the agent sends the section to
 * the server only when it differs from what it last sent (an OS upgrade, a RAM change).
 */
export function createFactsCollector(intervalMs = 3_600_000): Collector {
  return {
    name: 'facts',
    intervalMs,
    timeoutMs: 30_000,
    async init() {
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      return { samples: [], inventory: { facts: await collectSystemFacts() } };
    },
  };
}
