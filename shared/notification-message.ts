/**
 * What a notification carries, stored with each delivery and rendered by every channel: the
 * message (server/notify/message.ts builds it) and, for alerts, the payload the rule engine
 * queued in the outbox. Webhook receivers get the payload as JSON (docs/API.md). Times are ms
 * since the Unix epoch.
 */
import type { Alert, OutboxKind, Severity } from './alert-types.js';

/** What delivery receives for one alert notification. */
export interface AlertNotificationPayload {
  kind: OutboxKind;
  alertId: string;
  state: Alert['state'];
  severity: Alert['severity'];
  ruleId: string;
  ruleName: string;
  /** The rule's metric id (`fs.usedPct`), or null (offline); for formatting and details. */
  metric: string | null;
  summary: string;
  clientId: string;
  clientName: string;
  deviceId: string;
  hostname: string;
  labels: Record<string, string>;
  value: number | null;
  isFlapping: boolean;
  openedAtMs: number;
  /** When the change happened, ms. */
  atMs: number;
  /** Who made the change: a username, or "system" for the engine. */
  actor: string;
  /** A comment given with the change (manual resolve), if any. */
  note: string | null;
  /**
   * Site probe: the device is the probe of these probed devices (at most 20 names, `count` says
   * how many), whose state is unknown while it is away. Only on offline alerts of a probe.
   */
  probeOf?: { count: number; hostnames: string[] };
}

/** One outage as a message tells it: alerts of one client and rule that fired together. */
export interface AlertGroupSummary {
  id: string;
  clientName: string;
  ruleName: string;
  /** Members still open (firing or acknowledged) and all members, leader included. */
  openCount: number;
  memberCount: number;
  /** Devices the client has, for "4 of 4 devices offline". */
  deviceCount: number;
  /** The members, at most 100 (memberCount says how many there are). */
  devices: { alertId: string; deviceId: string; hostname: string; state: Alert['state']; summary: string }[];
}

/** What a message is about. */
export type MessageKind =
  | 'alert.firing'
  | 'alert.acknowledged'
  | 'alert.resolved'
  | 'delivery.dead'
  | 'digest'
  | 'report'
  | 'test'
  /** A self-check of the server itself went bad (disk nearly full, notifications stuck…), and its all-clear. */
  | 'server.failing'
  | 'server.ok';

/** One message, ready for any channel to render. Built by the server's notify message builder. */
export interface NotificationMessage {
  kind: MessageKind;
  /** Unique per message; sent along (Idempotency-Key, Message-ID) so receivers can dedupe. */
  idempotencyKey: string;
  severity: Severity;
  /** One line, e.g. "[CRITICAL] Filesystem full on jansen-srv (Jansen Accountants)". */
  title: string;
  /** Plain-text body, one entry per line. */
  lines: string[];
  /** Key facts for cards and tables. */
  facts: { name: string; value: string }[];
  /** Ids for technicians and tools (metric id, labels, alert id), shown apart under "Details". */
  details: { name: string; value: string }[];
  /** Signed, expiring, single-use acknowledge link; only on pages. */
  ackUrl: string | null;
  /**
   * Where to look in the dashboard: the device's page for alerts and incidents, the client's alert
   * list for a group page (an outage of several devices), the server's page for tests and digests.
   */
  viewUrl: string | null;
  /** Person channels (email, ntfy): the address (email address, topic); null = channel default. */
  to: string | null;
  /** Shared channels (Slack, Teams, webhook): handles of the people paged, to mention. */
  mentions: string[];
  /** Escalation level (1 = first) of a page, else null. */
  level: number | null;
  /** The alert this is about, if any (for a group: the alert that leads it). */
  alert: AlertNotificationPayload | null;
  /** A page or follow-up about a group of alerts (one outage): who is in it. */
  group?: AlertGroupSummary;
  /** When the message was made, ms. */
  atMs: number;
  /** Files sent along where the channel can (e-mail): the monthly client report's PDF. */
  attachments?: { filename: string; contentType: string; contentBase64: string }[];
}
