import os from 'node:os';
import type { Sample } from '../../shared/protocol.js';
import { pushSample, type Collector } from './types.js';

/** load.avg1/5/15 from os.loadavg(); Windows has no load average (node returns zeros), so init() says no. */
export function createLoadCollector(platform: NodeJS.Platform = process.platform): Collector {
  return {
    name: 'load',
    async init() {
      return platform !== 'win32';
    },
    async collect() {
      const [avg1, avg5, avg15] = os.loadavg();
      const out: Sample[] = [];
      pushSample(out, 'load.avg1', avg1);
      pushSample(out, 'load.avg5', avg5);
      pushSample(out, 'load.avg15', avg15);
      return out;
    },
  };
}
