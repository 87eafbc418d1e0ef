/**
 * Billing and the contract advisor, pure: from a client's terms, its alerts/incidents and the
 * time booked in a period, compute what each contract model costs, what monitoring caught, and a
 * recommendation with its reasons. The rules (docs/RULES.md, "Contract advisor"):
 *
 *   monthly amount   = monthlyFee × months (calendar months, partial months pro rata)
 *   break-fix amount = (billed minutes + estimated minutes) / 60 × hourlyRate, where billed
 *                      minutes are the booked ones after the client's rounding (each entry up to
 *                      the increment, at least the minimum per incident: billing-rules.ts — the
 *                      same figure the bill shows) and estimated minutes = estimateMinutes ×
 *                      alerts of a monthly client without booked time, each rounded the same way
 *   recommendation   no fee or no rate                          → undecided
 *                    break-fix ≥ monthly                        → monthly (cheaper or equal, predictable)
 *                    break-fix cheaper by ≤ 25 % and monitoring
 *                    showed its worth (a forecast preceded an
 *                    incident, ≥ 4 h downtime, ≥ 3 critical)    → monthly
 *                    otherwise                                  → break-fix
 */
import type { ContractType } from '../../shared/api-types.js';
import type { BillingReport, ContractAdvice, IncidentState, ProactiveAlert, Recommendation, RuleKind, Severity } from '../../shared/alert-types.js';
import { createTranslator, type Locale } from '../../shared/i18n/index.js';
import { billedIncidentMinutes, type RoundingRules } from './billing-rules.js';

/** The client terms the reports need. */
export interface ClientTerms {
  id: string;
  name: string;
  contract: ContractType;
  monthlyFee: number;
  hourlyRate: number;
  currency: string;
}

/** An alert or incident as the advisor sees it. */
export interface ConditionRecord {
  source: 'alert' | 'incident';
  id: string;
  /** 'manual' for incidents opened by hand (the client called). */
  origin: 'rule' | 'manual';
  ruleName: string;
  ruleKind: RuleKind | null;
  severity: Severity;
  deviceId: string | null;
  hostname: string | null;
  summary: string;
  openedAtMs: number;
  closedAtMs: number | null;
}

/** How long before an incident a forecast still counts as its early warning. */
export const FORECAST_LEAD_MS = 14 * 86_400_000;
/** Days with devices reporting before the advisor gives a verdict. */
export const MIN_OBSERVED_DAYS = 30;
/** Downtime that shows monitoring's worth, minutes. */
export const SIGNIFICANT_DOWNTIME_MIN = 240;

/** Rounds money to cents. */
export const roundMoney = (n: number): number => Math.round(n * 100) / 100;

/** Calendar months in [from, to] (inclusive dates, YYYY-MM-DD), partial months pro rata by day. */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  let months = 0;
  for (let y = fy, m = fm; y < ty || (y === ty && m <= tm); m === 12 ? (y++, (m = 1)) : m++) {
    const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const first = y === fy && m === fm ? fd : 1;
    const last = y === ty && m === tm ? td : daysInMonth;
    months += (last - first + 1) / daysInMonth;
  }
  return Math.round(months * 1000) / 1000;
}

/** GET /api/reports/billing: billed minutes × rate per incident and in total (rounding: billing-rules.ts). */
export function buildBillingReport(
  client: ClientTerms,
  month: string,
  rows: readonly { incidentId: string; title: string; state: IncidentState; openedAtMs: number; entryMinutes: readonly number[]; notes?: readonly string[] }[],
  rounding: RoundingRules = { incrementMin: 1, minimumMin: 0 },
): BillingReport {
  const incidents = rows.map((r) => {
    const minutes = r.entryMinutes.reduce((n, m) => n + m, 0);
    const billedMinutes = billedIncidentMinutes(r.entryMinutes, rounding);
    return {
      incidentId: r.incidentId,
      title: r.title,
      state: r.state,
      openedAtMs: r.openedAtMs,
      minutes,
      billedMinutes,
      hours: roundMoney(billedMinutes / 60),
      amount: roundMoney((billedMinutes / 60) * client.hourlyRate),
      notes: [...(r.notes ?? [])],
    };
  });
  const totalMinutes = incidents.reduce((n, r) => n + r.minutes, 0);
  const totalBilledMinutes = incidents.reduce((n, r) => n + r.billedMinutes, 0);
  return {
    clientId: client.id,
    clientName: client.name,
    contract: client.contract,
    month,
    currency: client.currency,
    hourlyRate: client.hourlyRate,
    incidents,
    rounding,
    totalMinutes,
    totalBilledMinutes,
    totalHours: roundMoney(totalBilledMinutes / 60),
    totalAmount: roundMoney((totalBilledMinutes / 60) * client.hourlyRate),
  };
}

