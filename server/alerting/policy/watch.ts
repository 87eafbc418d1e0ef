/**
 * The thresholds a device's agent watches between reports (config.watch, docs/PROTOCOL.md
 * §4.6.3), from the rules that apply to it. Pure: effective rules in, thresholds out.
 *
 * Only enabled threshold rules on a metric the agent can sample cheaply every second
 * (WATCHABLE_METRICS) become thresholds; every other rule kind waits for the regular report.
 * Identical thresholds (two rules with the same metric, labels and limits) are listed once; the
 * list is sorted so the same rules always give the same list (a change is a real change).
 */
import type { EffectiveRule } from '../../../shared/alert-types.js';
import { MAX_WATCH_THRESHOLDS, WATCHABLE_METRICS, type WatchConfig, type WatchThreshold } from '../../../shared/protocol.js';

const watchable = new Set<string>(WATCHABLE_METRICS);

/** The watch list for one device's effective rules (at most MAX_WATCH_THRESHOLDS entries). */
export function watchThresholdsOf(effective: readonly EffectiveRule[]): WatchThreshold[] {
  const byKey = new Map<string, WatchThreshold>();
  for (const { rule } of effective) {
    if (rule.kind !== 'threshold' || !rule.isEnabled || !watchable.has(rule.metric)) continue;
    const labels = Object.keys(rule.labels).length > 0 ? sortedLabels(rule.labels) : undefined;
    const t: WatchThreshold = {
      metric: rule.metric as WatchThreshold['metric'],
      ...(labels ? { labels } : {}),
      op: rule.op,
      threshold: rule.threshold,
      clearThreshold: rule.clearThreshold,
    };
    byKey.set(JSON.stringify(t), t);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => t)
    .slice(0, MAX_WATCH_THRESHOLDS);
}

/** The `config.watch` object for one device's effective rules. */
export function watchConfigOf(effective: readonly EffectiveRule[]): WatchConfig {
  return { thresholds: watchThresholdsOf(effective) };
}

function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}
