/** Contract routing as tables: every row is one situation and what must come of it. */
import { describe, expect, it } from 'vitest';
import { routeFollowUp, routeOpened, shouldPageAfterMaintenance, type OpenRoute } from '../../server/alerting/policy/routing.js';
import type { ContractType } from '../../shared/api-types.js';
import type { Severity } from '../../shared/alert-types.js';

describe('routeOpened', () => {
  const table: [ContractType, Severity, boolean, OpenRoute][] = [
    ['monthly', 'critical', false, { target: 'alert', shouldNotify: true, isInMaintenance: false }],
    ['monthly', 'warning', false, { target: 'alert', shouldNotify: true, isInMaintenance: false }],
    ['monthly', 'critical', true, { target: 'alert', shouldNotify: false, isInMaintenance: true }],
    ['monthly', 'info', false, { target: 'alert', shouldNotify: false, isInMaintenance: false }],
    ['break-fix', 'critical', false, { target: 'incident', shouldNotify: false, isInMaintenance: false }],
    ['break-fix', 'warning', true, { target: 'incident', shouldNotify: false, isInMaintenance: true }],
    ['break-fix', 'info', false, { target: 'incident', shouldNotify: false, isInMaintenance: false }],
  ];
  it.each(table)('%s client, %s, in maintenance %s', (contract, severity, isInMaintenance, expected) => {
    expect(routeOpened({ contract, severity, isInMaintenance })).toEqual(expected);
  });

  it('routes by the contract at the moment of opening: a change applies to the next condition only', () => {
    // The engine routes when a condition opens and remembers the target; this is what it asks.
    const before = routeOpened({ contract: 'monthly', severity: 'critical', isInMaintenance: false });
    const after = routeOpened({ contract: 'break-fix', severity: 'critical', isInMaintenance: false });
    expect([before.target, after.target]).toEqual(['alert', 'incident']);
    // The alert opened before the change still gets its follow-ups as an alert.
    expect(routeFollowUp({ target: before.target, wasNotified: before.shouldNotify })).toBe(true);
  });
});

describe('routeFollowUp (acknowledged, resolved)', () => {
  const table: ['alert' | 'incident', boolean, boolean][] = [
    ['alert', true, true],
    ['alert', false, false], // opened in maintenance: leaving the window sends no "resolved"
    ['incident', true, false],
    ['incident', false, false],
  ];
  it.each(table)('%s, firing notified %s → notify %s', (target, wasNotified, expected) => {
    expect(routeFollowUp({ target, wasNotified })).toBe(expected);
  });
});

describe('shouldPageAfterMaintenance', () => {
  type Input = Parameters<typeof shouldPageAfterMaintenance>[0];
  const base: Input = { state: 'firing', severity: 'critical', wasNotified: false, isInMaintenanceNow: false, wasInMaintenanceGraceAgo: false };
  const table: [string, Partial<Input>, boolean][] = [
    ['still firing after the window and its grace', {}, true],
    ['window still on', { isInMaintenanceNow: true }, false],
    ['window ended less than the grace ago', { wasInMaintenanceGraceAgo: true }, false],
    ['already acknowledged', { state: 'acknowledged' }, false],
    ['resolved during the window', { state: 'resolved' }, false],
    ['already notified', { wasNotified: true }, false],
    ['info severity never pages', { severity: 'info' }, false],
  ];
  it.each(table)('%s', (_name, over, expected) => {
    expect(shouldPageAfterMaintenance({ ...base, ...over })).toBe(expected);
  });
});