/** Everything the advisor weighs. */
export interface AdvisorInput {
  client: ClientTerms;
  from: string;
  to: string;
  periodStartMs: number;
  periodEndMs: number;
  nowMs: number;
  /** Minutes booked on the client's incidents and alerts with a work date in the period. */
  bookedMinutes: number;
  /**
   * The booked minutes as billed: each entry rounded up to the client's increment, each incident
   * (or alert) at least the minimum charge. Defaults to bookedMinutes (no rounding).
   */
  billedMinutes?: number;
  /** The client's rounding, applied to each estimated alert as to an incident (default none). */
  rounding?: RoundingRules;
  /** Alerts with time booked on them: their effort is known, not estimated. */
  alertsWithBookedTime?: ReadonlySet<string>;
  /** Alerts and incidents that opened in the period (and offline ones overlapping it). */
  conditions: readonly ConditionRecord[];
  /** Minutes of work assumed per alert of a monthly client. */
  estimateMinutes: number;
  /** Days of the period with devices of the client reporting. */
  observedDays: number;
  /** Language of reasons and assumptions (default English). */
  locale?: Locale;
}

/** GET /api/reports/contract-advice */
export function adviseContract(input: AdvisorInput): ContractAdvice {
  const { client } = input;
  const t = createTranslator(input.locale ?? 'en');
  const money = (n: number) => t.money(roundMoney(n), client.currency);
  const inPeriod = input.conditions.filter((c) => c.openedAtMs >= input.periodStartMs && c.openedAtMs < input.periodEndMs);
  const problems = inPeriod.filter((c) => c.ruleKind !== 'forecast');

  const months = monthsBetween(input.from, input.to);
  const monthlyAmount = roundMoney(client.monthlyFee * months);
  const estimatedCount = inPeriod.filter(
    (c) => c.source === 'alert' && c.ruleKind !== 'forecast' && c.severity !== 'info' && !input.alertsWithBookedTime?.has(c.id),
  ).length;
  const estimatedMinutes = estimatedCount * input.estimateMinutes;
  const rounding = input.rounding ?? { incrementMin: 1, minimumMin: 0 };
  const billedMinutes = input.billedMinutes ?? input.bookedMinutes;
  // An estimated alert would have been an incident under break-fix: billed with the same rounding.
  const estimatedBilled = (perAlert: number) => estimatedCount * billedIncidentMinutes([perAlert], rounding);
  const amountOf = (minutes: number) => roundMoney((minutes / 60) * client.hourlyRate);
  const breakFixAmount = amountOf(billedMinutes + estimatedBilled(input.estimateMinutes));
  const range =
    estimatedMinutes > 0
      ? {
          low: amountOf(billedMinutes + estimatedBilled(input.estimateMinutes / 2)),
          high: amountOf(billedMinutes + estimatedBilled(input.estimateMinutes * 2)),
        }
      : null;

  const bySeverity: Record<Severity, number> = { info: 0, warning: 0, critical: 0 };
  for (const c of problems) bySeverity[c.severity]++;

  const periodEnd = Math.min(input.periodEndMs, input.nowMs);
  let downtimeMs = 0;
  let downtimeEvents = 0;
  for (const c of input.conditions) {
    if (c.ruleKind !== 'offline') continue;
    const overlap = Math.min(c.closedAtMs ?? input.nowMs, periodEnd) - Math.max(c.openedAtMs, input.periodStartMs);
    if (overlap > 0) {
      downtimeMs += overlap;
      downtimeEvents++;
    }
  }
  const downtimeMinutes = Math.round(downtimeMs / 60_000);

  const proactiveAlerts: ProactiveAlert[] = inPeriod
    .filter((c) => c.origin === 'rule' && c.severity !== 'info' && c.ruleKind !== null)
    .sort((a, b) => a.openedAtMs - b.openedAtMs)
    .map((c) => ({
      source: c.source,
      id: c.id,
      ruleName: c.ruleName,
      ruleKind: c.ruleKind!,
      severity: c.severity,
      deviceId: c.deviceId,
      hostname: c.hostname,
      summary: c.summary,
      openedAtMs: c.openedAtMs,
      closedAtMs: c.closedAtMs,
      precededIncidentIds:
        c.ruleKind === 'forecast' && c.deviceId !== null
          ? problems.filter((p) => p.deviceId === c.deviceId && p.openedAtMs > c.openedAtMs && p.openedAtMs - c.openedAtMs <= FORECAST_LEAD_MS).map((p) => p.id)
          : [],
    }));
  const forecastsPrecedingIncidents = proactiveAlerts.filter((a) => a.precededIncidentIds.length > 0).length;

  const reasons: string[] = [];
  const assumptions: string[] = [
    t('advisor.assumptionMonths', { months: t.number(months, 3), monthCount: months, from: input.from, to: input.to, fee: money(client.monthlyFee) }),
    t('advisor.assumptionRate', { rate: money(client.hourlyRate) }),
  ];
  if (rounding.incrementMin > 1 || rounding.minimumMin > 0)
    assumptions.push(t('advisor.assumptionRounding', { increment: rounding.incrementMin, minimum: rounding.minimumMin }));
  if (estimatedCount > 0) assumptions.push(t('advisor.assumptionEstimate', { count: estimatedCount, minutes: input.estimateMinutes }));
  const signals: string[] = [];
  if (forecastsPrecedingIncidents > 0) signals.push(t('advisor.forecastsBeforeIncidents', { count: forecastsPrecedingIncidents }));
  if (downtimeMinutes >= SIGNIFICANT_DOWNTIME_MIN)
    signals.push(t('advisor.downtime', { duration: t.duration(downtimeMinutes * 60_000), count: downtimeEvents }));
  if (bySeverity.critical >= 3) signals.push(t('advisor.criticalProblems', { count: bySeverity.critical }));
  const amounts = { breakFix: money(breakFixAmount), monthly: money(monthlyAmount), difference: money(Math.abs(breakFixAmount - monthlyAmount)) };

  let recommendation: Recommendation;
  if (client.monthlyFee <= 0 || client.hourlyRate <= 0) {
    recommendation = 'undecided';
    reasons.push(t(client.monthlyFee <= 0 ? 'advisor.noFee' : 'advisor.noRate'));
  } else if (input.observedDays < MIN_OBSERVED_DAYS) {
    recommendation = 'insufficient-data';
    reasons.push(t('advisor.insufficientData', { days: Math.floor(input.observedDays), minDays: MIN_OBSERVED_DAYS }));
  } else if (breakFixAmount >= monthlyAmount) {
    recommendation = 'monthly';
    reasons.push(t('advisor.breakFixMore', amounts));
    reasons.push(...signals);
  } else if (signals.length > 0 && monthlyAmount - breakFixAmount <= 0.25 * monthlyAmount) {
    recommendation = 'monthly';
    reasons.push(t('advisor.breakFixSlightlyLess', amounts));
    reasons.push(...signals);
  } else {
    recommendation = 'break-fix';
    reasons.push(t('advisor.breakFixLess', amounts));
    if (signals.length > 0) reasons.push(t('advisor.butNote', { signals: signals.join('; ') }));
  }
  if (range && recommendation !== 'undecided' && recommendation !== 'insufficient-data')
    reasons.push(t('advisor.breakFixRange', { low: money(range.low), high: money(range.high) }));
  reasons.push(
    t('advisor.problemsSummary', {
      count: problems.length,
      critical: bySeverity.critical,
      warning: bySeverity.warning,
      proactive: proactiveAlerts.length,
      isMonthly: client.contract === 'monthly' ? 'yes' : 'no',
    }),
  );

  // Break-fix pays the billed time: the same rounding as the bill, so the report shows one amount.
  const paid = client.contract === 'monthly' ? monthlyAmount : amountOf(billedMinutes);
  return {
    clientId: client.id,
    clientName: client.name,
    contract: client.contract,
    currency: client.currency,
    from: input.from,
    to: input.to,
    months,
    monthly: { fee: client.monthlyFee, amount: monthlyAmount },
    breakFix: { hourlyRate: client.hourlyRate, bookedMinutes: input.bookedMinutes, billedMinutes, estimatedMinutes, amount: breakFixAmount, range },
    observedDays: Math.floor(input.observedDays),
    paid,
    alternative: client.contract === 'monthly' ? breakFixAmount : monthlyAmount,
    incidents: { count: problems.length, bySeverity },
    downtime: { events: downtimeEvents, minutes: downtimeMinutes },
    proactiveAlerts,
    forecastsPrecedingIncidents,
    recommendation,
    reasons,
    assumptions,
  };
}
