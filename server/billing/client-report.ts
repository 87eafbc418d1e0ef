/**
 * The monthly client report, pure: from what the stores hold about one client and one period,
 * compute the figures a client reads — availability per device and overall (SLA %), problems and
 * how they were handled (time to acknowledge, time to resolve, booked time and its cost), what is
 * coming (disks predicted full, pending updates, devices not seen for a week) and the contract
 * comparison. No database, no clock, no I/O; report-data.ts gathers the input, report-html.ts
 * renders it in the client's language.
 *
 * Availability of a device = 1 − (offline time ∩ observed time) / observed time, where observed
 * time is the part of the period after the device was enrolled and before now. Overall
 * availability weighs devices by their observed time. Offline time comes from the offline
 * conditions (alerts for monthly clients, incidents for break-fix) overlapping the period.
 * A probed device (printer, UPS, website) has no offline rule: its down time is its default
 * "check failing" condition, and while its probe was offline its state was unknown — that time
 * is neither down nor observed.
 */
import { ageingNotes, type AgeingNote } from './ageing.js';
import { forecastTimeToFullMs } from './problem-text.js';
import type { ContractAdvice } from '../../shared/alert-types.js';

/** A device as the report sees it. */
export interface ReportDevice {
  id: string;
  hostname: string;
  enrolledAtMs: number;
  lastSeenMs: number | null;
  isDisabled: boolean;
  /** Latest value per series key (updates.pendingCount, fs.usedPct{mount=…}). */
  latest: Record<string, number>;
  /** Facts the agent reported (distro, release, biosDate …), for ageing machines. */
  facts?: Readonly<Record<string, string | number>>;
  /** Site probe: the agent device that checks this probed device (printer, UPS, website …). */
  probeDeviceId?: string | null;
  /**
   * Pending updates as the last scan or inventory counted them, with how many are for security
   * (null where the platform does not tell); without it, updates.pendingCount of `latest`.
   */
  updates?: { pending: number; security: number | null };
}

/** An alert or incident of the client, with how it was handled. */
export interface ReportCondition {
  source: 'alert' | 'incident';
  id: string;
  deviceId: string | null;
  hostname: string | null;
  ruleKind: string | null;
  /** The rule that opened it (`default-check-failing` is a probed device's down time). */
  ruleId?: string | null;
  severity: 'info' | 'warning' | 'critical';
  summary: string;
  /** The rule's metric, the labels and the value that opened it: the report words it in the client's language. */
  metric?: string | null;
  labels?: Readonly<Record<string, string>>;
  value?: number | null;
  openedAtMs: number;
  acknowledgedAtMs: number | null;
  closedAtMs: number | null;
  /** Minutes booked on it with a work date in the period. */
  bookedMinutes: number;
  /** The notes of those time entries (what was done), in booking order. */
  notes?: readonly string[];
}

export interface ClientReportInput {
  client: { id: string; name: string; contract: 'monthly' | 'break-fix'; currency: string; hourlyRate: number; monthlyFee: number; timezone: string };
  /** The month, YYYY-MM, or null for a free period (rendered from its start and end instead). */
  month: string | null;
  /** The period as local dates in the client's time zone: first day, and the day after the last. */
  from: string;
  to: string;
  periodStartMs: number;
  periodEndMs: number;
  nowMs: number;
  devices: readonly ReportDevice[];
  /** Conditions opened in the period, plus offline ones that overlap it. */
  conditions: readonly ReportCondition[];
  /** Billed amount of the period's booked time (after the client's rounding), in currency units. */
  billedAmount: number;
  advice: ContractAdvice;
  /** Maintenance jobs that finished in the period, when the maintenance work exists. */
  maintenance?: readonly { task: string; deviceId: string; hostname: string; isSuccess: boolean; finishedAtMs: number; updatesInstalled?: number }[];
}

export interface DeviceAvailability {
  deviceId: string;
  hostname: string;
  observedMs: number;
  downMs: number;
  /** null when the device was not observed in the period. */
  availabilityPct: number | null;
  outages: number;
}

