/**
 * Site probe settings pushed to an agent: its agent settings plus `probe`, the probed devices it
 * checks (server/store/probes.ts) and the discovery scans it runs (server/store/discovery.ts).
 * Wraps the settings store so the gateway's welcome and config frames carry both, with no second
 * push path.
 */
import type { AgentSettingsStore } from '../store/agent-settings.js';
import type { ProbeStore } from '../store/probes.js';
import type { DiscoveryStore } from '../store/discovery.js';

/** The settings store, with each agent's probe targets and running scans added to its effective config. */
export function withProbeConfig(
  settings: AgentSettingsStore,
  probes: Pick<ProbeStore, 'configFor'>,
  discovery?: Pick<DiscoveryStore, 'configFor'>,
): AgentSettingsStore {
  return {
    ...settings,
    effective(deviceId, agentIntervalMs) {
      const config = settings.effective(deviceId, agentIntervalMs);
      const probe = probes.configFor(deviceId);
      const scans = discovery?.configFor(deviceId) ?? [];
      if (!probe && scans.length === 0) return config;
      return { ...config, probe: { targets: probe?.targets ?? [], ...(scans.length > 0 ? { scans } : {}) } };
    },
  };
}
