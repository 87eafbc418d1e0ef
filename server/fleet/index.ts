/**
 * The fleet's administration services (clients, enrollment tokens, devices, probed devices,
 * discovery scans), used by the REST routes and the CLI alike; each change is audited in its own
 * transaction.
 */
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { AgentSettingsStore } from '../store/agent-settings.js';
import type { ProbeStore } from '../store/probes.js';
import type { DiscoveryStore } from '../store/discovery.js';
import type { AuditLog } from '../audit/audit-log.js';
import { createClientService } from './client-service.js';
import { createDeviceService } from './device-service.js';
import { createProbedDeviceService } from './probed-device-service.js';
import { createDiscoveryService } from './discovery-service.js';

export { clientInputSchema, enrollmentTokenInputSchema } from './client-service.js';
export type { ClientService } from './client-service.js';
export type { DeviceService } from './device-service.js';
export type { ProbedDeviceService } from './probed-device-service.js';
export type { DiscoveryService } from './discovery-service.js';

export interface FleetDeps {
  clients: ClientStore;
  devices: DeviceStore;
  settings: AgentSettingsStore;
  probes: ProbeStore;
  discovery: DiscoveryStore;
  audit: AuditLog;
  now: () => number;
}

/** Builds the fleet services. */
export function createFleet(deps: FleetDeps) {
  const probed = createProbedDeviceService(deps);
  return {
    clients: createClientService(deps),
    devices: createDeviceService(deps),
    probed,
    discovery: createDiscoveryService({ ...deps, probed }),
  };
}
export type Fleet = ReturnType<typeof createFleet>;
