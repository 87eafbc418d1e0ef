/** Rules and their per-scope overrides. Parameters are stored as JSON, validated before writing. */
import type { Rule, RuleParams, RuleScope, Severity } from '../../shared/alert-types.js';
import type { Db } from './database.js';
import { generateId } from '../lib/secrets.js';

interface RuleRow {
  id: string;
  name: string;
  kind: RuleParams['kind'];
  severity: Severity;
  scope_type: RuleScope['type'];
  client_id: string | null;
  device_id: string | null;
  overrides_rule_id: string | null;
  is_enabled: number;
  is_default: number;
  params_json: string;
  created_at_ms: number;
  updated_at_ms: number;
  updated_by: string | null;
}

/** Everything a stored rule holds except its id and timestamps. */
export interface RuleFields {
  name: string;
  severity: Severity;
  scope: RuleScope;
  overridesRuleId: string | null;
  isEnabled: boolean;
  params: RuleParams;
}

function toScope(r: RuleRow): RuleScope {
  if (r.scope_type === 'client') return { type: 'client', clientId: r.client_id! };
  if (r.scope_type === 'device') return { type: 'device', deviceId: r.device_id! };
  return { type: 'global' };
}

const toRule = (r: RuleRow): Rule =>
  ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    severity: r.severity,
    scope: toScope(r),
    overridesRuleId: r.overrides_rule_id,
    isEnabled: r.is_enabled === 1,
    isDefault: r.is_default === 1,
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
    updatedBy: r.updated_by,
    ...(JSON.parse(r.params_json) as object),
  }) as Rule;

/** The kind-specific part of a rule. */
export function paramsOf(rule: Rule): RuleParams {
  const {
    id: _i,
    name: _n,
    severity: _s,
    scope: _sc,
    overridesRuleId: _o,
    isEnabled: _e,
    isDefault: _d,
    createdAtMs: _c,
    updatedAtMs: _u,
    updatedBy: _b,
    ...params
  } = rule;
  return params as RuleParams;
}

function bindings(id: string, f: RuleFields) {
  const { kind, ...params } = f.params;
  return {
    id,
    name: f.name,
    kind,
    severity: f.severity,
    scopeType: f.scope.type,
    clientId: f.scope.type === 'client' ? f.scope.clientId : null,
    deviceId: f.scope.type === 'device' ? f.scope.deviceId : null,
    overridesRuleId: f.overridesRuleId,
    isEnabled: f.isEnabled ? 1 : 0,
    paramsJson: JSON.stringify(params),
  };
}

/** Builds the rule statements once. */
export function createRuleStore(db: Db) {
  const all = db.prepare<[], RuleRow>('SELECT * FROM rules ORDER BY is_default DESC, created_at_ms, id');
  const byId = db.prepare<[string], RuleRow>('SELECT * FROM rules WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO rules (id, name, kind, severity, scope_type, client_id, device_id, overrides_rule_id, is_enabled, is_default, params_json, created_at_ms, updated_at_ms, updated_by)
     VALUES (@id, @name, @kind, @severity, @scopeType, @clientId, @deviceId, @overridesRuleId, @isEnabled, @isDefault, @paramsJson, @nowMs, @nowMs, @by)`,
  );
  const insertIfMissing = db.prepare(
    `INSERT OR IGNORE INTO rules (id, name, kind, severity, scope_type, client_id, device_id, overrides_rule_id, is_enabled, is_default, params_json, created_at_ms, updated_at_ms, updated_by)
     VALUES (@id, @name, @kind, @severity, @scopeType, @clientId, @deviceId, @overridesRuleId, @isEnabled, 1, @paramsJson, @nowMs, @nowMs, NULL)`,
  );
  const update = db.prepare(
    `UPDATE rules SET name = @name, severity = @severity, scope_type = @scopeType, client_id = @clientId, device_id = @deviceId,
       is_enabled = @isEnabled, params_json = @paramsJson, updated_at_ms = @nowMs, updated_by = @by WHERE id = @id`,
  );
  const remove = db.prepare<[string]>('DELETE FROM rules WHERE id = ?');
  const overrideAt = db.prepare<{ baseId: string; scopeType: string; clientId: string | null; deviceId: string | null }, { id: string }>(
    `SELECT id FROM rules WHERE overrides_rule_id = @baseId AND scope_type = @scopeType
       AND coalesce(client_id, '') = coalesce(@clientId, '') AND coalesce(device_id, '') = coalesce(@deviceId, '')`,
  );
  const countOverrides = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM rules WHERE overrides_rule_id = ?');

  return {
    list(): Rule[] {
      return all.all().map(toRule);
    },
    findById(id: string): Rule | undefined {
      const r = byId.get(id);
      return r && toRule(r);
    },
    create(fields: RuleFields, nowMs: number, by: string | null): Rule {
      const id = generateId();
      insert.run({ ...bindings(id, fields), isDefault: 0, nowMs, by });
      return toRule(byId.get(id)!);
    },
    /** Replaces a rule's fields (its kind and override target never change). */
    update(id: string, fields: RuleFields, nowMs: number, by: string | null): Rule {
      update.run({ ...bindings(id, fields), nowMs, by });
      return toRule(byId.get(id)!);
    },
    /** Deletes a rule and (by cascade) its overrides. */
    delete(id: string): void {
      remove.run(id);
    },
    /** The id of the override of `baseId` at exactly this scope, if one exists. */
    findOverrideAt(baseId: string, scope: RuleScope): string | undefined {
      return overrideAt.get({
        baseId,
        scopeType: scope.type,
        clientId: scope.type === 'client' ? scope.clientId : null,
        deviceId: scope.type === 'device' ? scope.deviceId : null,
      })?.id;
    },
    countOverrides(baseId: string): number {
      return countOverrides.get(baseId)!.n;
    },
    /** Inserts the default rules that are not there yet; returns how many were added. */
    seedDefaults(defaults: readonly { id: string; name: string; severity: Severity; params: RuleParams }[], nowMs: number): number {
      let added = 0;
      db.transaction(() => {
        for (const d of defaults) {
          const b = bindings(d.id, { name: d.name, severity: d.severity, scope: { type: 'global' }, overridesRuleId: null, isEnabled: true, params: d.params });
          added += insertIfMissing.run({ ...b, nowMs }).changes;
        }
      })();
      return added;
    },
  };
}
export type RuleStore = ReturnType<typeof createRuleStore>;
