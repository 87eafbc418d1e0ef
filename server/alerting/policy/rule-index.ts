/**
 * Which rules apply to a device, pure. Rules form families: a base rule and the overrides that
 * replace it within a narrower scope. For each family whose base covers the device, the most
 * specific member decides (device override > client override > base); if that member is disabled,
 * the family does not apply. So "disable the CPU rule for this client" is a disabled client
 * override, and "only this client gets the forecast rule" is a disabled base with an enabled
 * client override.
 *
 * The engine turns the result into a per-device map from metric name to rules, so finding the
 * rules for a sample is one map lookup.
 */
import type { EffectiveRule, Rule, RuleScope } from '../../../shared/alert-types.js';

/** The device facts scope resolution needs. */
export interface DeviceRef {
  id: string;
  clientId: string;
}

/** True when a scope covers a device. */
export function scopeCovers(scope: RuleScope, device: DeviceRef): boolean {
  switch (scope.type) {
    case 'global':
      return true;
    case 'client':
      return scope.clientId === device.clientId;
    case 'device':
      return scope.deviceId === device.id;
  }
}

/** Scope specificity: global 0 < client 1 < device 2. */
export function scopeRank(scope: RuleScope): number {
  return scope.type === 'global' ? 0 : scope.type === 'client' ? 1 : 2;
}

/** The rule each family resolves to for one device, enabled ones only, in base-rule order. */
export function resolveEffectiveRules(rules: readonly Rule[], device: DeviceRef): EffectiveRule[] {
  const overrides = new Map<string, Rule[]>();
  for (const r of rules) {
    if (r.overridesRuleId === null) continue;
    const list = overrides.get(r.overridesRuleId) ?? [];
    list.push(r);
    overrides.set(r.overridesRuleId, list);
  }
  const out: EffectiveRule[] = [];
  for (const base of rules) {
    if (base.overridesRuleId !== null || !scopeCovers(base.scope, device)) continue;
    let chosen = base;
    for (const o of overrides.get(base.id) ?? []) {
      if (scopeCovers(o.scope, device) && scopeRank(o.scope) > scopeRank(chosen.scope)) chosen = o;
    }
    if (chosen.isEnabled) out.push({ familyId: base.id, rule: chosen });
  }
  return out;
}

/** True when every label the rule names has the same value on the sample. */
export function labelsMatch(matcher: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const key in matcher) {
    if (labels?.[key] !== matcher[key]) return false;
  }
  return true;
}

/** A device's effective rules arranged for the hot path. */
export interface DeviceRuleIndex {
  /** Metric name → rules evaluating samples of it (threshold-like and forecast rules). */
  byMetric: Map<string, EffectiveRule[]>;
  /** Offline rules (evaluated on reports and ticks). */
  offline: EffectiveRule[];
  /** Family ids that apply, for reconciling open conditions after rule changes. */
  familyIds: Set<string>;
  all: EffectiveRule[];
}

/** Arranges effective rules by metric. */
export function indexEffectiveRules(effective: readonly EffectiveRule[]): DeviceRuleIndex {
  const byMetric = new Map<string, EffectiveRule[]>();
  const offline: EffectiveRule[] = [];
  for (const e of effective) {
    if (e.rule.kind === 'offline') {
      offline.push(e);
      continue;
    }
    const list = byMetric.get(e.rule.metric) ?? [];
    list.push(e);
    byMetric.set(e.rule.metric, list);
  }
  return { byMetric, offline, familyIds: new Set(effective.map((e) => e.familyId)), all: [...effective] };
}
