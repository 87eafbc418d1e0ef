/**
 * Creating, changing and deleting rules: the checks that need the database (scope targets exist,
 * overrides are narrower than what they override, one override per scope), then the pure
 * parameter validation, then one write with its audit entry (one transaction) and, after the
 * commit, an engine reload. Nothing is written unless every check passed.
 *
 * Who may edit: admins edit everything; technicians edit client- and device-scoped rules
 * (including overrides of global rules), not global ones.
 */
import type { EffectiveRule, Rule, RuleInput, RuleScope } from '../../shared/alert-types.js';
import type { Role } from '../store/users.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import { paramsOf, type RuleFields, type RuleStore } from '../store/rules.js';
import { HttpError } from '../lib/errors.js';
import { auditActorOf, changedFields, type AuditLog } from '../audit/audit-log.js';
import { validateRuleParams } from './rule-validation.js';
import { resolveEffectiveRules, scopeRank } from './policy/rule-index.js';
import type { RuleEngine } from './engine/engine.js';

/** Who is changing rules. */
export interface RuleActor {
  id: string | null;
  username: string;
  role: Role;
}

/** Bookkeeping fields that change with every write; not worth an audit line. */
const UNAUDITED = new Set(['updatedAtMs', 'updatedBy', 'createdAtMs']);

const PARAM_FIELDS = [
  'metric',
  'labels',
  'op',
  'threshold',
  'clearThreshold',
  'forMs',
  'clearForMs',
  'missedIntervals',
  'horizonMs',
  'clearHorizonMs',
  'windowMs',
  'minSpanMs',
] as const;

function paramFieldsOf(input: RuleInput): Partial<RuleInput> {
  const out: Partial<RuleInput> = {};
  for (const f of PARAM_FIELDS) if (input[f] !== undefined) (out as Record<string, unknown>)[f] = input[f];
  return out;
}

