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
      { incidentId: 'i1', title: 'Disk full', state: 'closed', openedAtMs: 1, entryMinutes: [60, 30] },
      { incidentId: 'i2', title: 'Printer', state: 'billed', openedAtMs: 2, entryMinutes: [20] },
    ]);
    expect(r.incidents.map((i) => [i.incidentId, i.hours, i.amount])).toEqual([
      ['i1', 1.5, 127.5],
      ['i2', 0.33, 28.33],
    ]);
    expect([r.totalMinutes, r.totalHours, r.totalAmount, r.currency]).toEqual([110, 1.83, 155.83, 'EUR']);
  });

  it('rounds each entry up to the increment and bills each incident at least the minimum', () => {
    const client = { id: 'c', name: 'Bakker', contract: 'break-fix' as const, monthlyFee: 0, hourlyRate: 80, currency: 'EUR' };
    const r = buildBillingReport(
      client,
      '2025-03',
      [
        { incidentId: 'i1', title: 'Two short calls', state: 'closed', openedAtMs: 1, entryMinutes: [5, 5], notes: ['call 1', 'call 2'] },
        { incidentId: 'i2', title: 'A 20 min fix', state: 'closed', openedAtMs: 2, entryMinutes: [20] },
        { incidentId: 'i3', title: 'Long job', state: 'closed', openedAtMs: 3, entryMinutes: [61] },
      ],
      { incrementMin: 15, minimumMin: 30 },
    );
    // 5+5 → 15+15 = 30; 20 → 30; 61 → 75 (above the minimum)
    expect(r.incidents.map((i) => [i.incidentId, i.minutes, i.billedMinutes, i.amount])).toEqual([
      ['i1', 10, 30, 40],
      ['i2', 20, 30, 40],
      ['i3', 61, 75, 100],
    ]);
    expect(r.incidents[0]!.notes).toEqual(['call 1', 'call 2']);
    expect([r.totalMinutes, r.totalBilledMinutes, r.totalAmount, r.rounding]).toEqual([91, 135, 180, { incrementMin: 15, minimumMin: 30 }]);
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
    client: {
      id: 'c',
      name: 'Bakker',
      contract: over.contract ?? 'break-fix',
      monthlyFee: over.monthlyFee ?? 300,
      hourlyRate: over.hourlyRate ?? 90,
      currency: 'EUR',
    },
    from: '2025-01-01',
    to: '2025-03-31',
    periodStartMs: START,
    periodEndMs: END,
    nowMs: END + DAY,
    bookedMinutes: 0,
    conditions: [],
    estimateMinutes: 60,
    observedDays: 90,
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
    [
      'monthly client with many alerts → monthly',
      { contract: 'monthly', conditions: Array.from({ length: 12 }, () => condition({ source: 'alert' })) },
      'monthly',
    ], // 1080 vs 900
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
    expect(a.breakFix).toEqual({ hourlyRate: 90, bookedMinutes: 500, billedMinutes: 500, estimatedMinutes: 0, amount: 750, range: null });
    expect([a.paid, a.alternative]).toEqual([750, 900]);
    expect(a.incidents).toEqual({ count: 2, bySeverity: { info: 0, warning: 1, critical: 1 } }); // disk full + manual; forecast is not a problem
    expect(a.downtime).toEqual({ events: 1, minutes: 300 }); // clipped to the period
    expect(a.proactiveAlerts.map((p) => [p.id, p.precededIncidentIds])).toEqual([
      ['f1', ['x1', 'm1']],
      ['x1', []],
    ]);
    expect(a.forecastsPrecedingIncidents).toBe(1);
    expect(a.recommendation).toBe('monthly');
    expect(a.reasons[0]).toBe('Break-fix would have cost €750.00, only €150.00 less than the monthly fees of €900.00.');
    expect(a.reasons).toContain('1 disk-full forecast came before a later problem on the same device');
    expect(a.reasons).toContain('devices were offline for 5 h 0 min in 1 outage');
  });

  it('gives no verdict below 30 days of data, and says how many days it has', () => {
    const a = advise({ contract: 'monthly', observedDays: 3.4, bookedMinutes: 0 });
    expect(a.recommendation).toBe('insufficient-data');
    expect(a.observedDays).toBe(3);
    expect(a.reasons[0]).toBe('Not enough data yet: 3 days with devices reporting, at least 30 needed for a verdict.');
    expect(advise({ contract: 'monthly', observedDays: 1 }).reasons[0]).toBe(
      'Not enough data yet: 1 day with devices reporting, at least 30 needed for a verdict.',
    );
    expect(advise({ contract: 'monthly', observedDays: 30 }).recommendation).not.toBe('insufficient-data');
  });

  it('speaks Dutch with Dutch money and plurals', () => {
    const a = advise({ bookedMinutes: 120, locale: 'nl', observedDays: 3 });
    expect(a.reasons[0]).toBe('Nog niet genoeg gegevens: 3 dagen met rapporterende apparaten, minstens 30 nodig voor een oordeel.');
    const b = advise({ bookedMinutes: 120, locale: 'nl' });
    // Intl writes a no-break space between the euro sign and the amount.
    expect(b.reasons[0]).toBe('Break-fix had €\u00a0180,00 gekost, €\u00a0720,00 minder dan de maandbedragen van €\u00a0900,00.');
  });

  it('counts booked time on alerts instead of estimating it', () => {
    const booked = condition({ id: 'a1', source: 'alert' });
    const a = advise({
      contract: 'monthly',
      bookedMinutes: 45,
      alertsWithBookedTime: new Set(['a1']),
      conditions: [booked, condition({ id: 'a2', source: 'alert' })],
    });
    expect(a.breakFix).toMatchObject({ bookedMinutes: 45, estimatedMinutes: 60 });
  });

  it('estimates work for a monthly client, and says so', () => {
    const a = advise({
      contract: 'monthly',
      estimateMinutes: 30,
      conditions: [condition({ source: 'alert' }), condition({ source: 'alert', ruleKind: 'forecast' })],
    });
    expect(a.breakFix).toMatchObject({ bookedMinutes: 0, estimatedMinutes: 30, amount: 45, range: { low: 22.5, high: 90 } });
    expect([a.paid, a.alternative]).toEqual([900, 45]);
    expect(a.assumptions).toContain('1 alert without booked time counted as 30 min of work each (an estimate: the range assumes half to twice that)');
    expect(a.reasons).toContain('With estimated effort the break-fix cost lies between €22.50 and €90.00.');
  });
});
