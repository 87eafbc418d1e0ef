/**
 * Billing and the contract advisor, pure: from a client's terms, its alerts/incidents and the
 * time booked in a period, compute what each contract model costs, what monitoring caught, and a
 * recommendation with its reasons. The rules (docs/RULES.md, "Contract advisor"):
 *
 *   monthly amount   = monthlyFee × months (calendar months, partial months pro rata)
 *   break-fix amount = (booked minutes + estimated minutes) / 60 × hourlyRate, where estimated
 *                      minutes = estimateMinutes × alerts of a monthly client (they book no time)
 *   recommendation   no fee or no rate                          → undecided
 *                    break-fix ≥ monthly                        → monthly (cheaper or equal, predictable)
 *                    break-fix cheaper by ≤ 25 % and monitoring
 *                    showed its worth (a forecast preceded an
 *                    incident, ≥ 4 h downtime, ≥ 3 critical)    → monthly
 *                    otherwise                                  → break-fix
 */
import type { ContractType } from '../../shared/api-types.js';
import type { BillingReport, ContractAdvice, IncidentState, ProactiveAlert, Recommendation, RuleKind, Severity } from '../../shared/alert-types.js';
import { formatDuration } from '../alerting/policy/policy.js';

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

/** GET /api/reports/billing: minutes × rate per incident and in total. */
export function buildBillingReport(
  client: ClientTerms,
  month: string,
  rows: readonly { incidentId: string; title: string; state: IncidentState; openedAtMs: number; minutes: number }[],
): BillingReport {
  const incidents = rows.map((r) => ({ ...r, hours: roundMoney(r.minutes / 60), amount: roundMoney((r.minutes / 60) * client.hourlyRate) }));
  const totalMinutes = rows.reduce((n, r) => n + r.minutes, 0);
  return {
    clientId: client.id,
    clientName: client.name,
    contract: client.contract,
    month,
    currency: client.currency,
    hourlyRate: client.hourlyRate,
    incidents,
    totalMinutes,
    totalHours: roundMoney(totalMinutes / 60),
    totalAmount: roundMoney((totalMinutes / 60) * client.hourlyRate),
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
  /** Minutes booked on the client's incidents with a work date in the period. */
  bookedMinutes: number;
  /** Alerts and incidents that opened in the period (and offline ones overlapping it). */
  conditions: readonly ConditionRecord[];
  /** Minutes of work assumed per alert of a monthly client. */
  estimateMinutes: number;
}

/** GET /api/reports/contract-advice */
export function adviseContract(input: AdvisorInput): ContractAdvice {
  const { client } = input;
  const money = (n: number) => `${client.currency} ${roundMoney(n).toFixed(2)}`;
  const inPeriod = input.conditions.filter((c) => c.openedAtMs >= input.periodStartMs && c.openedAtMs < input.periodEndMs);
  const problems = inPeriod.filter((c) => c.ruleKind !== 'forecast');

  const months = monthsBetween(input.from, input.to);
  const monthlyAmount = roundMoney(client.monthlyFee * months);
  const estimatedCount = inPeriod.filter((c) => c.source === 'alert' && c.ruleKind !== 'forecast' && c.severity !== 'info').length;
  const estimatedMinutes = estimatedCount * input.estimateMinutes;
  const breakFixAmount = roundMoney(((input.bookedMinutes + estimatedMinutes) / 60) * client.hourlyRate);

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
    `${months} month(s) from ${input.from} to ${input.to}; monthly amount = ${money(client.monthlyFee)} × ${months}`,
    `break-fix amount = booked time × ${money(client.hourlyRate)} per hour`,
  ];
  if (estimatedCount > 0) {
    assumptions.push(`${estimatedCount} alert(s) without booked time counted as ${input.estimateMinutes} min of work each (query estimateMinutes)`);
  }
  const signals: string[] = [];
  if (forecastsPrecedingIncidents > 0) signals.push(`${forecastsPrecedingIncidents} disk-full forecast(s) came before a later incident on the same device`);
  if (downtimeMinutes >= SIGNIFICANT_DOWNTIME_MIN) signals.push(`devices were offline for ${formatDuration(downtimeMinutes * 60_000)} in ${downtimeEvents} event(s)`);
  if (bySeverity.critical >= 3) signals.push(`${bySeverity.critical} critical problems occurred`);

  let recommendation: Recommendation;
  if (client.monthlyFee <= 0 || client.hourlyRate <= 0) {
    recommendation = 'undecided';
    reasons.push(client.monthlyFee <= 0 ? 'no monthly fee is set for this client; set monthlyFee to compare' : 'no hourly rate is set for this client; set hourlyRate to compare');
  } else if (breakFixAmount >= monthlyAmount) {
    recommendation = 'monthly';
    reasons.push(`break-fix would cost ${money(breakFixAmount)}, ${money(breakFixAmount - monthlyAmount)} more than the monthly fee total of ${money(monthlyAmount)}`);
    reasons.push(...signals);
  } else if (signals.length > 0 && monthlyAmount - breakFixAmount <= 0.25 * monthlyAmount) {
    recommendation = 'monthly';
    reasons.push(`break-fix would cost ${money(breakFixAmount)}, only ${money(monthlyAmount - breakFixAmount)} less than the monthly fee total of ${money(monthlyAmount)}`);
    reasons.push(...signals);
  } else {
    recommendation = 'break-fix';
    reasons.push(`break-fix would cost ${money(breakFixAmount)}, ${money(monthlyAmount - breakFixAmount)} less than the monthly fee total of ${money(monthlyAmount)}`);
    if (signals.length > 0) reasons.push(`but note: ${signals.join('; ')}`);
  }
  reasons.push(`${problems.length} problem(s) in the period (${bySeverity.critical} critical, ${bySeverity.warning} warning), ${proactiveAlerts.length} proactive alert(s) ${client.contract === 'monthly' ? 'raised' : 'a monthly contract would have raised'}`);

  const paid = client.contract === 'monthly' ? monthlyAmount : roundMoney((input.bookedMinutes / 60) * client.hourlyRate);
  return {
    clientId: client.id,
    clientName: client.name,
    contract: client.contract,
    currency: client.currency,
    from: input.from,
    to: input.to,
    months,
    monthly: { fee: client.monthlyFee, amount: monthlyAmount },
    breakFix: { hourlyRate: client.hourlyRate, bookedMinutes: input.bookedMinutes, estimatedMinutes, amount: breakFixAmount },
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
