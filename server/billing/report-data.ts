/**
 * Gathers one client's report — a calendar month, or any period of whole days — from the stores
 * and hands it to the pure builder (client-report.ts); renders it to HTML (report-html.ts) and PDF
 * (report-pdf.ts). Periods are local calendar dates in the client's time zone.
 */
import { createHash } from 'node:crypto';
import type { Locale } from '../../shared/i18n/index.js';
import type { AlertStore } from '../store/alerts.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { IncidentStore } from '../store/incidents.js';
import type { ClientReportStore } from '../store/client-reports.js';
import type { JobStore } from '../store/jobs.js';
import type { InventoryStore } from '../store/inventory.js';
import { HttpError } from '../lib/errors.js';
import { parseLocalDate, zonedTimeToMs } from '../time/zones.js';
import type { Reports } from './reports.js';
import { buildClientReport, type ClientReport, type ReportCondition, type ReportDevice } from './client-report.js';
import { renderReportHtml, type ReportBranding } from './report-html.js';
import { renderPdf } from './report-pdf.js';

const MAX_ROWS = 100_000;

export interface ClientReportDeps {
  clients: ClientStore;
  devices: DeviceStore;
  alerts: AlertStore;
  incidents: IncidentStore;
  clientReports: ClientReportStore;
  reports: Reports;
  /** Finished maintenance jobs (and the last update scan's counts); without it the report says maintenance is not recorded. */
  jobs?: Pick<JobStore, 'finishedOfClient' | 'compliance'>;
  /** The agents' latest inventory: its updates section counts pending security updates where the platform tells. */
  inventory?: Pick<InventoryStore, 'get'>;
  now: () => number;
  branding: () => ReportBranding;
  chromiumPath?: string;
}

/**
 * What a report covers: a calendar month (YYYY-MM), or the local days from `from` up to, not
 * including, `to` (YYYY-MM-DD each; the route checks from < to and at most MAX_PERIOD_DAYS).
 */
export type ReportPeriod = string | { from: string; to: string };

/** Longest free period a report covers, days. */
export const MAX_PERIOD_DAYS = 366;

/** The calendar date `days` after a YYYY-MM-DD date (negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The period as local dates: first day, first day after it (exclusive), last day (inclusive), and the month when it is one. */
export function periodDates(period: ReportPeriod): { month: string | null; from: string; toExclusive: string; toInclusive: string } {
  if (typeof period === 'string') {
    const [y, m] = period.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    return { month: period, from: `${period}-01`, toExclusive: next, toInclusive: lastDayOf(period) };
  }
  return { month: null, from: period.from, toExclusive: period.to, toInclusive: addDays(period.to, -1) };
}

