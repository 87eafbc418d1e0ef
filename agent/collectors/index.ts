import { createBatteryCollector } from './battery.js';
import { createCpuCollector } from './cpu.js';
import { createFilesystemsCollector } from './filesystems.js';
import { createLoadCollector } from './load.js';
import { createMemoryCollector } from './memory.js';
import { createNetworkCollector } from './network.js';
import { createSystemCollector } from './system.js';
import { createTemperatureCollector } from './temperature.js';
import type { Collector } from './types.js';

export type { Collector } from './types.js';

/** Every built-in collector; each decides in init() whether this machine has what it measures. */
export function defaultCollectors(): Collector[] {
  return [
    createCpuCollector(),
    createMemoryCollector(),
    createFilesystemsCollector(),
    createNetworkCollector(),
    createLoadCollector(),
    createSystemCollector(),
    createTemperatureCollector(),
    createBatteryCollector(),
  ];
}
