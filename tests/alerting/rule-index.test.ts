/** Scope resolution as a table: which member of each rule family decides for a device. */
import { describe, expect, it } from 'vitest';
import { indexEffectiveRules, labelsMatch, resolveEffectiveRules } from '../../server/alerting/policy/rule-index.js';
import type { Rule, RuleScope } from '../../shared/alert-types.js';

let n = 0;
function rule(id: string, scope: RuleScope, over: Partial<Rule> = {}): Rule {
  return {
    id,
    name: id,
    severity: 'warning',
    scope,
    overridesRuleId: null,
    isEnabled: true,
    isDefault: false,
    createdAtMs: n++,
    updatedAtMs: 0,
    updatedBy: null,
    kind: 'threshold',
    metric: 'cpu.loadPct',
    labels: {},
    op: 'above',
    threshold: 90,
    clearThreshold: 90,
    forMs: 0,
    clearForMs: 0,
    ...over,
  } as Rule;
}

const cpu = rule('cpu', { type: 'global' });
const cpuAcme = rule('cpu@acme', { type: 'client', clientId: 'acme' }, { overridesRuleId: 'cpu', threshold: 95 } as Partial<Rule>);
const cpuOffAcmeDb = rule('cpu@db', { type: 'device', deviceId: 'db' }, { overridesRuleId: 'cpu', isEnabled: false });
const forecastOff = rule('forecast', { type: 'global' }, { isEnabled: false });
const forecastOnBeta = rule('forecast@beta', { type: 'client', clientId: 'beta' }, { overridesRuleId: 'forecast' });
const onlyDb = rule('db-only', { type: 'device', deviceId: 'db' }, { metric: 'mem.usedPct' } as Partial<Rule>);
const offline = rule('offline', { type: 'global' }, { kind: 'offline', missedIntervals: 3 } as unknown as Partial<Rule>);
const rules = [cpu, cpuAcme, cpuOffAcmeDb, forecastOff, forecastOnBeta, onlyDb, offline];

describe('resolveEffectiveRules', () => {
  const table: [string, { id: string; clientId: string }, [string, string][]][] = [
    [
      'a device of another client gets the global rules',
      { id: 'x', clientId: 'other' },
      [
        ['cpu', 'cpu'],
        ['offline', 'offline'],
      ],
    ],
    [
      'a client override replaces the global rule',
      { id: 'web', clientId: 'acme' },
      [
        ['cpu', 'cpu@acme'],
        ['offline', 'offline'],
      ],
    ],
    [
      'a disabled device override removes the family; device rules add',
      { id: 'db', clientId: 'acme' },
      [
        ['db-only', 'db-only'],
        ['offline', 'offline'],
      ],
    ],
    [
      'a disabled base with an enabled client override applies to that client only',
      { id: 'b1', clientId: 'beta' },
      [
        ['cpu', 'cpu'],
        ['forecast', 'forecast@beta'],
        ['offline', 'offline'],
      ],
    ],
  ];
  it.each(table)('%s', (_name, device, expected) => {
    const got = resolveEffectiveRules(rules, device).map((e) => [e.familyId, e.rule.id]);
    expect(got.sort()).toEqual([...expected].sort());
  });
});

describe('rule index', () => {
  it('maps metrics to rules and keeps offline rules apart', () => {
    const idx = indexEffectiveRules(resolveEffectiveRules(rules, { id: 'db', clientId: 'acme' }));
    expect([...idx.byMetric.keys()]).toEqual(['mem.usedPct']);
    expect(idx.offline.map((e) => e.rule.id)).toEqual(['offline']);
    expect([...idx.familyIds].sort()).toEqual(['db-only', 'offline']);
  });

  it('matches labels as a subset', () => {
    expect(labelsMatch({}, { mount: '/' })).toBe(true);
    expect(labelsMatch({ mount: '/' }, { mount: '/' })).toBe(true);
    expect(labelsMatch({ mount: '/' }, { mount: '/data' })).toBe(false);
    expect(labelsMatch({ mount: '/' }, undefined)).toBe(false);
  });
});
