/**
 * Shapes of REST answers shared by the server (which builds them) and the dashboard (which
 * reads them). Times are ms since the Unix epoch; units are in the key names.
 */
import type { InventorySection, InventorySections } from './protocol.js';
import type { DeviceKind } from './probe.js';
import type { Locale } from './i18n/index.js';
import type { EnrollmentToken } from './device-admin-types.js';

/** Contract models a client can have. */
export type ContractType = 'monthly' | 'break-fix';

/** The error body every failing /api call answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** One device as listed in the fleet (GET /api/devices) and pushed live. */
export interface DeviceSummary {
  id: string;
  hostname: string;
  clientId: string;
  clientName: string;
  contract: ContractType;
  /**
   * true while the agent's socket is connected and it reported within 3 intervals; for a probed
   * device: its probe's socket, and one of its reachability checks (snmp, ping, tcp, http) is up.
   */
  isOnline: boolean;
  lastSeenMs: number | null;
  intervalMs: number;
  isDisabled: boolean;
  /** Latest values at a glance; null until the first report. */
  cpuLoadPct: number | null;
  memUsedPct: number | null;
  /** The fullest filesystem's used percentage. */
  diskUsedPct: number | null;
  enrolledAtMs: number;
  /** Alerts of this device that are firing (not yet acknowledged). */
  firingAlerts: number;
  /** Alerts firing or acknowledged. */
  openAlerts: number;
  /** Incidents still open. */
  openIncidents: number;
  /** The worst severity among open alerts and incidents; null when there are none. */
  worstSeverity: 'info' | 'warning' | 'critical' | null;
  /** Site probe: the kind of a probed device (printer, ups, switch, firewall, nas, website); absent for agent devices. */
  kind?: DeviceKind;
  /** Site probe: the agent device that checks this one. */
  probeDeviceId?: string;
  /** Site probe: the probe is offline, so nobody knows this device's state (shown "unknown", never "down"). */
  isStatusUnknown?: boolean;
}

/** The latest inventory of a device: per section, when the agent collected it and what it said. */
export type DeviceInventory = {
  [K in InventorySection]?: { tsMs: number; data: NonNullable<InventorySections[K]> };
};

/** GET /api/devices/:id: the summary plus facts and the series it has reported. */
export interface DeviceDetail extends DeviceSummary {
  agentVersion: string | null;
  facts: Record<string, string | number>;
  /** The series this device has, e.g. { name: 'fs.usedPct', labels: { mount: '/' } }. */
  series: { name: string; labels: Record<string, string> }[];
  /** Latest value per series key (see formatSeriesKey). */
  latest: Record<string, number>;
  /** Latest inventory sections the agent sent (services, processes, printers, disks, users, updates, facts). */
  inventory?: DeviceInventory;
  /** A credential rotation was asked for and the agent has not confirmed it yet. */
  isCredentialRotationPending?: boolean;
  /** When the agent last confirmed a rotated credential. */
  credentialRotatedAtMs?: number | null;
  /** The device this one depends on (router, firewall): while it is down, this one's alerts do not page. */
  parentDeviceId?: string | null;
}

/** One bucket of a downsampled series: the bucket's time and its min/avg/max. */
export interface MetricPoint {
  tsMs: number;
  avg: number;
  min: number;
  max: number;
}

/** GET /api/devices/:id/metrics?name=&from=&to=&points= */
export interface MetricSeriesResponse {
  deviceId: string;
  name: string;
  fromMs: number;
  toMs: number;
  /** Bucket width used, ms (0 when raw points were returned). */
  stepMs: number;
  /** Resolution the buckets were built from: 0 = raw values, 60000 = 1-minute rollups, 3600000 = 1-hour rollups. */
  resolutionMs: number;
  series: { labels: Record<string, string>; points: MetricPoint[] }[];
}

/** What a user may do: admins everything, technicians act on alerts/incidents/clients/rules, viewers read. */
export type UserRole = 'admin' | 'technician' | 'viewer';

