/**
 * Agent settings managed on the server: a partial config per client and per device (stored as
 * JSON on their rows), merged into the effective config pushed to an agent. Precedence, per
 * field: device, then client, then what the agent itself announced (its interval in hello).
 * `collectors` merges per collector name; `watchedServices` is one list (device replaces client).
 */
import { agentSettingsSchema, type AgentConfig, type AgentSettings } from '../../shared/protocol.js';
import type { Db } from './database.js';

export { agentSettingsSchema, type AgentSettings };

/** Merges settings layers (later wins) over the agent's own interval into the config to push. */
export function effectiveAgentConfig(agentIntervalMs: number, ...layers: AgentSettings[]): AgentConfig {
  const config: AgentConfig = { intervalMs: agentIntervalMs };
  for (const layer of layers) {
    if (layer.intervalMs !== undefined) config.intervalMs = layer.intervalMs;
    if (layer.watchedServices !== undefined) config.watchedServices = [...layer.watchedServices];
    if (layer.collectors !== undefined) config.collectors = { ...config.collectors, ...layer.collectors };
  }
  return config;
}

// Rows are only written through agentSettingsSchema; anything else reads as "no settings".
function parseStored(json: string | undefined): AgentSettings {
  if (!json) return {};
  const r = agentSettingsSchema.safeParse(JSON.parse(json));
  return r.success ? r.data : {};
}

/** Builds the settings statements once. */
export function createAgentSettingsStore(db: Db) {
  const ofClient = db.prepare<[string], { agent_config_json: string }>('SELECT agent_config_json FROM clients WHERE id = ?');
  const ofDevice = db.prepare<[string], { agent_config_json: string; client_json: string }>(
    `SELECT d.agent_config_json, c.agent_config_json AS client_json FROM devices d JOIN clients c ON c.id = d.client_id WHERE d.id = ?`,
  );
  const putClient = db.prepare('UPDATE clients SET agent_config_json = ? WHERE id = ?');
  const putDevice = db.prepare('UPDATE devices SET agent_config_json = ? WHERE id = ?');

  function forDevice(deviceId: string): { device: AgentSettings; client: AgentSettings } {
    const r = ofDevice.get(deviceId);
    return { device: parseStored(r?.agent_config_json), client: parseStored(r?.client_json) };
  }

  return {
    /** The client's own settings ({} when none). */
    forClient(clientId: string): AgentSettings {
      return parseStored(ofClient.get(clientId)?.agent_config_json);
    },
    /** The device's own settings and its client's. */
    forDevice,
    /** Replaces a client's settings ({} = inherit everything). */
    setForClient(clientId: string, settings: AgentSettings): void {
      putClient.run(JSON.stringify(settings), clientId);
    },
    /** Replaces a device's settings ({} = inherit everything). */
    setForDevice(deviceId: string, settings: AgentSettings): void {
      putDevice.run(JSON.stringify(settings), deviceId);
    },
    /** The config a device's agent should run with, given the interval it announced. */
    effective(deviceId: string, agentIntervalMs: number): AgentConfig {
      const { device, client } = forDevice(deviceId);
      return effectiveAgentConfig(agentIntervalMs, client, device);
    },
  };
}
export type AgentSettingsStore = ReturnType<typeof createAgentSettingsStore>;
