/**
 * The dashboard's only door to the REST API: typed endpoints over one JSON transport
 * (api-request.ts). The core (sessions, fleet, alerts, incidents, rules, clients, users) is here;
 * on-call (api-oncall.ts) and agent management and audit (api-admin.ts) are composed in.
 */
import type {
  ClientInfo,
  ClientInput,
  DeviceDetail,
  DeviceSummary,
  EnrollmentTokenCreated,
  MetricSeriesResponse,
  SessionUser,
  LoginChallenge,
  UserAccount,
  UserRole,
} from '../../../shared/api-types.js';
import type { Delivery, DeliveryStatus } from '../../../shared/notify-types.js';
import type {
  Alert,
  AlertDetail,
  AlertState,
  BillingReport,
  ContractHistory,
  EffectiveRule,
  Incident,
  IncidentDetail,
  IncidentState,
  MaintenanceInput,
  MaintenanceWindow,
  Rule,
  RuleInput,
  Severity,
  TimeEntry,
} from '../../../shared/alert-types.js';
import { createTwoFactorApi, type TwoFactorApi } from './api-two-factor.js';
import { createAdminApi, type AdminApi } from './api-admin.js';
import { createReportsApi, type ReportsApi } from './api-reports.js';
import { createSsoApi, type SsoApi } from './api-sso.js';
import { createSetupApi, type SetupApi } from './api-setup.js';
import { createOnCallApi, type OnCallApi } from './api-oncall.js';
import { createRequest, enc, query, type Method } from './api-request.js';

export { ApiError, describeError } from './api-request.js';

/** Query for one metric's downsampled series. */
export interface MetricQuery {
  deviceId: string;
  name: string;
  fromMs: number;
  toMs: number;
  points: number;
}

/** Filters of the alert list. */
export interface AlertQuery {
  state?: AlertState | 'open';
  client?: string;
  device?: string;
  limit?: number;
}

/** Filters of the incident list. */
export interface IncidentQuery {
  state?: IncidentState;
  client?: string;
  device?: string;
  limit?: number;
}

/** A time entry to book. */
export interface TimeEntryInput {
  minutes: number;
  note?: string | null;
  /** Local calendar day YYYY-MM-DD; the server defaults to today in the client's time zone. */
  date?: string;
  technician?: string;
}

/** Time booked on an alert: effort on a monthly contract, never billed (docs/REPORTS.md). */
export type AlertTimeEntry = Omit<TimeEntry, 'incidentId'> & { alertId: string };

/** The typed endpoints the dashboard uses. */
export interface Api extends OnCallApi, AdminApi, TwoFactorApi, SsoApi, SetupApi, ReportsApi {
  getMe(): Promise<SessionUser>;
  /** A session, or (two-factor login on) a challenge for loginSecondFactor. */
  login(username: string, password: string): Promise<SessionUser | LoginChallenge>;
  logout(): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  /** PUT /api/me/locale: the signed-in user's dashboard language (null: follow the browser). */
  setLocale(locale: 'en' | 'nl' | null): Promise<{ locale: 'en' | 'nl' | null }>;

  listDevices(): Promise<DeviceSummary[]>;
  getDevice(id: string): Promise<DeviceDetail>;
  getMetrics(query: MetricQuery, signal?: AbortSignal): Promise<MetricSeriesResponse>;
  /** Deliveries (newest first), optionally of one status; `dead` = dead letters. */
  listNotifications(status?: DeliveryStatus): Promise<Delivery[]>;
  /** Queues a dead delivery again. */
  retryNotification(id: number): Promise<Delivery>;

  listClients(): Promise<ClientInfo[]>;
  getClient(id: string): Promise<ClientInfo>;
  createClient(input: ClientInput): Promise<ClientInfo>;
  updateClient(id: string, patch: Partial<ClientInput>): Promise<ClientInfo>;
  deleteClient(id: string): Promise<void>;
  createEnrollmentToken(clientId: string, input: { label?: string; expiresInHours?: number }): Promise<EnrollmentTokenCreated>;

