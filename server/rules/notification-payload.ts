/**
 * The payload of an outbox job: everything a channel needs to write a message without touching
 * the database. Pure; built inside the transaction that queues the job.
 */
import type { Alert, OutboxKind } from '../../shared/alert-types.js';

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
}

/** Builds the payload of a notification about `alert`. */
export function buildAlertPayload(alert: Alert, kind: OutboxKind, atMs: number, actor: string, note: string | null = null): AlertNotificationPayload {
  return {
    kind,
    alertId: alert.id,
    state: alert.state,
    severity: alert.severity,
    ruleId: alert.ruleId,
    ruleName: alert.ruleName,
    metric: alert.metric,
    summary: alert.summary,
    clientId: alert.clientId,
    clientName: alert.clientName,
    deviceId: alert.deviceId,
    hostname: alert.hostname,
    labels: alert.labels,
    value: alert.value,
    isFlapping: alert.isFlapping,
    openedAtMs: alert.openedAtMs,
    atMs,
    actor,
    note,
  };
}
