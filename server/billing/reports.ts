/**
 * Gathers what the billing report and the contract advisor need from the stores, then hands it
 * to the pure functions in advisor.ts. Periods are local calendar dates in the client's time zone.
 */
import type { BillingReport, ContractAdvice } from '../../shared/alert-types.js';
import type { Client, ClientStore } from '../store/clients.js';
import type { AlertStore } from '../store/alerts.js';
import type { IncidentStore } from '../store/incidents.js';
import { HttpError } from '../lib/errors.js';
import { adviseContract, buildBillingReport, type ConditionRecord } from './advisor.js';
import { parseLocalDate, zonedTimeToMs } from '../time/zones.js';

/** Longest period the advisor compares, days. */
export const MAX_ADVICE_DAYS = 3 * 366;
/** Offline conditions that opened this long before a period still count toward its downtime. */
const DOWNTIME_LOOKBACK_MS = 31 * 86_400_000;
/** Most alerts or incidents one report reads. */
const MAX_ROWS = 100_000;

/** Builds the report functions over the stores. */
export function createReports(deps: { clients: ClientStore; alerts: AlertStore; incidents: IncidentStore; now: () => number }) {
  function mustFindClient(id: string): Client {
    const c = deps.clients.findById(id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    return c;
  }

  return {
    /** Hours × rate per incident for time booked in `month` (YYYY-MM). */
    billing(clientId: string, month: string): BillingReport {
      const client = mustFindClient(clientId);
      const rows = deps.incidents.minutesByIncident(client.id, `${month}-01`, `${month}-31`).map((r) => {
        const i = deps.incidents.findById(r.incidentId)!;
        return { incidentId: i.id, title: i.title, state: i.state, openedAtMs: i.openedAtMs, minutes: r.minutes };
      });
      return buildBillingReport(client, month, rows);
    },
    /** Compares the two contract models for [from, to] (inclusive local dates). */
    contractAdvice(clientId: string, from: string, to: string, estimateMinutes: number): ContractAdvice {
      const client = mustFindClient(clientId);
      const f = parseLocalDate(from);
      const t = parseLocalDate(to);
      if (!f || !t) throw new HttpError(400, 'INVALID_RANGE', 'from and to must be calendar dates YYYY-MM-DD');
      if (from > to) throw new HttpError(400, 'INVALID_RANGE', `from (${from}) must not be after to (${to})`);
      const periodStartMs = zonedTimeToMs(f.year, f.month, f.day, 0, client.timezone);
      const periodEndMs = zonedTimeToMs(t.year, t.month, t.day + 1, 0, client.timezone);
      if (periodEndMs - periodStartMs > MAX_ADVICE_DAYS * 86_400_000) throw new HttpError(400, 'INVALID_RANGE', 'a period may span at most 3 years');

      const window = { clientId: client.id, fromMs: periodStartMs - DOWNTIME_LOOKBACK_MS, toMs: periodEndMs, limit: MAX_ROWS };
      const conditions: ConditionRecord[] = [
        ...deps.alerts.list(window).map(
          (a): ConditionRecord => ({
            source: 'alert', id: a.id, origin: 'rule', ruleName: a.ruleName, ruleKind: a.ruleKind, severity: a.severity, deviceId: a.deviceId,
            hostname: a.hostname, summary: a.summary, openedAtMs: a.openedAtMs, closedAtMs: a.resolvedAtMs,
          }),
        ),
        ...deps.incidents.list(window).map(
          (i): ConditionRecord => ({
            source: 'incident', id: i.id, origin: i.source, ruleName: i.ruleName ?? i.title, ruleKind: i.ruleKind, severity: i.severity,
            deviceId: i.deviceId, hostname: i.hostname, summary: i.title, openedAtMs: i.openedAtMs, closedAtMs: i.closedAtMs,
          }),
        ),
      ];
      const bookedMinutes = deps.incidents.minutesByIncident(client.id, from, to).reduce((n, r) => n + r.minutes, 0);
      return adviseContract({ client, from, to, periodStartMs, periodEndMs, nowMs: deps.now(), bookedMinutes, conditions, estimateMinutes });
    },
  };
}
export type Reports = ReturnType<typeof createReports>;
