/**
 * Gathers what the billing report and the contract advisor need from the stores, then hands it
 * to the pure functions in advisor.ts. Periods are local calendar dates in the client's time zone.
 */
import type { BillingReport, ContractAdvice } from '../../shared/alert-types.js';
import type { Client, ClientStore } from '../store/clients.js';
import type { AlertStore } from '../store/alerts.js';
import type { IncidentStore } from '../store/incidents.js';
import type { DeviceStore } from '../store/devices.js';
import type { ClientReportStore } from '../store/client-reports.js';
import type { Locale } from '../../shared/i18n/index.js';
import { HttpError } from '../lib/errors.js';
import { adviseContract, buildBillingReport, type ConditionRecord } from './advisor.js';
import { billedIncidentMinutes, type RoundingRules } from './billing-rules.js';
import { parseLocalDate, zonedTimeToMs } from '../time/zones.js';

/** Longest period the advisor compares, days. */
export const MAX_ADVICE_DAYS = 3 * 366;
/** Most alerts or incidents one report reads. */
const MAX_ROWS = 100_000;

/** Builds the report functions over the stores. */
export function createReports(deps: {
  clients: ClientStore;
  alerts: AlertStore;
  incidents: IncidentStore;
  devices: DeviceStore;
  clientReports: ClientReportStore;
  now: () => number;
}) {
  /**
   * Days the client has had devices reporting, from the first report of its first device up to
   * the end of the period (or now): the history the advisor can speak from. A device enrolled but
   * never heard from adds nothing. Not clipped to the period's start, so a 28-day February of a
   * client monitored for a year still gets a verdict.
   */
  function observedDays(clientId: string, endMs: number): number {
    const firstReports = deps.devices
      .idsOfClient(clientId)
      .map((id) => deps.devices.firstReportMs(id))
      .filter((ms): ms is number => ms !== null);
    if (firstReports.length === 0) return 0;
    return Math.max(0, (Math.min(endMs, deps.now()) - Math.min(...firstReports)) / 86_400_000);
  }

  function mustFindClient(id: string): Client {
    const c = deps.clients.findById(id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    return c;
  }

  /** Billed hours × rate per incident for time booked on the local dates [from, to], with the client's rounding. */
  function billingOf(clientId: string, label: string, from: string, to: string): BillingReport {
    const client = mustFindClient(clientId);
    const settings = deps.clientReports.settings(client.id);
    const byIncident = new Map<string, { minutes: number[]; notes: string[] }>();
    for (const e of deps.clientReports.incidentEntries(client.id, from, to)) {
      const row = byIncident.get(e.incidentId) ?? { minutes: [], notes: [] };
      row.minutes.push(e.minutes);
      if (e.note) row.notes.push(e.note);
      byIncident.set(e.incidentId, row);
    }
    const rows = [...byIncident].map(([incidentId, r]) => {
      const i = deps.incidents.findById(incidentId)!;
      return { incidentId, title: i.title, state: i.state, openedAtMs: i.openedAtMs, entryMinutes: r.minutes, notes: r.notes };
    });
    return buildBillingReport(client, label, rows, { incrementMin: settings.roundingIncrementMin, minimumMin: settings.minimumChargeMin });
  }

  return {
    /** Billed hours × rate per incident for time booked in `month` (YYYY-MM), with the client's rounding. */
    billing(clientId: string, month: string): BillingReport {
      return billingOf(clientId, month, `${month}-01`, `${month}-31`);
    },
    /** The same for time booked on the local dates [from, to] (inclusive), labelled `label` (default "from/to"). */
    billingBetween(clientId: string, from: string, to: string, label = `${from}/${to}`): BillingReport {
      return billingOf(clientId, label, from, to);
    },
    /** Compares the two contract models for [from, to] (inclusive local dates). */
    contractAdvice(clientId: string, from: string, to: string, estimateMinutes: number, locale: Locale = 'en'): ContractAdvice {
      const client = mustFindClient(clientId);
      const f = parseLocalDate(from);
      const t = parseLocalDate(to);
      if (!f || !t) throw new HttpError(400, 'INVALID_RANGE', 'from and to must be calendar dates YYYY-MM-DD');
      if (from > to) throw new HttpError(400, 'INVALID_RANGE', `from (${from}) must not be after to (${to})`);
      const periodStartMs = zonedTimeToMs(f.year, f.month, f.day, 0, client.timezone);
      const periodEndMs = zonedTimeToMs(t.year, t.month, t.day + 1, 0, client.timezone);
      if (periodEndMs - periodStartMs > MAX_ADVICE_DAYS * 86_400_000) throw new HttpError(400, 'INVALID_RANGE', 'a period may span at most 3 years');

      // Every condition overlapping the period (opened before its end, not closed before its start):
      // an outage that began long before the period and is still open counts as downtime in full.
      const window = { clientId: client.id, toMs: periodEndMs, overlapsFromMs: periodStartMs, limit: MAX_ROWS };
      const conditions: ConditionRecord[] = [
        ...deps.alerts.list(window).map((a): ConditionRecord => ({
          source: 'alert',
          id: a.id,
          origin: 'rule',
          ruleName: a.ruleName,
          ruleKind: a.ruleKind,
          severity: a.severity,
          deviceId: a.deviceId,
          hostname: a.hostname,
          summary: a.summary,
          openedAtMs: a.openedAtMs,
          closedAtMs: a.resolvedAtMs,
        })),
        ...deps.incidents.list(window).map((i): ConditionRecord => ({
          source: 'incident',
          id: i.id,
          origin: i.source,
          ruleName: i.ruleName ?? i.title,
          ruleKind: i.ruleKind,
          severity: i.severity,
          deviceId: i.deviceId,
          hostname: i.hostname,
          summary: i.title,
          openedAtMs: i.openedAtMs,
          closedAtMs: i.closedAtMs,
        })),
      ];
      const alertMinutes = deps.clientReports.alertMinutes(client.id, from, to);
      const bookedMinutes =
        deps.incidents.minutesByIncident(client.id, from, to).reduce((n, r) => n + r.minutes, 0) + [...alertMinutes.values()].reduce((n, m) => n + m, 0);
      // Billed as the bill bills it (billing() above): each entry rounded, each incident (or alert) at least the minimum.
      const settings = deps.clientReports.settings(client.id);
      const rounding: RoundingRules = { incrementMin: settings.roundingIncrementMin, minimumMin: settings.minimumChargeMin };
      const entriesOf = new Map<string, number[]>();
      for (const e of deps.clientReports.incidentEntries(client.id, from, to))
        entriesOf.set(`i:${e.incidentId}`, [...(entriesOf.get(`i:${e.incidentId}`) ?? []), e.minutes]);
      for (const e of deps.clientReports.alertEntries(client.id, from, to))
        entriesOf.set(`a:${e.alertId}`, [...(entriesOf.get(`a:${e.alertId}`) ?? []), e.minutes]);
      const billedMinutes = [...entriesOf.values()].reduce((n, minutes) => n + billedIncidentMinutes(minutes, rounding), 0);
      return adviseContract({
        client,
        from,
        to,
        periodStartMs,
        periodEndMs,
        nowMs: deps.now(),
        bookedMinutes,
        billedMinutes,
        rounding,
        conditions,
        estimateMinutes,
        locale,
        alertsWithBookedTime: new Set(alertMinutes.keys()),
        observedDays: observedDays(client.id, periodEndMs),
      });
    },
  };
}
export type Reports = ReturnType<typeof createReports>;