  listAlerts(query?: AlertQuery): Promise<Alert[]>;
  getAlert(id: string): Promise<AlertDetail>;
  acknowledgeAlert(id: string, note?: string): Promise<AlertDetail>;
  resolveAlert(id: string, note?: string): Promise<AlertDetail>;
  assignAlert(id: string, assignee: string | null): Promise<AlertDetail>;
  commentAlert(id: string, text: string): Promise<AlertDetail>;
  listAlertTime(id: string, signal?: AbortSignal): Promise<AlertTimeEntry[]>;
  bookAlertTime(id: string, input: TimeEntryInput): Promise<AlertTimeEntry>;
  removeAlertTime(id: string, entryId: string): Promise<void>;

  listIncidents(query?: IncidentQuery): Promise<Incident[]>;
  getIncident(id: string): Promise<IncidentDetail>;
  openIncident(input: { clientId: string; deviceId?: string; title: string; severity?: Severity }): Promise<IncidentDetail>;
  closeIncident(id: string, note?: string): Promise<IncidentDetail>;
  billIncident(id: string): Promise<IncidentDetail>;
  commentIncident(id: string, text: string): Promise<IncidentDetail>;
  bookTime(id: string, input: TimeEntryInput): Promise<TimeEntry>;
  removeTime(id: string, entryId: string): Promise<void>;

  listRules(): Promise<Rule[]>;
  effectiveRules(deviceId: string): Promise<EffectiveRule[]>;
  createRule(input: RuleInput): Promise<Rule>;
  updateRule(id: string, patch: RuleInput): Promise<Rule>;
  deleteRule(id: string): Promise<void>;

  listMaintenance(): Promise<MaintenanceWindow[]>;
  createMaintenance(input: MaintenanceInput): Promise<MaintenanceWindow>;
  deleteMaintenance(id: string): Promise<void>;

  billing(clientId: string, month: string): Promise<BillingReport>;
  contractHistory(clientId: string, months: number, lang?: 'en' | 'nl'): Promise<ContractHistory>;

  listUsers(): Promise<UserAccount[]>;
  createUser(input: { username: string; password: string; role: UserRole; email?: string | null }): Promise<UserAccount>;
  updateUser(id: string, patch: { role?: UserRole; email?: string | null; password?: string }): Promise<UserAccount>;
  deleteUser(id: string): Promise<void>;

  /** A GET of any /api path, for views that probe optional modules (404 when absent). */
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  /** Listens for 401s (except from login itself, whose 401 means a wrong password). */
  onUnauthorized(listener: () => void): () => void;
}

export interface ApiOptions {
  fetch?: typeof fetch;
}

