/**
 * The agent-management part of the API client: enrollment tokens, server-managed agent settings,
 * disabling, moving and re-keying devices (docs/API.md, "Clients" and "Devices"), and the audit
 * log (shared/audit-types.ts; answered 404 by servers without it).
 */
import type { ComplianceReport, DeviceSummary, JobView, MaintenancePolicyView, RefusedAgent } from '../../../shared/api-types.js';
import type { AuditPage, AuditQuery } from '../../../shared/audit-types.js';
import type { AgentSettings, ClientAgentConfig, CredentialRotation, DeviceAgentConfig, EnrollmentToken } from '../../../shared/device-admin-types.js';
import type { AdoptDiscovered, CreateDiscoveryScan, DiscoveryScanInfo } from '../../../shared/discovery.js';
import type { ProbedDeviceInfo } from '../../../shared/probe.js';
import { enc, query, type RequestFn } from './api-request.js';

/** Endpoints for managing agents and reading the audit log. */
export interface AdminApi {
  /** Machines refused for a credential this server does not know (after a restore), newest first. */
  listRefusedAgents(): Promise<RefusedAgent[]>;
  dismissRefusedAgent(id: string): Promise<void>;
  /** A client's enrollment tokens, newest first (never the secret). */
  listEnrollmentTokens(clientId: string): Promise<EnrollmentToken[]>;
  revokeEnrollmentToken(tokenId: string): Promise<EnrollmentToken>;
  getClientAgentConfig(clientId: string): Promise<ClientAgentConfig>;
  /** Replaces the client's settings ({} clears them); connected agents get them at once. */
  putClientAgentConfig(clientId: string, settings: AgentSettings): Promise<ClientAgentConfig>;
  getDeviceAgentConfig(deviceId: string): Promise<DeviceAgentConfig>;
  putDeviceAgentConfig(deviceId: string, settings: AgentSettings): Promise<DeviceAgentConfig>;

  disableDevice(deviceId: string): Promise<DeviceSummary>;
  enableDevice(deviceId: string): Promise<DeviceSummary>;
  /** 200 `rotated` when the connected agent confirmed, 202 `pending` when it gets the credential at its next connection. */
  rotateCredential(deviceId: string): Promise<CredentialRotation>;
  /** Moves a device to another client; its open problems stay with the old one. */
  moveDevice(deviceId: string, clientId: string): Promise<DeviceSummary>;
  /** Sets (or clears, with null) the device this one depends on: while that one is down, this one's alerts do not page. */
  setDeviceParent(deviceId: string, parentDeviceId: string | null): Promise<{ id: string; parentDeviceId: string | null }>;

  /** Patch compliance per agent device, of one client. */
  getCompliance(clientId: string): Promise<ComplianceReport>;

  /** Site probe: a probed device's probe, checks and the latest outcome of each. */
  getProbe(deviceId: string, signal?: AbortSignal): Promise<ProbedDeviceInfo>;
  /** Discovery scans of a client, newest first, with what they found. */
  listDiscoveryScans(clientId: string, signal?: AbortSignal): Promise<DiscoveryScanInfo[]>;
  startDiscoveryScan(clientId: string, body: CreateDiscoveryScan): Promise<DiscoveryScanInfo>;
  cancelDiscoveryScan(scanId: string): Promise<DiscoveryScanInfo>;
  /** Makes a found device a probed device of the client; answers the new device's id. */
  adoptDiscovered(scanId: string, address: string, body: AdoptDiscovered): Promise<{ deviceId: string }>;
  /** Maintenance policies of a client. */
  listMaintenancePolicies(clientId: string): Promise<MaintenancePolicyView[]>;
  /** Schedules a task in one of the client's maintenance windows; `code` is the caller's second factor. */
  createMaintenancePolicy(
    body: Pick<MaintenancePolicyView, 'clientId' | 'name' | 'task' | 'params' | 'windowId' | 'pilotDeviceIds' | 'ringDelayDays' | 'holdOthersDays'> & {
      code: string;
    },
  ): Promise<MaintenancePolicyView>;
  deleteMaintenancePolicy(id: string): Promise<void>;
  /** Maintenance jobs of a device, newest first. */
  listJobs(deviceId: string): Promise<JobView[]>;
  /** Runs a catalogue task on devices; `code` is the caller's current second factor. */
  createJob(body: { deviceIds: string[]; task: string; params: Record<string, unknown>; incidentId?: string; code: string }): Promise<JobView[]>;