/** GET /api/me and POST /api/login answer. */
export interface SessionUser {
  id: string;
  username: string;
  role: UserRole;
  /** Two-factor state (GET /api/me): enrolled, and whether the user's role requires it. */
  twoFactor?: { isEnrolled: boolean; isRequired: boolean };
  /** How this session signed in: a password here, or single sign-on (the identity provider then owns the second factor). */
  signInMethod?: 'password' | 'sso';
  /** The dashboard language the user chose on the account page; null follows the browser (absent for an API token). */
  locale?: 'en' | 'nl' | null;
}

/** GET /api/sign-in-methods (public): what the login page offers. */
export interface SignInMethods {
  /** 'everyone': anyone with a password may use it; 'break-glass': only the listed emergency admins. */
  password: 'everyone' | 'break-glass';
  /** Single sign-on, when it is on: the button's name and where it starts. */
  sso: { displayName: string; startUrl: string } | null;
}

/** Role names of the identity provider's claim that give each Quarkpulse role. */
export interface SsoRoleMap {
  admin: string[];
  technician: string[];
  viewer: string[];
}

/** Single sign-on (OIDC) settings as GET /api/auth/sso answers them; the client secret is never returned. */
export interface SsoSettingsView {
  isEnabled: boolean;
  /** The provider's name on the login button ("Microsoft", "Google", "Authentik"…). */
  displayName: string;
  /** The OpenID provider's issuer URL (its /.well-known/openid-configuration is read from there). */
  issuer: string;
  clientId: string;
  /** True when a client secret is stored (it is sealed and never shown again). */
  hasClientSecret: boolean;
  /** Scopes asked for; always includes openid. */
  scopes: string[];
  /** Claim that holds the user's groups or roles; a dotted path reaches into objects (Keycloak: realm_access.roles). */
  roleClaim: string;
  roleMap: SsoRoleMap;
  /** Role for a person whose claim matches none of the map; null refuses them. */
  defaultRole: 'technician' | 'viewer' | null;
  /** Claim that names a new user (made on their first sign-in). */
  usernameClaim: 'preferred_username' | 'email' | 'upn' | 'sub';
  /** Who may still sign in with a password. */
  passwordSignIn: 'everyone' | 'break-glass';
  /** Admins who may sign in with a password when passwordSignIn is 'break-glass'. */
  breakGlassUsernames: string[];
  /** Where the provider sends people back: register this redirect URI at the provider. */
  redirectUri: string;
  updatedAtMs: number | null;
  updatedBy: string | null;
}

/** POST /api/login answer when two-factor login is on: no session yet, only this challenge. */
export interface LoginChallenge {
  secondFactorRequired: true;
  /** Send it back with the code to POST /api/login/second-factor; lives 5 minutes, takes 5 wrong codes. */
  challenge: string;
  expiresAtMs: number;
  methods: ('totp' | 'recovery-code')[];
}

/** GET /api/me/two-factor. */
export interface TwoFactorStatus {
  isEnrolled: boolean;
  /** The user's role must use two-factor login. */
  isRequired: boolean;
  /** An enrolment was started and waits for its first code. */
  isPending: boolean;
  enrolledAtMs: number | null;
  recoveryCodesLeft: number;
}

/** POST /api/me/two-factor/start: the seed for an authenticator app (shown only now). */
export interface TwoFactorEnrolment {
  /** Base32 seed, for typing in by hand. */
  secret: string;
  otpauthUri: string;
  /** The otpauth URI as a QR code, SVG markup made by the server. */
  qrSvg: string;
}

/**
 * GET /api/users: admins see every field; other roles see id, username and role only (enough to
 * pick an assignee).
 */
export interface UserAccount {
  id: string;
  username: string;
  role: UserRole;
  email?: string | null;
  createdAtMs?: number;
}

/** A client as GET /api/clients answers it. Money is in `currency` units. */
export interface ClientInfo {
  id: string;
  name: string;
  contract: ContractType;
  monthlyFee: number;
  hourlyRate: number;
  currency: string;
  /** IANA time zone; recurring maintenance and billing dates are read in it. */
  timezone: string;
  contact: string | null;
  createdAtMs: number;
}

/** Body of POST /api/clients (and, partially, PATCH /api/clients/:id). */
export interface ClientInput {
  name: string;
  contract: ContractType;
  monthlyFee?: number;
  hourlyRate?: number;
  currency?: string;
  timezone?: string;
  contact?: string | null;
}

