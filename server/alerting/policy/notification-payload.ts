/**
 * The payload of an outbox job: everything a channel needs to write a message without touching
 * the database. Pure; built inside the transaction that queues the job.
 */
import type { Alert, OutboxKind } from '../../../shared/alert-types.js';
import type { AlertNotificationPayload } from '../../../shared/notification-message.js';

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