export interface ClientReport {
  clientId: string;
  clientName: string;
  contract: 'monthly' | 'break-fix';
  currency: string;
  timezone: string;
  /** YYYY-MM for a calendar month; null for a free period. */
  month: string | null;
  /** First local day of the period and the day after its last (YYYY-MM-DD, inclusive-exclusive). */
  from: string;
  to: string;
  periodStartMs: number;
  periodEndMs: number;
  generatedAtMs: number;
  /** False when no device was observed in the period: the report says so instead of figures. */
  hasData: boolean;
  availability: { overallPct: number | null; devices: DeviceAvailability[] };
  problems: {
    total: number;
    critical: number;
    warning: number;
    alerts: number;
    incidents: number;
    acknowledged: number;
    /** Mean time to acknowledge (alerts that were acknowledged), ms. */
    mttaMs: number | null;
    /** Mean time to resolve (conditions closed in or after the period), ms. */
    mttrMs: number | null;
    bookedMinutes: number;
    billedAmount: number;
    list: ReportCondition[];
  };
  maintenance: { jobs: number; succeeded: number; failed: number; updatesInstalled: number; byTask: { task: string; count: number }[] } | null;
  coming: {
    /** Open disk-full forecasts; `timeToFullMs` is what the forecast gave the disk when it opened (null: not known). */
    diskForecasts: { hostname: string; summary: string; openedAtMs: number; mount: string | null; timeToFullMs: number | null }[];
    /** Devices with updates waiting; `security` of them are security updates (null: not known). */
    pendingUpdates: { hostname: string; count: number; security: number | null }[];
    notSeenForAWeek: { hostname: string; lastSeenMs: number | null }[];
    /** Operating systems past or near their end of security updates; hardware of 5 years and more. */
    ageing: AgeingNote[];
  };
  advice: ContractAdvice;
}

const WEEK_MS = 7 * 86_400_000;