/** The last calendar day of a month YYYY-MM, as YYYY-MM-DD. */
export function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** Builds the report service. */
export function createClientReports(deps: ClientReportDeps) {
  /**
   * Pending updates of a device and how many are for security: from whichever is newer, the last
   * update scan (a maintenance job) or the agent's inventory; the pending count alone from the
   * updates.pendingCount series when neither says.
   */
  function pendingUpdatesOf(
    deviceId: string,
    latest: Record<string, number>,
    scan: { last_scan_at_ms: number | null; scan_pending: number | null; scan_security: number | null } | undefined,
  ): ReportDevice['updates'] {
    const candidates: { atMs: number; pending: number; security: number | null }[] = [];
    if (scan?.last_scan_at_ms != null && scan.scan_pending !== null)
      candidates.push({ atMs: scan.last_scan_at_ms, pending: scan.scan_pending, security: scan.scan_security });
    const inv = deps.inventory?.get(deviceId).updates;
    if (inv) candidates.push({ atMs: inv.tsMs, pending: inv.data.pendingCount, security: inv.data.securityCount ?? null });
    const newest = candidates.sort((a, b) => b.atMs - a.atMs)[0];
    if (newest) return { pending: newest.pending, security: newest.security };
    const pending = latest['updates.pendingCount'];
    return pending === undefined ? undefined : { pending, security: null };
  }

  function build(clientId: string, period: ReportPeriod, locale: Locale): ClientReport {
    const client = deps.clients.findById(clientId);
    if (!client) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
    const { month, from, toExclusive, toInclusive: to } = periodDates(period);
    const start = parseLocalDate(from)!;
    const end = parseLocalDate(toExclusive)!;
    const periodStartMs = zonedTimeToMs(start.year, start.month, start.day, 0, client.timezone);
    const periodEndMs = zonedTimeToMs(end.year, end.month, end.day, 0, client.timezone);
    // Every condition overlapping the period: opened before its end and not closed before its
    // start — an outage that began months ago and is still open counts in full.
    const window = { clientId: client.id, toMs: periodEndMs, overlapsFromMs: periodStartMs, limit: MAX_ROWS };
    const alertMinutes = deps.clientReports.alertMinutes(client.id, from, to);
    const incidentMinutes = new Map(deps.incidents.minutesByIncident(client.id, from, to).map((r) => [r.incidentId, r.minutes]));
    // What was done: the notes of the time booked in the period, per alert and per incident.
    const notesOf = new Map<string, string[]>();
    const addNote = (key: string, note: string | null) => {
      if (note) notesOf.set(key, [...(notesOf.get(key) ?? []), note]);
    };
    for (const e of deps.clientReports.alertEntries(client.id, from, to)) addNote(`alert:${e.alertId}`, e.note);
    for (const e of deps.clientReports.incidentEntries(client.id, from, to)) addNote(`incident:${e.incidentId}`, e.note);
    const alerts = deps.alerts.list(window);
    const incidents = deps.incidents.list(window);
    // Time booked in the period on a condition that closed before it still counts as the period's effort.
    const alertIds = new Set(alerts.map((a) => a.id));
    const incidentIds = new Set(incidents.map((i) => i.id));
    for (const id of alertMinutes.keys()) {
      const a = alertIds.has(id) ? undefined : deps.alerts.findById(id);
      if (a) alerts.push(a);
    }
    for (const id of incidentMinutes.keys()) {
      const i = incidentIds.has(id) ? undefined : deps.incidents.findById(id);
      if (i) incidents.push(i);
    }
    const conditions: ReportCondition[] = [
      ...alerts.map((a): ReportCondition => ({
        source: 'alert',
        id: a.id,
        deviceId: a.deviceId,
        hostname: a.hostname,
        ruleKind: a.ruleKind,
        ruleId: a.ruleId,
        severity: a.severity,
        summary: a.summary,
        metric: a.metric,
        labels: a.labels,
        value: a.value,
        openedAtMs: a.openedAtMs,
        acknowledgedAtMs: a.acknowledgedAtMs,
        closedAtMs: a.resolvedAtMs,
        bookedMinutes: alertMinutes.get(a.id) ?? 0,
        notes: notesOf.get(`alert:${a.id}`) ?? [],
      })),
      ...incidents.map((i): ReportCondition => ({
        source: 'incident',
        id: i.id,
        deviceId: i.deviceId,
        hostname: i.hostname,
        ruleKind: i.ruleKind,
        ruleId: i.ruleId,
        severity: i.severity,
        summary: i.title,
        metric: null,
        labels: i.labels,
        value: i.value,
        openedAtMs: i.openedAtMs,
        acknowledgedAtMs: null,
        closedAtMs: i.closedAtMs,
        bookedMinutes: incidentMinutes.get(i.id) ?? 0,
        notes: notesOf.get(`incident:${i.id}`) ?? [],
      })),
    ];
    const lastScans = new Map((deps.jobs?.compliance(client.id, deps.now()) ?? []).map((r) => [r.device_id, r]));
    const devices = deps.devices
      .idsOfClient(client.id)
      .map((id) => deps.devices.findById(id)!)
      .map((d) => ({
        id: d.id,
        hostname: d.hostname,
        enrolledAtMs: d.enrolledAtMs,
        lastSeenMs: d.lastSeenMs,
        isDisabled: d.isDisabled,
        latest: d.latest,
        facts: d.facts,
        probeDeviceId: d.probeDeviceId,
        updates: pendingUpdatesOf(d.id, d.latest, lastScans.get(d.id)),
      }));
    const billing = deps.reports.billingBetween(client.id, from, to);
    return buildClientReport({
      client,
      month,
      from,
      to: toExclusive,
      periodStartMs,
      periodEndMs,
      nowMs: deps.now(),
      devices,
      conditions,
      ...(deps.jobs ? { maintenance: deps.jobs.finishedOfClient(client.id, periodStartMs, periodEndMs) } : {}),
      billedAmount: client.contract === 'break-fix' ? billing.totalAmount : 0,
      advice: deps.reports.contractAdvice(client.id, from, to, 60, locale),
    });
  }

  return {
    /** The report's figures. */
    build,
    /** The report as a printable HTML page. */
    html(clientId: string, period: ReportPeriod, locale: Locale): string {
      return renderReportHtml(build(clientId, period, locale), locale, deps.branding());
    },
    /** The report as a PDF, with its hash. */
    async pdf(clientId: string, period: ReportPeriod, locale: Locale): Promise<{ pdf: Buffer; sha256: string; report: ClientReport }> {
      const report = build(clientId, period, locale);
      const pdf = await renderPdf(renderReportHtml(report, locale, deps.branding()), { chromiumPath: deps.chromiumPath });
      return { pdf, sha256: createHash('sha256').update(pdf).digest('hex'), report };
    },
  };
}
export type ClientReports = ReturnType<typeof createClientReports>;