  /** One page of the audit log, newest first. */
  listAudit(q: AuditQuery, signal?: AbortSignal): Promise<AuditPage>;
}

/** The agent-management endpoints over `request`. */
export function createAdminApi(request: RequestFn): AdminApi {
  const call = async <T>(method: Parameters<RequestFn>[0], path: string, body?: unknown, signal?: AbortSignal) =>
    (await request<T>(method, path, body, { signal })).body;
  const device = (id: string) => `/api/devices/${enc(id)}`;
  return {
    listRefusedAgents: () => call('GET', '/api/refused-agents'),
    dismissRefusedAgent: (id) => call('DELETE', `/api/refused-agents/${enc(id)}`),
    listEnrollmentTokens: (clientId) => call('GET', `/api/clients/${enc(clientId)}/enrollment-tokens`),
    revokeEnrollmentToken: (tokenId) => call('DELETE', `/api/enrollment-tokens/${enc(tokenId)}`),
    getClientAgentConfig: (clientId) => call('GET', `/api/clients/${enc(clientId)}/agent-config`),
    putClientAgentConfig: (clientId, settings) => call('PUT', `/api/clients/${enc(clientId)}/agent-config`, settings),
    getDeviceAgentConfig: (deviceId) => call('GET', `${device(deviceId)}/agent-config`),
    putDeviceAgentConfig: (deviceId, settings) => call('PUT', `${device(deviceId)}/agent-config`, settings),

    disableDevice: (deviceId) => call('POST', `${device(deviceId)}/disable`),
    enableDevice: (deviceId) => call('POST', `${device(deviceId)}/enable`),
    rotateCredential: async (deviceId) => {
      const answer = await request<CredentialRotation>('POST', `${device(deviceId)}/rotate-credential`, {});
      // The status code is the outcome; the body says the same, but trust the code if they differ.
      return { ...answer.body, status: answer.status === 202 ? 'pending' : answer.body.status };
    },
    moveDevice: (deviceId, clientId) => call('PATCH', device(deviceId), { clientId }),
    setDeviceParent: (deviceId, parentDeviceId) => call('PUT', `${device(deviceId)}/parent`, { parentDeviceId }),

    listMaintenancePolicies: (clientId) => call('GET', `/api/maintenance-policies?client=${enc(clientId)}`),
    createMaintenancePolicy: (body) => call('POST', '/api/maintenance-policies', body),
    deleteMaintenancePolicy: async (id) => {
      await call('DELETE', `/api/maintenance-policies/${enc(id)}`);
    },
    getCompliance: (clientId) => call('GET', `/api/jobs/compliance?client=${enc(clientId)}`),
    getProbe: (deviceId, signal) => call('GET', `${device(deviceId)}/probe`, undefined, signal),
    listDiscoveryScans: async (clientId, signal) =>
      (await call<{ scans: DiscoveryScanInfo[] }>('GET', `/api/clients/${enc(clientId)}/discovery-scans`, undefined, signal)).scans,
    startDiscoveryScan: (clientId, body) => call('POST', `/api/clients/${enc(clientId)}/discovery-scans`, body),
    cancelDiscoveryScan: (scanId) => call('DELETE', `/api/discovery-scans/${enc(scanId)}`),
    adoptDiscovered: (scanId, address, body) => call('POST', `/api/discovery-scans/${enc(scanId)}/found/${enc(address)}/adopt`, body),
    listJobs: (deviceId) => call('GET', `/api/jobs?device=${enc(deviceId)}&limit=20`),
    createJob: (body) => call('POST', '/api/jobs', body),

    listAudit: (q, signal) =>
      call(
        'GET',
        `/api/audit${query({ limit: q.limit, before: q.before, actor: q.actor, entityType: q.entityType, entityId: q.entityId })}`,
        undefined,
        signal,
      ),
  };
}