/** POST /api/clients/:id/enrollment-tokens answer; `token` is shown only here. */
export type EnrollmentTokenCreated = EnrollmentToken & { token: string };

/** Every action the audit log records, as `entity.verb`. */
export const AUDIT_ACTIONS = [
  'login.success',
  'login.failure',
  'logout',
  'user.create',
  'user.update',
  'user.password-reset',
  'user.password-change',
  'user.link-sso',
  'user.delete',
  'user.contact-add',
  'user.contact-remove',
  'api-token.create',
  'api-token.revoke',
  'client.create',
  'client.update',
  'client.delete',
  'client.agent-config',
  'enrollment-token.create',
  'enrollment-token.revoke',
  'device.enroll',
  'device.move',
  'device.parent',
  'device.disable',
  'device.enable',
  'device.rotate-credential',
  'device.agent-config',
  'agent-update.policy',
  'refused-agent.dismiss',
  'device.probed-create',
  'status-link.create',
  'status-link.revoke',
  'device.probed-update',
  'discovery.scan-start',
  'discovery.scan-cancel',
  'rule.create',
  'rule.update',
  'rule.enable',
  'rule.disable',
  'rule.delete',
  'maintenance.create',
  'maintenance.update',
  'maintenance.delete',
  'channel.create',
  'channel.update',
  'channel.delete',
  'channel.test',
  'schedule.create',
  'schedule.update',
  'schedule.delete',
  'schedule.override-add',
  'schedule.override-delete',
  'escalation-policy.create',
  'escalation-policy.update',
  'escalation-policy.delete',
  'digest.update',
  'delivery.retry',
  'alert.acknowledge',
  'alert.resolve',
  'alert.assign',
  'incident.open',
  'incident.close',
  'incident.bill',
  'incident.time-book',
  'incident.time-remove',
  'login.second-factor-failure',
  'two-factor.enrol',
  'two-factor.disable',
  'two-factor.recovery-used',
  'two-factor.recovery-regenerate',
  'auth-settings.update',
  'secrets.rotate-key',
  'oncall.fallback',
  'oncall.grouping',
  'server.setup',
  'server.public-url',
  'oncall.test-page',
  'alert.time-book',
  'alert.time-remove',
  'client.report-settings',
  'report.send',
  'audit.export',
  'job.create',
  'job.result',
  'maintenance-policy.create',
  'maintenance-policy.delete',
  'maintenance-policy.run',
  'retention.prune',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One audit log entry (GET /api/audit). */
export interface AuditEntry {
  /** Increasing with time; the `before` cursor of the next page. */
  id: number;
  atMs: number;
  /** User id, `token:<id>` for an API token, null when nobody was identified (a failed login of an unknown name). */
  actorId: string | null;
  /** Username, `api-token:<name>`, or null. Copied at the time: it survives the user. */
  actorName: string | null;
  action: AuditAction;
  /** What was acted on: client, device, rule, user, alert, incident, … */
  entityType: string;
  entityId: string | null;
  /** One line for people, e.g. `contract of "Acme" monthly → break-fix`. */
  summary: string;
  /** Structured detail (changed fields as { from, to }); never a secret. */
  detail: Record<string, unknown>;
}

/** GET /api/audit answer: newest first; pass `nextBefore` as `before` for the next page (null: no more). */
export interface AuditPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}

/** An API token as listed; the secret itself is shown only once, when it is created. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  role: UserRole;
  createdAtMs: number;
  /** Username of the admin who created it (null if that user is gone). */
  createdBy: string | null;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  lastUsedAtMs: number | null;
}

/** POST /api/api-tokens answer: the info plus `token` (`qpt_…`), shown only here. */
export interface ApiTokenCreated extends ApiTokenInfo {
  token: string;
}