/** Builds the rule service. */
export function createRuleService(deps: {
  rules: RuleStore;
  clients: ClientStore;
  devices: DeviceStore;
  engine: RuleEngine;
  audit: AuditLog;
  now: () => number;
}) {
  const { rules, audit } = deps;
  const who = auditActorOf;

  function mustFind(id: string): Rule {
    const r = rules.findById(id);
    if (!r) throw new HttpError(404, 'RULE_NOT_FOUND', `no rule with id ${id}`);
    return r;
  }

  function checkScopeExists(scope: RuleScope): void {
    if (scope.type === 'client' && !deps.clients.findById(scope.clientId))
      throw new HttpError(400, 'CLIENT_NOT_FOUND', `scope.clientId: no client with id ${scope.clientId}`);
    if (scope.type === 'device' && !deps.devices.findById(scope.deviceId))
      throw new HttpError(400, 'DEVICE_NOT_FOUND', `scope.deviceId: no device with id ${scope.deviceId}`);
  }

  function checkMayEdit(actor: RuleActor, scope: RuleScope): void {
    if (scope.type === 'global' && actor.role !== 'admin')
      throw new HttpError(403, 'FORBIDDEN', 'changing global rules needs role admin; technicians may add client or device overrides');
  }

  function checkOverride(target: Rule, scope: RuleScope, kind: string | undefined, metric: string | undefined, selfId?: string): void {
    if (target.overridesRuleId !== null) {
      throw new HttpError(
        400,
        'RULE_OVERRIDE_OF_OVERRIDE',
        `rule ${target.id} is itself an override; override its base rule ${target.overridesRuleId} instead`,
      );
    }
    if (scopeRank(scope) <= scopeRank(target.scope)) {
      throw new HttpError(
        400,
        'RULE_OVERRIDE_SCOPE',
        `an override needs a narrower scope than the ${target.scope.type} rule it overrides (client or device for a global rule, device for a client rule)`,
      );
    }
    if (target.scope.type === 'client' && scope.type === 'device' && deps.devices.findById(scope.deviceId)?.clientId !== target.scope.clientId) {
      throw new HttpError(
        400,
        'RULE_OVERRIDE_SCOPE',
        `device ${scope.deviceId} does not belong to client ${target.scope.clientId} that rule ${target.id} covers`,
      );
    }
    if (kind !== undefined && kind !== target.kind)
      throw new HttpError(400, 'RULE_OVERRIDE_KIND_MISMATCH', `an override keeps the kind of the rule it overrides (${target.kind}); got ${kind}`);
    if (metric !== undefined && target.kind !== 'offline' && metric !== target.metric) {
      throw new HttpError(400, 'RULE_OVERRIDE_METRIC_MISMATCH', `an override keeps the metric of the rule it overrides (${target.metric}); got ${metric}`);
    }
    const existing = rules.findOverrideAt(target.id, scope);
    if (existing !== undefined && existing !== selfId)
      throw new HttpError(409, 'RULE_OVERRIDE_EXISTS', `rule ${target.id} already has an override for this scope: ${existing}; change that one`);
  }

  function validated(merged: Partial<RuleInput>) {
    const v = validateRuleParams(merged);
    if (!v.ok) throw new HttpError(400, v.code, v.message);
    return v.params;
  }

  return {
    list(): Rule[] {
      return rules.list();
    },
    get: mustFind,
    /** Creates a base rule or an override (which inherits what it does not set). */
    create(input: RuleInput, actor: RuleActor): Rule {
      const scope: RuleScope = input.scope ?? { type: 'global' };
      checkMayEdit(actor, scope);
      const target = input.overridesRuleId ? rules.findById(input.overridesRuleId) : undefined;
      if (input.overridesRuleId && !target)
        throw new HttpError(400, 'RULE_OVERRIDE_TARGET_NOT_FOUND', `overridesRuleId: no rule with id ${input.overridesRuleId}`);
      checkScopeExists(scope);
      let fields: RuleFields;
      if (target) {
        checkOverride(target, scope, input.kind, input.metric);
        const params = validated({ ...paramsOf(target), ...paramFieldsOf(input), kind: target.kind });
        fields = {
          name: input.name ?? target.name,
          severity: input.severity ?? target.severity,
          scope,
          overridesRuleId: target.id,
          isEnabled: input.isEnabled ?? true,
          params,
        };
      } else {
        if (input.name === undefined) throw new HttpError(400, 'RULE_MISSING_FIELD', 'a rule needs a name');
        const params = validated({ ...paramFieldsOf(input), kind: input.kind });
        fields = { name: input.name, severity: input.severity ?? 'warning', scope, overridesRuleId: null, isEnabled: input.isEnabled ?? true, params };
      }
      const rule = audit.audited(who(actor), (record) => {
        const rule = rules.create(fields, deps.now(), actor.username);
        record({
          action: 'rule.create',
          entityType: 'rule',
          entityId: rule.id,
          summary: `created ${rule.scope.type} rule "${rule.name}" (${rule.kind})`,
          detail: { rule },
        });
        return rule;
      });
      deps.engine.reloadRules();
      return rule;
    },
    /** Changes a rule; fields not given keep their value. Kind and override target never change. */
    update(id: string, patch: RuleInput, actor: RuleActor): Rule {
      const existing = mustFind(id);
      checkMayEdit(actor, existing.scope);
      if (patch.kind !== undefined && patch.kind !== existing.kind)
        throw new HttpError(400, 'RULE_KIND_IMMUTABLE', `a rule's kind cannot change (${existing.kind}); create a new rule instead`);
      if (patch.overridesRuleId !== undefined && patch.overridesRuleId !== existing.overridesRuleId) {
        throw new HttpError(400, 'RULE_OVERRIDE_IMMUTABLE', 'overridesRuleId cannot change; delete this override and create another');
      }
      const scope = patch.scope ?? existing.scope;
      if (patch.scope !== undefined && JSON.stringify(patch.scope) !== JSON.stringify(existing.scope)) {
        checkMayEdit(actor, scope);
        if (existing.isDefault) throw new HttpError(400, 'RULE_DEFAULT_SCOPE', 'default rules stay global; override them per client or device instead');
        if (existing.overridesRuleId === null && rules.countOverrides(id) > 0)
          throw new HttpError(409, 'RULE_HAS_OVERRIDES', `rule ${id} has overrides; its scope cannot change`);
        checkScopeExists(scope);
      }
      if (existing.overridesRuleId !== null) checkOverride(mustFind(existing.overridesRuleId), scope, undefined, patch.metric, id);
      else if (patch.metric !== undefined && existing.kind !== 'offline' && patch.metric !== existing.metric && rules.countOverrides(id) > 0) {
        throw new HttpError(409, 'RULE_HAS_OVERRIDES', `rule ${id} has overrides; its metric cannot change`);
      }
      const params = validated({ ...paramsOf(existing), ...paramFieldsOf(patch), kind: existing.kind });
      const rule = audit.audited(who(actor), (record) => {
        const after = rules.update(
          id,
          {
            name: patch.name ?? existing.name,
            severity: patch.severity ?? existing.severity,
            scope,
            overridesRuleId: existing.overridesRuleId,
            isEnabled: patch.isEnabled ?? existing.isEnabled,
            params,
          },
          deps.now(),
          actor.username,
        );
        const changes = changedFields(
          existing,
          after,
          Object.keys({ ...existing, ...after }).filter((k) => !UNAUDITED.has(k)),
        );
        const fields = Object.keys(changes);
        if (fields.length === 0) return after;
        const onlyEnabled = fields.length === 1 && changes.isEnabled !== undefined;
        record({
          action: onlyEnabled ? (after.isEnabled ? 'rule.enable' : 'rule.disable') : 'rule.update',
          entityType: 'rule',
          entityId: id,
          summary: onlyEnabled ? `${after.isEnabled ? 'enabled' : 'disabled'} rule "${after.name}"` : `changed rule "${after.name}": ${fields.join(', ')}`,
          detail: { changes },
        });
        return after;
      });
      deps.engine.reloadRules();
      return rule;
    },
    /** Deletes a rule and its overrides; default rules can only be disabled. */
    delete(id: string, actor: RuleActor): void {
      const existing = mustFind(id);
      checkMayEdit(actor, existing.scope);
      if (existing.isDefault)
        throw new HttpError(409, 'RULE_IS_DEFAULT', `rule ${id} ships with the server; disable it (isEnabled: false) or override it instead`);
      audit.audited(who(actor), (record) => {
        rules.delete(id);
        record({ action: 'rule.delete', entityType: 'rule', entityId: id, summary: `deleted rule "${existing.name}"`, detail: { rule: existing } });
      });
      deps.engine.reloadRules();
    },
    /** The rule each family resolves to for one device. */
    effective(deviceId: string): EffectiveRule[] {
      const d = deps.devices.findById(deviceId);
      if (!d) throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${deviceId}`);
      return resolveEffectiveRules(rules.list(), d);
    },
  };
}
export type RuleService = ReturnType<typeof createRuleService>;