/** Builds the API client. */
export function createApi(options: ApiOptions = {}): Api {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const unauthorizedListeners = new Set<() => void>();

  const transport = createRequest(doFetch, () => unauthorizedListeners.forEach((l) => l()));
  const request = async <T>(method: Method, path: string, body?: unknown, init?: { signal?: AbortSignal; isLogin?: boolean }): Promise<T> =>
    (await transport<T>(method, path, body, init)).body;
  const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, { signal });
  const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);

  return {
    ...createOnCallApi(transport),
    ...createAdminApi(transport),
    ...createReportsApi(transport),
    ...createTwoFactorApi(transport),
    ...createSsoApi(transport),
    ...createSetupApi(transport),
    getMe: () => get('/api/me'),
    login: (username, password) => request<SessionUser | LoginChallenge>('POST', '/api/login', { username, password }, { isLogin: true }),
    logout: () => post('/api/logout'),
    changePassword: (currentPassword, newPassword) => post('/api/me/password', { currentPassword, newPassword }),
    setLocale: (locale) => request('PUT', '/api/me/locale', { locale }),

    listDevices: () => get('/api/devices'),
    getDevice: (id) => get(`/api/devices/${enc(id)}`),
    listNotifications: (status) => request<Delivery[]>('GET', `/api/notifications?limit=200${status ? `&status=${status}` : ''}`),
    retryNotification: (id) => request<Delivery>('POST', `/api/notifications/${id}/retry`, {}),
    getMetrics: (q, signal) =>
      get(
        `/api/devices/${enc(q.deviceId)}/metrics${query({
          name: q.name,
          from: Math.round(q.fromMs),
          to: Math.round(q.toMs),
          points: Math.max(10, Math.round(q.points)),
        })}`,
        signal,
      ),

    listClients: () => get('/api/clients'),
    getClient: (id) => get(`/api/clients/${enc(id)}`),
    createClient: (input) => post('/api/clients', input),
    updateClient: (id, patch) => request('PATCH', `/api/clients/${enc(id)}`, patch),
    deleteClient: (id) => request('DELETE', `/api/clients/${enc(id)}`),
    createEnrollmentToken: (clientId, input) => post(`/api/clients/${enc(clientId)}/enrollment-tokens`, input),

    listAlerts: (q = {}) => get(`/api/alerts${query({ state: q.state, client: q.client, device: q.device, limit: q.limit ?? 500 })}`),
    getAlert: (id) => get(`/api/alerts/${enc(id)}`),
    acknowledgeAlert: (id, note) => post(`/api/alerts/${enc(id)}/acknowledge`, note ? { note } : {}),
    resolveAlert: (id, note) => post(`/api/alerts/${enc(id)}/resolve`, note ? { note } : {}),
    assignAlert: (id, assignee) => post(`/api/alerts/${enc(id)}/assign`, { assignee }),
    commentAlert: (id, text) => post(`/api/alerts/${enc(id)}/comments`, { text }),
    listAlertTime: (id, signal) => get(`/api/alerts/${enc(id)}/time-entries`, signal),
    bookAlertTime: (id, input) => post(`/api/alerts/${enc(id)}/time-entries`, input),
    removeAlertTime: (id, entryId) => request('DELETE', `/api/alerts/${enc(id)}/time-entries/${enc(entryId)}`),

    listIncidents: (q = {}) => get(`/api/incidents${query({ state: q.state, client: q.client, device: q.device, limit: q.limit ?? 500 })}`),
    getIncident: (id) => get(`/api/incidents/${enc(id)}`),
    openIncident: (input) => post('/api/incidents', input),
    closeIncident: (id, note) => post(`/api/incidents/${enc(id)}/close`, note ? { note } : {}),
    billIncident: (id) => post(`/api/incidents/${enc(id)}/bill`),
    commentIncident: (id, text) => post(`/api/incidents/${enc(id)}/comments`, { text }),
    bookTime: (id, input) => post(`/api/incidents/${enc(id)}/time-entries`, input),
    removeTime: (id, entryId) => request('DELETE', `/api/incidents/${enc(id)}/time-entries/${enc(entryId)}`),

    listRules: () => get('/api/rules'),
    effectiveRules: (deviceId) => get(`/api/rules/effective${query({ device: deviceId })}`),
    createRule: (input) => post('/api/rules', input),
    updateRule: (id, patch) => request('PATCH', `/api/rules/${enc(id)}`, patch),
    deleteRule: (id) => request('DELETE', `/api/rules/${enc(id)}`),

    listMaintenance: () => get('/api/maintenance'),
    createMaintenance: (input) => post('/api/maintenance', input),
    deleteMaintenance: (id) => request('DELETE', `/api/maintenance/${enc(id)}`),

    billing: (clientId, month) => get(`/api/reports/billing${query({ client: clientId, month })}`),
    contractHistory: (clientId, months, lang) => get(`/api/reports/contract-history${query({ client: clientId, months, lang })}`),

    listUsers: () => get('/api/users'),
    createUser: (input) => post('/api/users', input),
    updateUser: (id, patch) => request('PATCH', `/api/users/${enc(id)}`, patch),
    deleteUser: (id) => request('DELETE', `/api/users/${enc(id)}`),

    get,
    onUnauthorized: (listener) => {
      unauthorizedListeners.add(listener);
      return () => unauthorizedListeners.delete(listener);
    },
  };
}
