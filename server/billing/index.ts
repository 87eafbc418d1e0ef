/**
 * Billing: what a month of alerts and incidents costs per client (reports), whether a client's
 * contract still fits (advisor), and that advice month by month (contract history). Reads the
 * alerting stores; writes nothing.
 */
import type { ClientStore } from '../store/clients.js';
import type { AlertStore } from '../store/alerts.js';
import type { IncidentStore } from '../store/incidents.js';
import { createReports } from './reports.js';
import { createContractHistory } from './contract-history.js';

/** Builds the reports and the contract history over the stores. */
export function createBilling(deps: { clients: ClientStore; alerts: AlertStore; incidents: IncidentStore; now: () => number }) {
  const reports = createReports(deps);
  return { reports, contractHistory: createContractHistory({ clients: deps.clients, reports, now: deps.now }) };
}
export type Billing = ReturnType<typeof createBilling>;
