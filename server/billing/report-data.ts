/**
 * Gathers one client's monthly report from the stores and hands it to the pure builder
 * (client-report.ts); renders it to HTML (report-html.ts) and PDF (report-pdf.ts).
 */
import { createHash } from 'node:crypto';
import type { Locale } from '../../shared/i18n/index.js';
import type { AlertStore } from '../store/alerts.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { IncidentStore } from '../store/incidents.js';
import type { ClientReportStore } from '../store/client-reports.js';
import type { JobStore } from '../store/jobs.js';
import { HttpError } from '../lib/errors.js';
import { zonedTimeToMs } from '../time/zones.js';
import type { Reports } from './reports.js';
import { buildClientReport, type ClientReport, type ReportCondition } from './client-report.js';
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
  /** Finished maintenance jobs; without it the report says maintenance is not recorded. */
  jobs?: Pick<JobStore, 'finishedOfClient'>;
  now: () => number;
  branding: () => ReportBranding;
  chromiumPath?: string;
}

/** The last calendar day of a month YYYY-MM, as YYYY-MM-DD. */
export function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** Builds the report service. */
export function createClientReports(deps: ClientReportDeps) {
  function build(clientId: string, month: string, locale: Locale): ClientReport {
    const client = deps.clients.findById(clientId);
    if (!client) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const periodStartMs = zonedTimeToMs(y, m, 1, 0, client.timezone);
    const periodEndMs = zonedTimeToMs(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1, 0, client.timezone);
    const from = `${month}-01`;
    const to = lastDayOf(month);
    // Every condition overlapping the period: opened before its end and not closed before its
    // start — an outage that began months ago and is still open counts in full.
    const window = { clientId: client.id, toMs: periodEndMs, overlapsFromMs: periodStartMs, limit: MAX_ROWS };
    const alertMinutes = deps.clientReports.alertMinutes(client.id, from, to);
    const incidentMinutes = new Map(deps.incidents.minutesByIncident(client.id, from, to).map((r) => [r.incidentId, r.minutes]));
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
        severity: a.severity,
        summary: a.summary,
        metric: a.metric,
        labels: a.labels,
        value: a.value,
        openedAtMs: a.openedAtMs,
        acknowledgedAtMs: a.acknowledgedAtMs,
        closedAtMs: a.resolvedAtMs,
        bookedMinutes: alertMinutes.get(a.id) ?? 0,
      })),
      ...incidents.map((i): ReportCondition => ({
        source: 'incident',
        id: i.id,
        deviceId: i.deviceId,
        hostname: i.hostname,
        ruleKind: i.ruleKind,
        severity: i.severity,
        summary: i.title,
        metric: null,
        labels: i.labels,
        value: i.value,
        openedAtMs: i.openedAtMs,
        acknowledgedAtMs: null,
        closedAtMs: i.closedAtMs,
        bookedMinutes: incidentMinutes.get(i.id) ?? 0,
      })),
    ];
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
      }));
    const billing = deps.reports.billing(client.id, month);
    return buildClientReport({
      client,
      month,
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
    html(clientId: string, month: string, locale: Locale): string {
      return renderReportHtml(build(clientId, month, locale), locale, deps.branding());
    },
    /** The report as a PDF, with its hash. */
    async pdf(clientId: string, month: string, locale: Locale): Promise<{ pdf: Buffer; sha256: string; report: ClientReport }> {
      const report = build(clientId, month, locale);
      const pdf = await renderPdf(renderReportHtml(report, locale, deps.branding()), { chromiumPath: deps.chromiumPath });
      return { pdf, sha256: createHash('sha256').update(pdf).digest('hex'), report };
    },
  };
}
export type ClientReports = ReturnType<typeof createClientReports>;
