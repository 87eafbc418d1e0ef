/** What route modules get: stores, clock, logger and the live parts of the server. */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { UserStore } from '../store/users.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore, Device } from '../store/devices.js';
import type { MetricStore } from '../series/index.js';
import type { Alerting } from '../alerting/index.js';
import type { Billing } from '../billing/index.js';
import type { Notifier } from '../notify/notifier.js';
import type { DeviceHealthQuery } from '../store/device-health.js';
import type { AgentSettingsStore } from '../store/agent-settings.js';
import type { InventoryStore } from '../store/inventory.js';
import type { RotationOutcome } from '../gateway/agent-gateway.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApiTokenStore } from '../store/api-tokens.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { TwoFactor } from '../auth/two-factor.js';
import type { ProbeStore } from '../store/probes.js';
import type { JobSigner } from '../jobs/job-signing.js';
import type { SigningKey } from '../signing/signing-key.js';
import type { SetupService } from '../setup/setup-service.js';
import type { JobService } from '../jobs/job-service.js';
import type { PolicyService } from '../jobs/policy-service.js';
import type { Fleet } from '../fleet/index.js';
import type { AgentUpdateService } from '../fleet/agent-update-service.js';
import type { RefusedAgentService } from '../fleet/refused-agent-service.js';
import type { UserService } from '../accounts/user-service.js';
import type { ApiTokenService } from '../accounts/api-token-service.js';
import type { TwoFactorService } from '../accounts/two-factor-service.js';
import type { LoginService } from '../accounts/login-service.js';
import type { SsoService } from '../accounts/sso-service.js';

/** What routes may ask of live agent connections (implemented by the agent gateway). */
export interface AgentControl {
  /** Pushes a connected device's effective config again; false if it is not connected. */
  refreshConfig(deviceId: string): boolean;
  /** Closes a device's live connection; false if it had none. */
  disconnect(deviceId: string, code: number, reason: string): boolean;
  /** Rotates a device credential over its socket (see the gateway). */
  rotateCredential(deviceId: string, waitMs: number): Promise<RotationOutcome>;
}

export interface ApiContext {
  db: Db;
  /** Clients, enrollment tokens, devices and probed devices: changes with their audit entries (server/fleet/). */
  fleet: Fleet;
  /** Agent self-update: wanted versions, policies and each device's update state (server/fleet/agent-update-service.ts). */
  agentUpdates: AgentUpdateService;
  /** Machines refused for a credential this database does not know (server/fleet/refused-agent-service.ts). */
  refusedAgents: RefusedAgentService;
  /** First-start setup and the public URL (server/setup/). */
  setup: SetupService;
  /** Maintenance jobs on devices (server/jobs/job-service.ts). */
  jobs: JobService;
  /** Scheduled maintenance of monthly clients (server/jobs/policy-service.ts). */
  policies: PolicyService;
  /** User accounts: changes with their audit entries (server/accounts/). */
  userService: UserService;
  /** API tokens: create and revoke with their audit entries. */
  apiTokenService: ApiTokenService;
  /** Two-factor enrolment, recovery codes and policy, with their audit entries. */
  twoFactorService: TwoFactorService;
  /** Password and second-factor checks and logout, with their audit entries. */
  loginService: LoginService;
  /** Single sign-on (OIDC): settings, sign-in methods, the end of a sign-in (server/accounts/sso-service.ts). */
  sso: SsoService;
  /** Where people reach the server: the public URL when set, else the listen address. */
  baseUrl: () => string;
  users: UserStore;
  clients: ClientStore;
  devices: DeviceStore;
  metrics: MetricStore;
  settings: AgentSettingsStore;
  inventory: InventoryStore;
  logger: Logger;
  now: () => number;
  version: string;
  /**
   * True when browsers reach the server over TLS: it serves TLS itself, or QP_PUBLIC_URL is https
   * (a TLS-terminating proxy in front). Cookies get Secure and responses HSTS.
   */
  isTls: boolean;
  /** Online rule for a device (connected and reporting). */
  isOnline: (d: Device) => boolean;
  /** Rules, alerts, incidents and maintenance (server/alerting/index.ts). */
  alerting: Alerting;
  /** Billing reports and the contract advisor (server/billing/index.ts). */
  billing: Billing;
  /** Channels, on-call schedules, escalation and the delivery queue (server/notify/notifier.ts). */
  notify: Notifier;
  /** Open alerts/incidents per device, for the fleet's health colours. */
  deviceHealth: DeviceHealthQuery;
  /** Live agent connections. */
  agents: AgentControl;
  /** Who changed what (server/audit/audit-log.ts). */
  audit: AuditLog;
  /** API tokens (bearer credentials for scripts). */
  apiTokens: ApiTokenStore;
  /** Seals secrets at rest: encryptSecret/decryptSecret (server/lib/secret-box.ts). */
  secrets: SecretBox;
  /** Two-factor login: enrolment, codes, challenges, policy (server/auth/two-factor.ts). */
  twoFactor: TwoFactor;
  /** Site probe: probed devices and their checks (server/store/probes.ts). */
  probes: ProbeStore;
  /** A probed device whose probe is offline: its state is unknown. */
  isStatusUnknown: (d: Device) => boolean;
  /** The job-signing key (a file outside the database; server/jobs/job-signing.ts). */
  jobSigner: JobSigner;
  /** The server's Ed25519 key (server/signing/); its public half is handed out at enrollment. */
  signingKey?: SigningKey;
}