/** A maintenance job of one device (GET /api/jobs; docs/MAINTENANCE.md "Running a task"). */
export interface JobView {
  id: string;
  deviceId: string;
  clientId: string;
  task: string;
  params: Record<string, unknown>;
  notBeforeMs: number;
  notAfterMs: number;
  /** The envelope's one-time value (signed with it). */
  nonce: string;
  incidentId: string | null;
  state: 'queued' | 'sent' | 'running' | 'done' | 'failed' | 'refused' | 'expired';
  createdAtMs: number;
  createdBy: string;
  sentAtMs: number | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  code: string | null;
  message: string | null;
  exitCode: number | null;
  durationMs: number | null;
  output: string | null;
  outputBytes: number | null;
  outputSha256: string | null;
  result: Record<string, unknown> | null;
}

/** Patch compliance of one agent device (GET /api/jobs/compliance). */
export interface DeviceCompliance {
  deviceId: string;
  hostname: string;
  clientId: string;
  clientName: string;
  /** From the last update scan that ran (null: never scanned). */
  pendingUpdates: number | null;
  securityUpdates: number | null;
  lastScanAtMs: number | null;
  /** The last update install's outcome, and when one last succeeded. */
  lastInstallState: 'done' | 'failed' | 'refused' | 'expired' | null;
  lastInstallOkAtMs: number | null;
  /** Jobs of any task that failed or were refused in the last 30 days. */
  failedJobs30d: number;
  /** ok: scanned within 7 days, no security update pending, nothing failed; else what is wrong. */
  status: 'ok' | 'not-scanned' | 'security-pending' | 'failing';
}

/** GET /api/jobs/compliance. */
export interface ComplianceReport {
  devices: DeviceCompliance[];
  totals: { devices: number; ok: number; notScanned: number; securityPending: number; failing: number };
}

/** A maintenance policy (GET /api/maintenance-policies; docs/MAINTENANCE.md "Policies"). */
export interface MaintenancePolicyView {
  id: string;
  clientId: string;
  name: string;
  task: string;
  params: Record<string, unknown>;
  /** The client's recurring maintenance window it runs in. */
  windowId: string;
  pilotDeviceIds: string[];
  ringDelayDays: number;
  excludedDeviceIds: string[];
  /** Device overrides: other task parameters for these devices. */
  deviceParams: Record<string, Record<string, unknown>>;
  /** updates.install only: security updates at once, the others once a scan first saw them this many days ago (null: as params say). */
  holdOthersDays: number | null;
  isEnabled: boolean;
  createdAtMs: number;
  createdBy: string;
  /** The occurrence last run (its start), the pilot run the rest wait for, and from when they may run. */
  lastRunStartMs: number | null;
  pilotRunStartMs: number | null;
  restDueAfterMs: number | null;
}

/** GET /api/refused-agents: a machine refused for a credential this server does not know (docs/OPERATIONS.md §9). */
export interface RefusedAgent {
  /** First 16 hex digits of the refused credential's SHA-256. */
  id: string;
  /** What the agent claimed in its upgrade (unverified). */
  deviceId: string | null;
  hostname: string | null;
  /** linux-x64, linux-arm64, windows-x64, … */
  platform: string | null;
  remoteIp: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
  attempts: number;
  /** The claimed device id is in this database (its credential changed after the backup). */
  isKnownDevice: boolean;
}

/** A monthly client report made for sending (GET /api/reports/client-report/archive). */
export interface ArchivedReport {
  id: string;
  clientId: string;
  month: string;
  language: 'en' | 'nl';
  createdAtMs: number;
  pdfSha256: string;
  pdfBytes: number;
  delivery: 'sent' | 'no-contacts' | 'failed';
  detail: string | null;
}

/** GET/PUT /api/reports/client-settings/:clientId: how a client's reports are written and sent, and how its time is billed. */
export interface ReportSettings {
  language: Locale;
  /** E-mail addresses that receive the monthly report. */
  reportContacts: string[];
  /** Each time entry is rounded up to a multiple of this, minutes (1 = no rounding). */
  roundingIncrementMin: number;
  /** Least billed time per incident, minutes (0 = none). */
  minimumChargeMin: number;
  /** What an hour of the MSP's effort costs it, for profitability of monthly contracts. */
  internalCostRate: number;
}

/** A read-only status link of a client (GET /api/clients/:id/status-links), never its token. */
export interface StatusLink {
  id: string;
  clientId: string;
  label: string | null;
  showHostnames: boolean;
  createdAtMs: number;
  createdBy: string | null;
  revokedAtMs: number | null;
}
