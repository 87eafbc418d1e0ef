/**
 * What people do to alerts: acknowledge, resolve, assign, comment. Each action is one
 * transaction that changes the alert, records who did it and when (the alert's own events and,
 * for acknowledge, resolve and assign, the audit log), and (for acknowledge and resolve of an
 * alert that paged) queues the follow-up notification. Listeners hear of it after the commit.
 */
import type { Alert, AlertDetail } from '../../shared/alert-types.js';
import type { Db } from '../store/database.js';
import type { AlertStore } from '../store/alerts.js';
import type { OutboxStore } from '../store/outbox.js';
import type { AlertGroupStore } from '../store/alert-groups.js';
import type { UserStore } from '../store/users.js';
import { HttpError } from '../lib/errors.js';
import { auditActorOf, type AuditLog } from '../audit/audit-log.js';
import { buildAlertPayload } from './policy/notification-payload.js';
import { routeFollowUp } from './policy/routing.js';

/** The person acting. */
export interface Actor {
  id: string;
  username: string;
}

/** How an acknowledgement arrived: in the dashboard/API, or with the link in a notification. */
export type AckVia = 'api' | 'ack-link';

const what = (a: { ruleName: string; hostname: string }) => `"${a.ruleName}" on ${a.hostname}`;

/** Builds the alert actions over the stores; `onChanged` hears of each committed change. */
export function createAlertActions(deps: {
  db: Db;
  alerts: AlertStore;
  /** Acknowledging the alert that leads a group acknowledges the group's other alerts too. */
  alertGroups: AlertGroupStore;
  outbox: OutboxStore;
  users: UserStore;
  audit: AuditLog;
  now: () => number;
  onChanged?: (alertIds: string[]) => void;
}) {
  const { db, alerts, outbox, audit } = deps;
  const changed = (id: string, also: readonly string[] = []): AlertDetail => {
    deps.onChanged?.([id, ...also]);
    return detail(id);
  };

  function mustFind(id: string): Alert {
    const a = alerts.findById(id);
    if (!a) throw new HttpError(404, 'ALERT_NOT_FOUND', `no alert with id ${id}`);
    return a;
  }

  /** Acknowledges one firing alert with its event and follow-up; false when it was not firing. */
  function acknowledgeOne(id: string, actor: Actor, note: string | null, atMs: number): boolean {
    const done = alerts.acknowledgeIfFiring(id, atMs, actor.username);
    if (!done) return false;
    alerts.addEvent(id, atMs, { id: actor.id, name: actor.username }, 'acknowledged', note);
    if (routeFollowUp({ target: 'alert', wasNotified: done.wasNotified })) {
      outbox.enqueue(
        { kind: 'alert.acknowledged', alertId: id, payload: { ...buildAlertPayload(mustFind(id), 'alert.acknowledged', atMs, actor.username, note) } },
        atMs,
      );
    }
    return true;
  }

  /** Returns the other alerts acknowledged with it (the rest of its group, if it leads one). */
  const acknowledge = db.transaction((id: string, actor: Actor, note: string | null, atMs: number): string[] => {
    const before = mustFind(id);
    if (!acknowledgeOne(id, actor, note, atMs))
      throw new HttpError(409, 'ALERT_NOT_FIRING', `alert ${id} is ${before.state}; only a firing alert can be acknowledged`);
    const group = deps.alertGroups.ofAlert(id);
    if (!group || group.leaderAlertId !== id || group.state !== 'firing') return [];
    const n = group.members.length;
    return group.members
      .filter((m) => m.alertId !== id && m.isOpen)
      .filter((m) => acknowledgeOne(m.alertId, actor, `with its group (${n} alerts)${note ? `: ${note}` : ''}`, atMs))
      .map((m) => m.alertId);
  });

  const resolve = db.transaction((id: string, actor: Actor, note: string | null, atMs: number) => {
    mustFind(id);
    const done = alerts.resolveIfOpen(id, atMs, actor.username, 'manual');
    if (!done) throw new HttpError(409, 'ALERT_ALREADY_RESOLVED', `alert ${id} is already resolved`);
    alerts.addEvent(id, atMs, { id: actor.id, name: actor.username }, 'resolved', note);
    if (routeFollowUp({ target: 'alert', wasNotified: done.wasNotified })) {
      outbox.enqueue(
        { kind: 'alert.resolved', alertId: id, payload: { ...buildAlertPayload(mustFind(id), 'alert.resolved', atMs, actor.username, note) } },
        atMs,
      );
    }
  });

  const assign = db.transaction((id: string, actor: Actor, username: string | null, atMs: number) => {
    mustFind(id);
    let assigneeId: string | null = null;
    if (username !== null) {
      const u = deps.users.findForLogin(username);
      if (!u) throw new HttpError(400, 'USER_NOT_FOUND', `no user named "${username}"`);
      assigneeId = u.id;
    }
    alerts.setAssignee(id, assigneeId);
    alerts.addEvent(id, atMs, { id: actor.id, name: actor.username }, 'assigned', username ?? '(nobody)');
  });

  const comment = db.transaction((id: string, actor: Actor, text: string, atMs: number) => {
    mustFind(id);
    alerts.addEvent(id, atMs, { id: actor.id, name: actor.username }, 'commented', text);
  });

  const detail = (id: string): AlertDetail => ({ ...mustFind(id), events: alerts.events(id) });

  return {
    /** firing → acknowledged; 409 ALERT_NOT_FIRING otherwise. */
    acknowledge(id: string, actor: Actor, note: string | null = null, via: AckVia = 'api'): AlertDetail {
      let withGroup: string[] = [];
      audit.audited(auditActorOf(actor), (record) => {
        withGroup = acknowledge(id, actor, note, deps.now());
        const a = mustFind(id);
        const group = withGroup.length > 0 ? ` and the ${withGroup.length} other alert${withGroup.length === 1 ? '' : 's'} of its group` : '';
        record(
          via === 'ack-link'
            ? {
                action: 'alert.acknowledge',
                entityType: 'alert',
                entityId: id,
                summary: `acknowledged alert ${what(a)}${group} with the link in a notification`,
                detail: { via: 'ack-link', group: withGroup },
              }
            : {
                action: 'alert.acknowledge',
                entityType: 'alert',
                entityId: id,
                summary: `acknowledged alert ${what(a)}${group}`,
                detail: { note, group: withGroup },
              },
        );
      });
      return changed(id, withGroup);
    },
    /** firing|acknowledged → resolved by hand; 409 ALERT_ALREADY_RESOLVED otherwise. */
    resolve(id: string, actor: Actor, note: string | null): AlertDetail {
      audit.audited(auditActorOf(actor), (record) => {
        resolve(id, actor, note, deps.now());
        record({ action: 'alert.resolve', entityType: 'alert', entityId: id, summary: `resolved alert ${what(mustFind(id))}`, detail: { note } });
      });
      return changed(id);
    },
    /** Sets (or clears, with null) who works on the alert. */
    assign(id: string, actor: Actor, username: string | null): AlertDetail {
      audit.audited(auditActorOf(actor), (record) => {
        assign(id, actor, username, deps.now());
        record({
          action: 'alert.assign',
          entityType: 'alert',
          entityId: id,
          summary: `assigned alert ${what(mustFind(id))} to ${username ?? 'nobody'}`,
          detail: { assignee: username },
        });
      });
      return changed(id);
    },
    comment(id: string, actor: Actor, text: string): AlertDetail {
      comment(id, actor, text, deps.now());
      return changed(id);
    },
    detail,
  };
}
export type AlertActions = ReturnType<typeof createAlertActions>;
