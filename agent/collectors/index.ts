import { createBatteryCollector } from './battery.js';
import { createCpuCollector } from './cpu.js';
import { createDisksCollector } from './disks.js';
import { createFactsCollector } from './facts.js';
import { createFilesystemsCollector } from './filesystems.js';
import { createLoadCollector } from './load.js';
import { createMemoryCollector } from './memory.js';
import { createNetworkCollector } from './network.js';
import { createPrintersCollector } from './printers.js';
import { createProcessesCollector } from './processes.js';
import { createServicesCollector } from './services.js';
import { createSystemCollector } from './system.js';
import { createTemperatureCollector } from './temperature.js';
import { createUpdatesCollector } from './updates.js';
import { createUsersCollector } from './users.js';
import type { Collector } from './types.js';

export type { Collector } from './types.js';

/** Live settings some collectors read each cycle (pushed by the server). */
export interface CollectorSettings {
  /** Services to watch (service.isRunning{service}). */
  readonly watchedServices: () => readonly string[];
}

/**
 * Every built-in collector; each decides in init() whether this machine has what it measures.
 * The names are AGENT_COLLECTOR_NAMES in shared/protocol.ts (the server's collector switches).
 */
export function defaultCollectors(settings: CollectorSettings = { watchedServices: () => [] }): Collector[] {
  return [
    createCpuCollector(),
    createMemoryCollector(),
    createFilesystemsCollector(),
    createNetworkCollector(),
    createLoadCollector(),
    createSystemCollector(),
    createTemperatureCollector(),
    createBatteryCollector(),
    createServicesCollector(settings.watchedServices),
    createProcessesCollector(),
    createPrintersCollector(),
    createDisksCollector(),
    createUsersCollector(),
    createUpdatesCollector(),
    createFactsCollector(),
  ];
}
