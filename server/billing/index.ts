/**
 * Billing: what a month of alerts and incidents costs per client (reports), whether a client's
 * contract still fits (advisor), that advice month by month (contract history), the monthly client
 * report (figures, HTML, PDF) and its delivery on the first working day of each month.
 */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { ClientStore } from '../store/clients.js';
import type { AlertStore } from '../store/alerts.js';
import type { IncidentStore } from '../store/incidents.js';
import type { DeviceStore } from '../store/devices.js';
import type { ChannelStore } from '../store/channels.js';
import type { DeliveryStore } from '../store/deliveries.js';
import { createClientReportStore } from '../store/client-reports.js';
import { createJobStore } from '../store/jobs.js';
import { createInventoryStore } from '../store/inventory.js';
import { createStatusLinkStore } from '../store/status-links.js';
import { createStatusLinkService, type StatusLinkServiceDeps } from './status-link-service.js';
import { createReports } from './reports.js';
import { createContractHistory } from './contract-history.js';
import { createClientReports } from './report-data.js';
import { createReportScheduler } from './report-scheduler.js';
import { createReportService } from './report-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ReportBranding } from './report-html.js';

export interface BillingDeps {
  db: Db;
  clients: ClientStore;
  alerts: AlertStore;
  incidents: IncidentStore;
  devices: DeviceStore;
  /** The e-mail channel and the delivery queue that monthly reports go out through. */
  channels: ChannelStore;
  deliveries: DeliveryStore;
  logger: Logger;
  audit: AuditLog;
  now: () => number;
  branding: () => ReportBranding;
  chromiumPath?: string;
  /** What "online" means and the open problems per device, for status links. */
  presence: Pick<StatusLinkServiceDeps, 'isOnline' | 'isStatusUnknown' | 'health'>;
}

/** Builds the reports, the contract history and the client reports over the stores. */
export function createBilling(deps: BillingDeps) {
  const clientReportStore = createClientReportStore(deps.db);
  const reports = createReports({ ...deps, clientReports: clientReportStore });
  // The maintenance jobs that finished in a report's month (server/jobs/ writes them).
  const clientReports = createClientReports({
    ...deps,
    clientReports: clientReportStore,
    reports,
    jobs: createJobStore(deps.db),
    inventory: createInventoryStore(deps.db),
  });
  const reportScheduler = createReportScheduler({ ...deps, clientReports: clientReportStore, reports: clientReports });
  return {
    reports,
    contractHistory: createContractHistory({ clients: deps.clients, reports, now: deps.now }),
    /** Report settings, time on alerts, the report archive. */
    clientReportStore,
    clientReports,
    reportScheduler,
    /** Report sends, report settings and time on alerts, each with its audit entry. */
    reportService: createReportService({ store: clientReportStore, scheduler: reportScheduler, audit: deps.audit, now: deps.now }),
    /** Read-only status links per client, made and revoked with an audit entry. */
    statusLinks: createStatusLinkService({
      links: createStatusLinkStore(deps.db),
      clients: deps.clients,
      devices: deps.devices,
      settings: clientReportStore,
      reports: clientReports,
      ...deps.presence,
      mspName: () => deps.branding().mspName,
      audit: deps.audit,
      now: deps.now,
    }),
  };
}
export type Billing = ReturnType<typeof createBilling>;
