/**
 * The client-report part of the API client: report settings per client, the archive of sent
 * reports, sending one now, the all-clients month (revenue, effort, profit), and read-only status
 * links (docs/API.md, docs/REPORTS.md). Preview and exports are plain links (reportUrl, csvUrl).
 */
import type { ArchivedReport, ReportSettings, StatusLink } from '../../../shared/api-types.js';
import type { Locale } from '../../../shared/i18n/index.js';

export type { ArchivedReport, ReportSettings, StatusLink } from '../../../shared/api-types.js';
import { enc, type RequestFn } from './api-request.js';

/** One client in GET /api/reports/billing-all. */
export interface ClientMonth {
  clientId: string;
  clientName: string;
  contract: 'monthly' | 'break-fix';
  currency: string;
  revenue: number;
  effortMinutes: number;
  effortCost: number;
  /** null until the client's internal cost rate is set. */
  profit: number | null;
  billedMinutes: number;
}

export interface ReportsApi {
  getReportSettings(clientId: string): Promise<ReportSettings>;
  putReportSettings(clientId: string, settings: ReportSettings): Promise<ReportSettings>;
  listReportArchive(clientId: string): Promise<ArchivedReport[]>;
  /** Renders, archives and e-mails a month's report to the client's report contacts now. */
  sendReport(clientId: string, month: string): Promise<{ delivery: ArchivedReport['delivery']; detail?: string | null }>;
  billingAll(month: string): Promise<{ month: string; clients: ClientMonth[] }>;
  listStatusLinks(clientId: string): Promise<StatusLink[]>;
  /** The URL (with its token) is in this answer only. */
  createStatusLink(clientId: string, body: { showHostnames: boolean; label?: string }): Promise<StatusLink & { url: string }>;
  revokeStatusLink(id: string): Promise<StatusLink>;
}

/**
 * What a report covers: a month `YYYY-MM`, or the local days from `from` up to `to` in the
 * client's time zone, `to` not included (the API's convention: a period that ends on 31 March
 * has `to` = 1 April).
 */
export type ReportPeriod = string | { from: string; to: string };

/** At most this many days in a report of a free period (the server refuses longer ones). */
export const MAX_REPORT_DAYS = 366;

/** The report page as the client gets it, of a month or a free period: `format` html (preview) or pdf. */
export function reportUrl(clientId: string, period: ReportPeriod, format: 'html' | 'pdf', lang?: Locale): string {
  const span = typeof period === 'string' ? `month=${enc(period)}` : `from=${enc(period.from)}&to=${enc(period.to)}`;
  return `/api/reports/client-report?client=${enc(clientId)}&${span}&format=${format}${lang ? `&lang=${lang}` : ''}`;
}

/** A CSV export of a client's month: the billing report or every time entry. */
export function csvUrl(kind: 'billing' | 'time-entries', clientId: string, month: string): string {
  return `/api/reports/${kind}.csv?client=${enc(clientId)}&month=${enc(month)}`;
}

export function createReportsApi(request: RequestFn): ReportsApi {
  const call = async <T>(method: Parameters<RequestFn>[0], path: string, body?: unknown) => (await request<T>(method, path, body)).body;
  return {
    getReportSettings: (clientId) => call('GET', `/api/reports/client-settings/${enc(clientId)}`),
    putReportSettings: (clientId, settings) => call('PUT', `/api/reports/client-settings/${enc(clientId)}`, settings),
    listReportArchive: (clientId) => call('GET', `/api/reports/client-report/archive?client=${enc(clientId)}`),
    sendReport: (clientId, month) => call('POST', '/api/reports/client-report/send', { client: clientId, month }),
    billingAll: (month) => call('GET', `/api/reports/billing-all?month=${enc(month)}`),
    listStatusLinks: async (clientId) => (await call<{ links: StatusLink[] }>('GET', `/api/clients/${enc(clientId)}/status-links`)).links,
    createStatusLink: (clientId, body) => call('POST', `/api/clients/${enc(clientId)}/status-links`, body),
    revokeStatusLink: (id) => call('DELETE', `/api/status-links/${enc(id)}`),
  };
}
