/**
 * Shapes of the REST answers for managing agents: enrollment tokens, server-managed agent
 * settings and credential rotation (docs/API.md, "Clients" and "Devices"). Types only, so the
 * dashboard can import this file. Times are ms since the Unix epoch.
 */
import type { AgentConfig, AgentSettings } from './protocol.js';

/** A partial agent config kept on the server for a client or a device; absent fields inherit. */
export type { AgentSettings };

/** GET /api/clients/:id/enrollment-tokens (newest first) and DELETE /api/enrollment-tokens/:id: never the secret. */
export interface EnrollmentToken {
  id: string;
  clientId: string;
  label: string | null;
  createdAtMs: number;
  /** null = never expires (revoke it instead). */
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  /** Enrollments with it, re-enrollments included. */
  usedCount: number;
  lastUsedAtMs: number | null;
}

/** GET and PUT /api/clients/:id/agent-config. */
export interface ClientAgentConfig {
  clientId: string;
  config: AgentSettings;
  /** PUT only: how many connected agents got the new config at once. */
  pushedTo?: number;
}

/** GET and PUT /api/devices/:id/agent-config. */
export interface DeviceAgentConfig {
  deviceId: string;
  /** The device's own settings. */
  config: AgentSettings;
  /** Its client's settings (used where the device has none). */
  clientConfig: AgentSettings;
  /** What the agent runs with: per field the device's, else the client's, else the agent's own interval. */
  effective: AgentConfig;
  /** PUT only: the agent was connected and got the config now. */
  isPushed?: boolean;
}

/** POST /api/devices/:id/rotate-credential: 200 `rotated` (the agent confirmed) or 202 `pending` (offline). */
export interface CredentialRotation {
  deviceId: string;
  status: 'rotated' | 'pending';
  requestedAtMs: number | null;
  rotatedAtMs: number | null;
}
