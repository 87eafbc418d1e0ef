/**
 * The synchronous half of the pipeline, each call one SQLite transaction:
 *
 *   outbox job (from the rules engine)
 *     alert.firing        ─▶ mute (alert no longer firing?) ─▶ start escalation ─▶ page level 1
 *     alert.acknowledged  ─▶ stop escalation ─▶ tell every destination that was paged
 *     alert.resolved      ─▶ stop escalation ─▶ tell every destination that was paged
 *   escalation due        ─▶ mute ─▶ plan (pure) ─▶ page the due levels ─▶ next check
 *   delivery dead         ─▶ notice to the admins by email (never escalates, never raised again)
 *
 * Pages become delivery rows (dedupe: unique idempotency key per outbox job, step and
 * destination); the worker sends them.
 */
import type { Logger } from 'pino';
import type { Severity } from '../../shared/alert-types.js';
import type { EscalationPolicy, EscalationTarget } from '../../shared/notify-types.js';
import type { Db } from '../store/database.js';
import type { AlertStore } from '../store/alerts.js';
import type { OutboxJob, OutboxStore } from '../store/outbox.js';
import type { DeliveryStore, ClaimedDelivery } from '../store/deliveries.js';
import type { EscalationRecord, EscalationStore } from '../store/escalations.js';
import type { OnCallStore } from '../store/oncall.js';
import type { ChannelStore } from '../store/channels.js';
import type { UserStore } from '../store/users.js';
import { buildAlertPayload } from '../alerting/policy/notification-payload.js';
import type { AlertNotificationPayload } from '../../shared/notification-message.js';
import { SYSTEM_ACTOR } from '../alerting/engine/engine-writer.js';
import type { AckLinks } from './ack-links.js';
import type { MessageKind } from './channels/types.js';
import { planEscalation, stepKey, type EscalationStep } from '../oncall/escalation.js';
import { buildAlertMessage, buildDeadLetterMessage } from './message.js';
import { IMPLICIT_LEVELS, IMPLICIT_POLICY_NAME } from '../oncall/oncall-service.js';
import type { Destination, RecipientResolver } from '../oncall/recipients.js';

/** Used when no policy is configured: page every admin once. */
export const IMPLICIT_POLICY: EscalationRecord['policy'] = {
  name: IMPLICIT_POLICY_NAME,
  levels: IMPLICIT_LEVELS,
  repeat: 0,
  repeatAfterMs: 600_000,
};

const ADMINS: EscalationTarget = { type: 'role', role: 'admin' };

/** What the dispatcher is built from. */
export interface DispatcherDeps {
  db: Db;
  outbox: OutboxStore;
  alerts: AlertStore;
  users: UserStore;
  deliveries: DeliveryStore;
  escalations: EscalationStore;
  oncall: OnCallStore;
  channels: ChannelStore;
  resolver: RecipientResolver;
  ackLinks: AckLinks;
  logger: Logger;
  /** Dashboard base URL for links. */
  baseUrl: () => string;
  /** Who is paged when a step reaches nobody (default: every admin). */
  fallbackTarget?: () => EscalationTarget;
}

/** An alert whose routing reached nobody and went to the fallback: its 'paged' event starts so. */
export const UNROUTED_PREFIX = 'unrouted: ';

/** What became of an outbox job. */
interface Handled {
  status: 'dispatched' | 'skipped';
  note: string | null;
}

const toPlan = (p: Pick<EscalationPolicy, 'levels' | 'repeat' | 'repeatAfterMs'>) => ({
  levels: p.levels,
  repeat: p.repeat === 'until-acknowledged' ? null : p.repeat,
  repeatAfterMs: p.repeatAfterMs,
});

