/** Billing arithmetic and the contract advisor's recommendation table. */
import { describe, expect, it } from 'vitest';
import { adviseContract, buildBillingReport, monthsBetween, type AdvisorInput, type ConditionRecord } from '../../server/billing/advisor.js';

const DAY = 86_400_000;
const START = Date.parse('2025-01-01T00:00:00Z');
const END = Date.parse('2025-04-01T00:00:00Z');

describe('monthsBetween', () => {
  const table: [string, string, number][] = [
    ['2025-01-01', '2025-03-31', 3],
    ['2025-02-01', '2025-02-28', 1],
    ['2024-02-01', '2024-02-29', 1],
    ['2025-01-16', '2025-01-31', 0.516],
    ['2024-12-01', '2025-01-31', 2],
    ['2025-01-01', '2025-12-31', 12],
  ];
  it.each(table)('%s … %s = %s', (from, to, months) => {
    expect(monthsBetween(from, to)).toBe(months);
  });
});

describe('buildBillingReport', () => {
  it('bills minutes × rate per incident and in total, in cents', () => {
    const r = buildBillingReport({ id: 'c', name: 'Bakker', contract: 'break-fix', monthlyFee: 0, hourlyRate: 85, currency: 'EUR' }, '2025-03', [
      { incidentId: 'i1', title: 'Disk full', state: 'closed', openedAtMs: 1, minutes: 90 },
      { incidentId: 'i2', title: 'Printer', state: 'billed', openedAtMs: 2, minutes: 20 },
    ]);
    expect(r.incidents.map((i) => [i.incidentId, i.hours, i.amount])).toEqual([
      ['i1', 1.5, 127.5],
      ['i2', 0.33, 28.33],
    ]);
    expect([r.totalMinutes, r.totalHours, r.totalAmount, r.currency]).toEqual([110, 1.83, 155.83, 'EUR']);
  });
});

function condition(over: Partial<ConditionRecord>): ConditionRecord {
  return {
    source: 'incident',
    id: Math.random().toString(36).slice(2),
    origin: 'rule',
    ruleName: 'rule',
    ruleKind: 'threshold',
    severity: 'warning',
    deviceId: 'd1',
    hostname: 'pc-1',
    summary: 's',
    openedAtMs: START + DAY,
    closedAtMs: START + DAY + 3_600_000,
    ...over,
  };
}

function advise(over: Partial<AdvisorInput> & { contract?: 'monthly' | 'break-fix'; monthlyFee?: number; hourlyRate?: number }) {
  return adviseContract({
    client: { id: 'c', name: 'Bakker', contract: over.contract ?? 'break-fix', monthlyFee: over.monthlyFee ?? 300, hourlyRate: over.hourlyRate ?? 90, currency: 'EUR' },
    from: '2025-01-01',
    to: '2025-03-31',
    periodStartMs: START,
    periodEndMs: END,
    nowMs: END + DAY,
    bookedMinutes: 0,
    conditions: [],
    estimateMinutes: 60,
    ...over,
  });
}

describe('adviseContract', () => {
  const forecast = condition({ id: 'f1', ruleKind: 'forecast', ruleName: 'Forecast', openedAtMs: START + 10 * DAY });
  const diskFull = condition({ id: 'x1', ruleKind: 'threshold', severity: 'critical', openedAtMs: START + 15 * DAY });
  const table: [string, Parameters<typeof advise>[0], string][] = [
    ['break-fix paying more than the fee would → monthly', { bookedMinutes: 900 }, 'monthly'], // 1350 vs 900
    ['break-fix paying exactly the fee → monthly (predictable)', { bookedMinutes: 600 }, 'monthly'], // 900 vs 900
    ['break-fix clearly cheaper, nothing caught → break-fix', { bookedMinutes: 120 }, 'break-fix'], // 180 vs 900
    ['break-fix a little cheaper, but a forecast preceded an incident → monthly', { bookedMinutes: 500, conditions: [forecast, diskFull] }, 'monthly'], // 750 vs 900
    ['break-fix much cheaper, even with a forecast → break-fix', { bookedMinutes: 60, conditions: [forecast, diskFull] }, 'break-fix'],
    ['no monthly fee quoted → undecided', { monthlyFee: 0, bookedMinutes: 900 }, 'undecided'],
    ['monthly client with few alerts → break-fix would be cheaper', { contract: 'monthly', conditions: [condition({ source: 'alert' })] }, 'break-fix'], // 90 vs 900
    ['monthly client with many alerts → monthly', { contract: 'monthly', conditions: Array.from({ length: 12 }, () => condition({ source: 'alert' })) }, 'monthly'], // 1080 vs 900
  ];
  it.each(table)('%s', (_name, input, recommendation) => {
    const a = advise(input);
    expect(a.recommendation).toBe(recommendation);
    // The recommendation follows the numbers it reports.
    if (recommendation !== 'undecided' && a.breakFix.amount >= a.monthly.amount) expect(a.recommendation).toBe('monthly');
  });

  it('reports the numbers behind the advice', () => {
    const offline = condition({ id: 'o1', ruleKind: 'offline', severity: 'critical', openedAtMs: START - DAY, closedAtMs: START + 5 * 3_600_000 });
    const manual = condition({ id: 'm1', origin: 'manual', ruleKind: null, ruleName: 'Client called', openedAtMs: START + 20 * DAY });
    const a = advise({ bookedMinutes: 500, conditions: [forecast, diskFull, offline, manual] });
    expect(a.months).toBe(3);
    expect(a.monthly).toEqual({ fee: 300, amount: 900 });
    expect(a.breakFix).toEqual({ hourlyRate: 90, bookedMinutes: 500, estimatedMinutes: 0, amount: 750 });
    expect([a.paid, a.alternative]).toEqual([750, 900]);
    expect(a.incidents).toEqual({ count: 2, bySeverity: { info: 0, warning: 1, critical: 1 } }); // disk full + manual; forecast is not a problem
    expect(a.downtime).toEqual({ events: 1, minutes: 300 }); // clipped to the period
    expect(a.proactiveAlerts.map((p) => [p.id, p.precededIncidentIds])).toEqual([
      ['f1', ['x1', 'm1']],
      ['x1', []],
    ]);
    expect(a.forecastsPrecedingIncidents).toBe(1);
    expect(a.recommendation).toBe('monthly');
    expect(a.reasons[0]).toBe('break-fix would cost EUR 750.00, only EUR 150.00 less than the monthly fee total of EUR 900.00');
    expect(a.reasons).toContain('1 disk-full forecast(s) came before a later incident on the same device');
    expect(a.reasons).toContain('devices were offline for 5 h in 1 event(s)');
  });

  it('estimates work for a monthly client, and says so', () => {
    const a = advise({ contract: 'monthly', estimateMinutes: 30, conditions: [condition({ source: 'alert' }), condition({ source: 'alert', ruleKind: 'forecast' })] });
    expect(a.breakFix).toMatchObject({ bookedMinutes: 0, estimatedMinutes: 30, amount: 45 });
    expect([a.paid, a.alternative]).toEqual([900, 45]);
    expect(a.assumptions).toContain('1 alert(s) without booked time counted as 30 min of work each (query estimateMinutes)');
  });
});
