/**
 * Site probe settings pushed to an agent: its agent settings plus `probe`, the probed devices it
 * checks (server/store/probes.ts). Wraps the settings store so the gateway's welcome and config
 * frames carry both, with no second push path.
 */
import type { AgentSettingsStore } from '../store/agent-settings.js';
import type { ProbeStore } from '../store/probes.js';

/** The settings store, with each agent's probe targets added to its effective config. */
export function withProbeConfig(settings: AgentSettingsStore, probes: Pick<ProbeStore, 'configFor'>): AgentSettingsStore {
  return {
    ...settings,
    effective(deviceId, agentIntervalMs) {
      const config = settings.effective(deviceId, agentIntervalMs);
      const probe = probes.configFor(deviceId);
      return probe ? { ...config, probe } : config;
    },
  };
}
