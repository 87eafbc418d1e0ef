/**
 * Thresholds pushed to agents (config.watch, docs/PROTOCOL.md §4.6.3): wraps the agent settings
 * store so every welcome and config frame carries the device's watch list, computed from the
 * rules that apply to it (policy/watch.ts), and remembers what each device was last given so a
 * rule change re-pushes config only to the devices whose list really changed.
 */
import type { Logger } from 'pino';
import type { EffectiveRule } from '../../shared/alert-types.js';
import { watchConfigSchema, type WatchConfig } from '../../shared/protocol.js';
import type { AgentSettingsStore } from '../store/agent-settings.js';
import { watchConfigOf } from './policy/watch.js';

/** Where the rules of a device come from (the rule engine's cache). */
export interface WatchRuleSource {
  effectiveRulesFor(deviceId: string): readonly EffectiveRule[];
}

/** Builds the watch part of agent configs. */
export function createWatchConfig(rules: WatchRuleSource, logger: Logger) {
  /** deviceId → JSON of the watch list last put into one of its welcome/config frames. */
  const given = new Map<string, string>();

  function watchFor(deviceId: string): WatchConfig {
    const watch = watchConfigOf(rules.effectiveRulesFor(deviceId));
    // The boundary: what reaches an agent is what the schema allows, or nothing is watched.
    const checked = watchConfigSchema.safeParse(watch);
    if (checked.success) return watch;
    const issue = checked.error.issues[0]!;
    logger.error({ deviceId, field: `watch.${issue.path.join('.')}`, reason: issue.message }, 'watch list of a device is invalid; the agent watches nothing');
    return { thresholds: [] };
  }

  return {
    /** The settings store, with each device's watch list added to its effective config. */
    wrap(settings: AgentSettingsStore): AgentSettingsStore {
      return {
        ...settings,
        effective(deviceId, agentIntervalMs) {
          const watch = watchFor(deviceId);
          given.set(deviceId, JSON.stringify(watch));
          return { ...settings.effective(deviceId, agentIntervalMs), watch };
        },
      };
    },
    /** True when the device's watch list differs from the one it was last given (or it was given none). */
    hasChanged(deviceId: string): boolean {
      return given.get(deviceId) !== JSON.stringify(watchFor(deviceId));
    },
    /** Forgets a device (disconnected): its next welcome carries its list anyway. */
    forget(deviceId: string): void {
      given.delete(deviceId);
    },
    watchFor,
  };
}
export type WatchConfigSource = ReturnType<typeof createWatchConfig>;