/** Length of the union of [start, end) intervals, clipped to [from, to). */
export function coveredMs(intervals: readonly (readonly [number, number])[], from: number, to: number): number {
  const clipped = intervals
    .map(([s, e]) => [Math.max(s, from), Math.min(e, to)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const [s, e] of clipped) {
    if (s > curE) {
      if (curE > curS) total += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) curE = e;
  }
  if (curE > curS) total += curE - curS;
  return total;
}

/** The default rule a probed device's failing check opens (server/alerting/policy/defaults.ts). */
const CHECK_FAILING_RULE = 'default-check-failing';

/** The parts of the [start, end) intervals `from` outside every interval of `minus`. */
function subtractIntervals(from: readonly (readonly [number, number])[], minus: readonly (readonly [number, number])[]): [number, number][] {
  let parts = from.map(([s, e]) => [s, e] as [number, number]);
  for (const [ms, me] of minus) {
    parts = parts.flatMap(([s, e]): [number, number][] =>
      me <= s || ms >= e
        ? [[s, e]]
        : (
            [
              [s, ms],
              [me, e],
            ] as [number, number][]
          ).filter(([a, b]) => b > a),
    );
  }
  return parts;
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Builds the report figures. */
export function buildClientReport(input: ClientReportInput): ClientReport {
  const { periodStartMs, periodEndMs, nowMs } = input;
  const observedEnd = Math.min(periodEndMs, nowMs);
  const offlineByDevice = new Map<string, [number, number][]>();
  const checkFailingByDevice = new Map<string, [number, number][]>();
  for (const c of input.conditions) {
    if (c.deviceId === null) continue;
    const byDevice = c.ruleKind === 'offline' ? offlineByDevice : c.ruleId === CHECK_FAILING_RULE ? checkFailingByDevice : undefined;
    if (!byDevice) continue;
    const list = byDevice.get(c.deviceId) ?? [];
    list.push([c.openedAtMs, c.closedAtMs ?? nowMs]);
    byDevice.set(c.deviceId, list);
  }

  const devices: DeviceAvailability[] = input.devices
    .map((d) => {
      const from = Math.max(periodStartMs, d.enrolledAtMs);
      const isProbed = d.probeDeviceId !== undefined && d.probeDeviceId !== null;
      // A probed device: down while a check fails, unknown (not observed) while its probe was offline.
      const unknown = isProbed ? (offlineByDevice.get(d.probeDeviceId!) ?? []) : [];
      const failing = isProbed ? subtractIntervals(checkFailingByDevice.get(d.id) ?? [], unknown) : [];
      const observedMs = Math.max(0, observedEnd - from - (unknown.length > 0 ? coveredMs(unknown, from, observedEnd) : 0));
      const intervals = [...(offlineByDevice.get(d.id) ?? []), ...failing];
      const downMs = observedMs > 0 ? Math.min(observedMs, coveredMs(intervals, from, observedEnd)) : 0;
      const outages = intervals.filter(([s, e]) => e > from && s < observedEnd).length;
      return {
        deviceId: d.id,
        hostname: d.hostname,
        observedMs,
        downMs,
        outages,
        availabilityPct: observedMs > 0 ? round2(100 * (1 - downMs / observedMs)) : null,
      };
    })
    .sort((a, b) => (a.availabilityPct ?? 101) - (b.availabilityPct ?? 101) || a.hostname.localeCompare(b.hostname));
  const observedTotal = devices.reduce((n, d) => n + d.observedMs, 0);
  const downTotal = devices.reduce((n, d) => n + d.downMs, 0);

  const inPeriod = input.conditions.filter((c) => c.openedAtMs >= periodStartMs && c.openedAtMs < periodEndMs);
  const problems = inPeriod.filter((c) => c.ruleKind !== 'forecast' && c.severity !== 'info');
  const acked = inPeriod.filter((c) => c.source === 'alert' && c.acknowledgedAtMs !== null);
  const closed = problems.filter((c) => c.closedAtMs !== null);
  const bookedMinutes = input.conditions.reduce((n, c) => n + c.bookedMinutes, 0);

  const maintenance = input.maintenance
    ? (() => {
        const byTask = new Map<string, number>();
        for (const j of input.maintenance!) byTask.set(j.task, (byTask.get(j.task) ?? 0) + 1);
        return {
          jobs: input.maintenance!.length,
          succeeded: input.maintenance!.filter((j) => j.isSuccess).length,
          failed: input.maintenance!.filter((j) => !j.isSuccess).length,
          updatesInstalled: input.maintenance!.reduce((n, j) => n + (j.isSuccess ? (j.updatesInstalled ?? 0) : 0), 0),
          byTask: [...byTask].map(([task, count]) => ({ task, count })).sort((a, b) => b.count - a.count || a.task.localeCompare(b.task)),
        };
      })()
    : null;

  const hostnameOf = new Map(input.devices.map((d) => [d.id, d.hostname]));
  const openForecasts = input.conditions.filter((c) => c.ruleKind === 'forecast' && (c.closedAtMs === null || c.closedAtMs > nowMs));
  return {
    clientId: input.client.id,
    clientName: input.client.name,
    contract: input.client.contract,
    currency: input.client.currency,
    timezone: input.client.timezone,
    month: input.month,
    from: input.from,
    to: input.to,
    periodStartMs,
    periodEndMs,
    generatedAtMs: nowMs,
    hasData: observedTotal > 0,
    availability: { overallPct: observedTotal > 0 ? round2(100 * (1 - downTotal / observedTotal)) : null, devices },
    problems: {
      total: problems.length,
      critical: problems.filter((c) => c.severity === 'critical').length,
      warning: problems.filter((c) => c.severity === 'warning').length,
      alerts: problems.filter((c) => c.source === 'alert').length,
      incidents: problems.filter((c) => c.source === 'incident').length,
      acknowledged: acked.length,
      mttaMs: mean(acked.map((c) => c.acknowledgedAtMs! - c.openedAtMs)),
      mttrMs: mean(closed.map((c) => c.closedAtMs! - c.openedAtMs)),
      bookedMinutes,
      billedAmount: input.billedAmount,
      list: [...problems].sort((a, b) => a.openedAtMs - b.openedAtMs),
    },
    maintenance,
    coming: {
      diskForecasts: openForecasts.map((c) => ({
        hostname: c.hostname ?? (c.deviceId ? (hostnameOf.get(c.deviceId) ?? '') : ''),
        summary: c.summary,
        openedAtMs: c.openedAtMs,
        mount: c.labels?.mount ?? null,
        timeToFullMs: forecastTimeToFullMs(c.summary),
      })),
      pendingUpdates: input.devices
        .filter((d) => !d.isDisabled)
        .map((d) => {
          const u = d.updates ?? { pending: d.latest['updates.pendingCount'] ?? 0, security: null };
          // A count of security updates above the pending one (two sources) is still all pending.
          return { hostname: d.hostname, count: Math.max(u.pending, u.security ?? 0), security: u.security };
        })
        .filter((u) => u.count > 0)
        .sort((a, b) => (b.security ?? 0) - (a.security ?? 0) || b.count - a.count || a.hostname.localeCompare(b.hostname)),
      notSeenForAWeek: input.devices
        .filter((d) => !d.isDisabled && (d.lastSeenMs === null || nowMs - d.lastSeenMs > WEEK_MS))
        .map((d) => ({ hostname: d.hostname, lastSeenMs: d.lastSeenMs })),
      ageing: ageingNotes(
        input.devices.map((d) => ({ hostname: d.hostname, isDisabled: d.isDisabled, facts: d.facts ?? {} })),
        periodEndMs,
      ),
    },
    advice: input.advice,
  };
}
