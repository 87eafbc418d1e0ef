/**
 * Rows behind client reports and billing: per-client report settings (language, contacts,
 * rounding), time booked on alerts (effort on monthly clients, not billed) and the archive of
 * rendered monthly reports. Statements are prepared once.
 */
import type { ReportSettings } from '../../shared/api-types.js';
import type { Locale } from '../../shared/i18n/index.js';
import type { Db } from './database.js';

/** How a client's reports are written and sent, and how its time is billed. */
export type ClientReportSettings = ReportSettings & { clientId: string };

export const DEFAULT_REPORT_SETTINGS: ReportSettings = {
  language: 'nl',
  reportContacts: [],
  roundingIncrementMin: 1,
  minimumChargeMin: 0,
  internalCostRate: 0,
};

/** Time booked on an alert. */
export interface AlertTimeEntry {
  id: string;
  alertId: string;
  technician: string;
  minutes: number;
  note: string | null;
  /** Local calendar day of the work, YYYY-MM-DD. */
  date: string;
  createdAtMs: number;
}

/** One archived report: the shape the API answers (shared/api-types.ts). */
export type { ArchivedReport } from '../../shared/api-types.js';
import type { ArchivedReport } from '../../shared/api-types.js';

interface SettingsRow {
  client_id: string;
  language: Locale;
  report_contacts_json: string;
  rounding_increment_min: number;
  minimum_charge_min: number;
  internal_cost_rate: number;
}
interface AlertTimeRow {
  id: string;
  alert_id: string;
  technician: string;
  minutes: number;
  note: string | null;
  work_date: string;
  created_at_ms: number;
}
interface ArchiveRow {
  id: string;
  client_id: string;
  month: string;
  language: Locale;
  created_at_ms: number;
  pdf_sha256: string;
  pdf_bytes: number;
  delivery: ArchivedReport['delivery'];
  detail: string | null;
}

const toSettings = (r: SettingsRow): ClientReportSettings => ({
  clientId: r.client_id,
  language: r.language,
  reportContacts: JSON.parse(r.report_contacts_json) as string[],
  roundingIncrementMin: r.rounding_increment_min,
  minimumChargeMin: r.minimum_charge_min,
  internalCostRate: r.internal_cost_rate,
});
const toAlertTime = (r: AlertTimeRow): AlertTimeEntry => ({
  id: r.id,
  alertId: r.alert_id,
  technician: r.technician,
  minutes: r.minutes,
  note: r.note,
  date: r.work_date,
  createdAtMs: r.created_at_ms,
});
const toArchived = (r: ArchiveRow): ArchivedReport => ({
  id: r.id,
  clientId: r.client_id,
  month: r.month,
  language: r.language,
  createdAtMs: r.created_at_ms,
  pdfSha256: r.pdf_sha256,
  pdfBytes: r.pdf_bytes,
  delivery: r.delivery,
  detail: r.detail,
});