/** Builds the dispatcher. */
export function createDispatcher(deps: DispatcherDeps) {
  const { db, outbox, alerts, deliveries, escalations, resolver, ackLinks, logger } = deps;
  const viewUrl = (deviceId: string) => `${deps.baseUrl().replace(/\/+$/, '')}/#/devices/${encodeURIComponent(deviceId)}`;

  function queue(
    d: Destination,
    base: {
      idempotencyKey: string;
      outboxId: number | null;
      alertId: string | null;
      purpose: 'page' | 'update' | 'dead-letter';
      kind: MessageKind;
      level: number | null;
    },
    message: Parameters<DeliveryStore['insert']>[0]['message'],
    nowMs: number,
  ): boolean {
    return deliveries.insert(
      {
        ...base,
        channelId: d.channel.id,
        channelType: d.channel.type,
        channelName: d.channel.name,
        userId: d.userId,
        recipient: d.recipient,
        toAddress: d.to,
        mentions: d.mentions,
        destinationKey: d.destinationKey,
        message,
      },
      nowMs,
    );
  }

  /** Pages one step of an alert's ladder; a step that reaches nobody pages the fallback instead. */
  function pageStep(
    payload: AlertNotificationPayload,
    jobKey: string,
    outboxId: number | null,
    e: EscalationRecord,
    step: EscalationStep,
    nowMs: number,
  ): void {
    const level = e.policy.levels[step.level];
    if (!level) return;
    const r = resolver.resolveTargets(level.targets, nowMs);
    const label = `level ${step.level + 1}${step.cycle > 0 ? `, repeat ${step.cycle}` : ''}`;
    const why = r.problems.length > 0 ? ` — ${r.problems.join('; ')}` : '';
    let destinations = r.destinations;
    let detail = `${label}: ${destinations.map((d) => `${d.recipient} (${d.channel.type})`).join('; ')}${why}`;
    if (destinations.length === 0) {
      const fallback = resolver.resolveTargets([deps.fallbackTarget?.() ?? ADMINS], nowMs);
      destinations = fallback.destinations;
      const who = destinations.map((d) => `${d.recipient} (${d.channel.type})`).join('; ');
      detail = `${UNROUTED_PREFIX}${label} reached nobody${why}; ${who ? `paged the fallback: ${who}` : `the fallback reached nobody too — ${fallback.problems.join('; ')}`}`;
      if (destinations.length === 0)
        logger.error(
          { alertId: payload.alertId, level: step.level + 1, problems: [...new Set([...r.problems, ...fallback.problems])] },
          'alert reached nobody, not even the fallback',
        );
      else logger.warn({ alertId: payload.alertId, level: step.level + 1, problems: r.problems }, 'escalation step reached nobody; paged the fallback');
    }
    for (const d of destinations) {
      const idempotencyKey = `${jobKey}|${stepKey(step)}|${d.destinationKey}`;
      const message = buildAlertMessage(
        payload,
        'alert.firing',
        {
          idempotencyKey,
          to: d.to,
          mentions: d.mentions,
          ackUrl: ackLinks.create(payload.alertId, d.ackRecipient),
          viewUrl: viewUrl(payload.deviceId),
          atMs: nowMs,
        },
        step.level + 1,
      );
      if (destinations !== r.destinations) message.lines.splice(1, 0, `You get this as the fallback: ${label} of "${e.policy.name}" reached nobody${why}.`);
      queue(d, { idempotencyKey, outboxId, alertId: payload.alertId, purpose: 'page', kind: 'alert.firing', level: step.level + 1 }, message, nowMs);
    }
    alerts.addEvent(payload.alertId, nowMs, SYSTEM_ACTOR, 'paged', detail);
  }

  /** Plans and pages what is due for one escalation; stops it when the alert is no longer firing. */
  function advance(e: EscalationRecord, nowMs: number, outboxId: number | null = null): void {
    const alert = alerts.findById(e.alertId);
    if (!alert || alert.state !== 'firing') {
      escalations.stop(e.alertId, nowMs, alert ? alert.state : 'alert deleted');
      return;
    }
    const plan = planEscalation(toPlan(e.policy), { startedAtMs: e.startedAtMs, isStopped: e.stoppedAtMs !== null, pagedSteps: new Set(e.pagedSteps) }, nowMs);
    const payload = buildAlertPayload(alert, 'alert.firing', e.startedAtMs, 'system');
    for (const step of plan.due) pageStep(payload, `alert.firing:${e.alertId}`, outboxId, e, step, nowMs);
    escalations.progress(e.alertId, [...e.pagedSteps, ...plan.due.map(stepKey)], plan.nextAtMs);
  }

  function handleFiring(job: OutboxJob, nowMs: number): Handled {
    const alert = job.alertId ? alerts.findById(job.alertId) : undefined;
    if (!alert) return { status: 'skipped', note: 'alert no longer exists' };
    if (alert.state !== 'firing') return { status: 'skipped', note: `alert was ${alert.state} before it was paged` };
    const policy = deps.oncall.policyFor(alert.clientId);
    const snapshot = policy ? { name: policy.name, levels: policy.levels, repeat: policy.repeat, repeatAfterMs: policy.repeatAfterMs } : IMPLICIT_POLICY;
    const payload = job.payload as unknown as AlertNotificationPayload;
    escalations.start({ alertId: alert.id, policyId: policy?.id ?? null, policy: snapshot, startedAtMs: Math.min(nowMs, payload.atMs ?? nowMs) });
    advance(escalations.find(alert.id)!, nowMs, job.id);
    return { status: 'dispatched', note: policy ? null : 'no escalation policy configured: paged all admins' };
  }

  function handleFollowUp(job: OutboxJob, nowMs: number): Handled {
    if (!job.alertId) return { status: 'skipped', note: 'no alert' };
    escalations.stop(job.alertId, nowMs, job.kind === 'alert.acknowledged' ? 'acknowledged' : 'resolved');
    const payload = job.payload as unknown as AlertNotificationPayload;
    const paged = deliveries.pagedDestinations(job.alertId);
    for (const p of paged) {
      // A channel switched off since the page gets no follow-up (it would only dead-letter).
      if (!deps.channels.findById(p.channelId)?.isEnabled) continue;
      const idempotencyKey = `${job.idempotencyKey}|${p.destinationKey}`;
      const message = buildAlertMessage(payload, job.kind, {
        idempotencyKey,
        to: p.toAddress,
        mentions: p.mentions,
        ackUrl: null,
        viewUrl: viewUrl(payload.deviceId),
        atMs: nowMs,
      });
      deliveries.insert(
        {
          idempotencyKey,
          outboxId: job.id,
          alertId: job.alertId,
          purpose: 'update',
          kind: job.kind,
          channelId: p.channelId,
          channelType: p.channelType,
          channelName: p.channelName,
          userId: p.userId,
          recipient: p.recipient,
          toAddress: p.toAddress,
          mentions: p.mentions,
          destinationKey: p.destinationKey,
          level: null,
          message,
        },
        nowMs,
      );
    }
    return { status: 'dispatched', note: paged.length === 0 ? 'nobody had been paged' : null };
  }

  const dispatchBatch = db.transaction((nowMs: number, limit: number): number => {
    const jobs = outbox.due(nowMs, limit);
    for (const job of jobs) {
      let handled: Handled;
      try {
        handled = db.transaction(() => (job.kind === 'alert.firing' ? handleFiring(job, nowMs) : handleFollowUp(job, nowMs)))();
      } catch (err) {
        // One bad job must not block the queue: recorded, skipped, logged.
        logger.error({ err, outboxId: job.id, kind: job.kind }, 'outbox job could not be dispatched; skipped');
        outbox.finish(job.id, 'skipped', `dispatch failed: ${(err as Error).message}`);
        continue;
      }
      outbox.finish(job.id, handled.status, handled.note);
    }
    return jobs.length;
  });

  const escalateBatch = db.transaction((nowMs: number): number => {
    const due = escalations.due(nowMs);
    for (const e of due) advance(e, nowMs);
    return due.length;
  });

  const raise = db.transaction((dead: ClaimedDelivery, error: string, nowMs: number): number => {
    const admins = deps.users
      .list()
      .filter((u) => u.role === 'admin')
      .map((u) => u.id);
    const r = resolver.resolveUsers(admins, ['email']);
    let n = 0;
    for (const d of r.destinations) {
      const idempotencyKey = `dead:${dead.id}|${d.destinationKey}`;
      const severity: Severity = dead.message.severity;
      const message = buildDeadLetterMessage(
        {
          id: dead.id,
          title: dead.message.title,
          channelName: dead.channelName,
          channelType: dead.channelType,
          recipient: dead.recipient,
          attempts: dead.attempts,
          error,
          severity,
        },
        { idempotencyKey, to: d.to, mentions: [], ackUrl: null, viewUrl: `${deps.baseUrl().replace(/\/+$/, '')}/#/notifications`, atMs: nowMs },
      );
      if (queue(d, { idempotencyKey, outboxId: null, alertId: dead.alertId, purpose: 'dead-letter', kind: 'delivery.dead', level: null }, message, nowMs)) n++;
    }
    if (r.destinations.length === 0)
      logger.error({ deliveryId: dead.id, problems: r.problems }, 'dead letter could not be raised: no admin reachable by email');
    return n;
  });

  return {
    /** Turns due outbox jobs into deliveries; returns how many jobs were handled. */
    dispatchPending(nowMs: number, limit = 200): number {
      return dispatchBatch(nowMs, limit);
    },
    /** Pages escalation steps that fell due; returns how many escalations were looked at. */
    escalateDue(nowMs: number): number {
      return escalateBatch(nowMs);
    },
    /**
     * Tells the admins (by email) that a delivery finally failed. Notices about notices and
     * channel tests are not raised: no loops.
     */
    raiseDeadLetter(dead: ClaimedDelivery, error: string, nowMs: number): number {
      if (dead.purpose === 'dead-letter' || dead.purpose === 'test') return 0;
      return raise(dead, error, nowMs);
    },
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
