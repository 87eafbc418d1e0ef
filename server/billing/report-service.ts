/**
 * What technicians change around the monthly client report: send a month's report now, the
 * client's report settings, and time booked on alerts (effort on monthly contracts, shown in
 * the report, never billed). Each change writes its audit entry with it; a send is recorded
 * after it ran, with its outcome, whether it went out or not.
 *
 *   route ─▶ service(actor, …) ─▶ BEGIN; store change; audit entry; COMMIT
 */
import type { Alert } from '../../shared/alert-types.js';
import { generateId } from '../lib/secrets.js';
import { HttpError } from '../lib/errors.js';
import { localDate } from '../time/zones.js';
import type { Client } from '../store/clients.js';
import type { AlertTimeEntry, ClientReportSettings, ClientReportStore } from '../store/client-reports.js';
import { auditActorOf, type AuditLog, type AuditPerson } from '../audit/audit-log.js';
import type { ReportScheduler } from './report-scheduler.js';

/** A new time entry on an alert: technician defaults to the actor, date to today in the client's zone. */
export interface AlertTimeInput {
  minutes: number;
  technician?: string;
  note?: string | null;
  date?: string;
}

export function createReportService(deps: { store: ClientReportStore; scheduler: ReportScheduler; audit: AuditLog; now: () => number }) {
  const { store, audit } = deps;
  const who = auditActorOf;

  return {
    /** Sends (or queues) a month's report to the client's contacts now; recorded with its outcome. */
    async send(actor: AuditPerson, client: Client, month: string) {
      const outcome = await deps.scheduler.send(client.id, month);
      audit.record(who(actor), {
        action: 'report.send',
        entityType: 'client',
        entityId: client.id,
        summary: `monthly report ${month} of ${client.name}: ${outcome.delivery}`,
        detail: outcome,
      });
      return outcome;
    },

    /** Replaces the client's report settings (language, contacts, rounding, cost rate). */
    saveSettings(actor: AuditPerson, client: Client, input: Omit<ClientReportSettings, 'clientId'>): void {
      audit.audited(who(actor), (record) => {
        store.saveSettings({ clientId: client.id, ...input });
        record({
          action: 'client.report-settings',
          entityType: 'client',
          entityId: client.id,
          summary: `report settings of ${client.name} changed`,
          detail: input,
        });
      });
    },

    /** Books time on an alert. */
    addAlertTime(actor: AuditPerson, alert: Alert, timezone: string, input: AlertTimeInput): AlertTimeEntry {
      const nowMs = deps.now();
      const entry: AlertTimeEntry = {
        id: generateId(),
        alertId: alert.id,
        technician: input.technician ?? actor.username,
        minutes: input.minutes,
        note: input.note ?? null,
        date: input.date ?? localDate(nowMs, timezone),
        createdAtMs: nowMs,
      };
      audit.audited(who(actor), (record) => {
        store.addAlertTime({ ...entry, createdBy: actor.username });
        record({
          action: 'alert.time-book',
          entityType: 'alert',
          entityId: alert.id,
          summary: `booked ${entry.minutes} min by ${entry.technician} on ${entry.date}`,
          detail: { entryId: entry.id, minutes: entry.minutes },
        });
      });
      return entry;
    },

    /** Removes a time entry of an alert; 404 TIME_ENTRY_NOT_FOUND when the alert has no such entry. */
    removeAlertTime(actor: AuditPerson, alert: Alert, entryId: string): void {
      const entry = store.findAlertTime(entryId);
      if (!entry || entry.alertId !== alert.id) throw new HttpError(404, 'TIME_ENTRY_NOT_FOUND', `alert ${alert.id} has no time entry ${entryId}`);
      audit.audited(who(actor), (record) => {
        store.deleteAlertTime(entry.id);
        record({
          action: 'alert.time-remove',
          entityType: 'alert',
          entityId: alert.id,
          summary: `removed time entry ${entry.id}`,
          detail: { entryId: entry.id },
        });
      });
    },
  };
}
export type ReportService = ReturnType<typeof createReportService>;