/** Builds the store. */
export function createClientReportStore(db: Db) {
  const settingsOf = db.prepare<[string], SettingsRow>('SELECT * FROM client_report_settings WHERE client_id = ?');
  const upsertSettings = db.prepare<SettingsRow>(
    `INSERT INTO client_report_settings (client_id, language, report_contacts_json, rounding_increment_min, minimum_charge_min, internal_cost_rate)
     VALUES (@client_id, @language, @report_contacts_json, @rounding_increment_min, @minimum_charge_min, @internal_cost_rate)
     ON CONFLICT (client_id) DO UPDATE SET language = excluded.language, report_contacts_json = excluded.report_contacts_json,
       rounding_increment_min = excluded.rounding_increment_min, minimum_charge_min = excluded.minimum_charge_min, internal_cost_rate = excluded.internal_cost_rate`,
  );
  const insertAlertTime = db.prepare<AlertTimeRow & { created_by: string | null }>(
    'INSERT INTO alert_time_entries (id, alert_id, technician, minutes, note, work_date, created_at_ms, created_by) VALUES (@id, @alert_id, @technician, @minutes, @note, @work_date, @created_at_ms, @created_by)',
  );
  const alertTimeOf = db.prepare<[string], AlertTimeRow>('SELECT * FROM alert_time_entries WHERE alert_id = ? ORDER BY work_date, created_at_ms');
  const alertTimeById = db.prepare<[string], AlertTimeRow>('SELECT * FROM alert_time_entries WHERE id = ?');
  const deleteAlertTime = db.prepare<[string]>('DELETE FROM alert_time_entries WHERE id = ?');
  const alertMinutes = db.prepare<{ clientId: string; fromDate: string; toDate: string }, { alert_id: string; minutes: number }>(
    `SELECT t.alert_id, sum(t.minutes) AS minutes FROM alert_time_entries t JOIN alerts a ON a.id = t.alert_id
      WHERE a.client_id = @clientId AND t.work_date >= @fromDate AND t.work_date <= @toDate GROUP BY t.alert_id`,
  );
  const alertEntries = db.prepare<{ clientId: string; fromDate: string; toDate: string }, { alert_id: string; minutes: number; note: string | null }>(
    `SELECT t.alert_id, t.minutes, t.note FROM alert_time_entries t JOIN alerts a ON a.id = t.alert_id
      WHERE a.client_id = @clientId AND t.work_date >= @fromDate AND t.work_date <= @toDate ORDER BY t.work_date, t.created_at_ms`,
  );
  const incidentEntries = db.prepare<
    { clientId: string; fromDate: string; toDate: string },
    { incident_id: string; minutes: number; technician: string; note: string | null; work_date: string }
  >(
    `SELECT t.incident_id, t.minutes, t.technician, t.note, t.work_date FROM time_entries t JOIN incidents i ON i.id = t.incident_id
      WHERE i.client_id = @clientId AND t.work_date >= @fromDate AND t.work_date <= @toDate ORDER BY t.work_date, t.created_at_ms`,
  );
  const insertArchive = db.prepare<Omit<ArchiveRow, 'pdf_bytes'> & { pdf: Buffer }>(
    'INSERT INTO client_reports (id, client_id, month, language, created_at_ms, pdf_sha256, pdf, delivery, detail) VALUES (@id, @client_id, @month, @language, @created_at_ms, @pdf_sha256, @pdf, @delivery, @detail)',
  );
  const listArchive = db.prepare<[string], ArchiveRow>(
    'SELECT id, client_id, month, language, created_at_ms, pdf_sha256, length(pdf) AS pdf_bytes, delivery, detail FROM client_reports WHERE client_id = ? ORDER BY created_at_ms DESC, rowid DESC LIMIT 120',
  );
  const archivePdf = db.prepare<[string], { pdf: Buffer } & ArchiveRow>('SELECT *, length(pdf) AS pdf_bytes FROM client_reports WHERE id = ?');
  const doneOfMonth = db.prepare<[string, string], ArchiveRow>(
    `SELECT id, client_id, month, language, created_at_ms, pdf_sha256, length(pdf) AS pdf_bytes, delivery, detail FROM client_reports
      WHERE client_id = ? AND month = ? AND delivery IN ('sent', 'no-contacts') ORDER BY created_at_ms, rowid LIMIT 1`,
  );
  const hasMonth = db.prepare<[string, string], { n: number }>(
    "SELECT count(*) AS n FROM client_reports WHERE client_id = ? AND month = ? AND delivery IN ('sent', 'no-contacts')",
  );

  return {
    /** The client's settings, defaults when none were saved. */
    settings(clientId: string): ClientReportSettings {
      const r = settingsOf.get(clientId);
      return r ? toSettings(r) : { clientId, ...DEFAULT_REPORT_SETTINGS };
    },
    saveSettings(s: ClientReportSettings): void {
      upsertSettings.run({
        client_id: s.clientId,
        language: s.language,
        report_contacts_json: JSON.stringify(s.reportContacts),
        rounding_increment_min: s.roundingIncrementMin,
        minimum_charge_min: s.minimumChargeMin,
        internal_cost_rate: s.internalCostRate,
      });
    },
    addAlertTime(e: AlertTimeEntry & { createdBy: string | null }): void {
      insertAlertTime.run({
        id: e.id,
        alert_id: e.alertId,
        technician: e.technician,
        minutes: e.minutes,
        note: e.note,
        work_date: e.date,
        created_at_ms: e.createdAtMs,
        created_by: e.createdBy,
      });
    },
    alertTime(alertId: string): AlertTimeEntry[] {
      return alertTimeOf.all(alertId).map(toAlertTime);
    },
    findAlertTime(id: string): AlertTimeEntry | undefined {
      const r = alertTimeById.get(id);
      return r ? toAlertTime(r) : undefined;
    },
    deleteAlertTime(id: string): void {
      deleteAlertTime.run(id);
    },
    /** Minutes booked per alert of a client on work dates within [fromDate, toDate]. */
    alertMinutes(clientId: string, fromDate: string, toDate: string): Map<string, number> {
      return new Map(alertMinutes.all({ clientId, fromDate, toDate }).map((r) => [r.alert_id, r.minutes]));
    },
    /** Every alert time entry of a client within [fromDate, toDate], for rounding and the report's notes. */
    alertEntries(clientId: string, fromDate: string, toDate: string): { alertId: string; minutes: number; note: string | null }[] {
      return alertEntries.all({ clientId, fromDate, toDate }).map((r) => ({ alertId: r.alert_id, minutes: r.minutes, note: r.note }));
    },
    /** Every incident time entry of a client within [fromDate, toDate], for rounding and CSV. */
    incidentEntries(clientId: string, fromDate: string, toDate: string) {
      return incidentEntries
        .all({ clientId, fromDate, toDate })
        .map((r) => ({ incidentId: r.incident_id, minutes: r.minutes, technician: r.technician, note: r.note, date: r.work_date }));
    },
    archive(a: Omit<ArchivedReport, 'pdfBytes'> & { pdf: Buffer }): void {
      insertArchive.run({
        id: a.id,
        client_id: a.clientId,
        month: a.month,
        language: a.language,
        created_at_ms: a.createdAtMs,
        pdf_sha256: a.pdfSha256,
        pdf: a.pdf,
        delivery: a.delivery,
        detail: a.detail,
      });
    },
    listArchive(clientId: string): ArchivedReport[] {
      return listArchive.all(clientId).map(toArchived);
    },
    archivedPdf(id: string): { report: ArchivedReport; pdf: Buffer } | undefined {
      const r = archivePdf.get(id);
      return r ? { report: toArchived(r), pdf: r.pdf } : undefined;
    },
    /** The first archive row that sent the month's report (or found nobody to send to), if any. */
    doneOfMonth(clientId: string, month: string): ArchivedReport | undefined {
      const r = doneOfMonth.get(clientId, month);
      return r ? toArchived(r) : undefined;
    },
    /** True when the month's report was already sent (or found nobody to send to). */
    isMonthDone(clientId: string, month: string): boolean {
      return (hasMonth.get(clientId, month)?.n ?? 0) > 0;
    },
  };
}
export type ClientReportStore = ReturnType<typeof createClientReportStore>;
