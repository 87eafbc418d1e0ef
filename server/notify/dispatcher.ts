/**
 * The synchronous half of the pipeline, each call one SQLite transaction:
 *
 *   outbox job (from the rules engine)
 *     alert.firing        ─▶ mute (alert no longer firing?) ─▶ group (pure, policy/grouping.ts):
 *                              parent down ─▶ record, no page (paged later if still open when it is back)
 *                              joins a group ─▶ record; the group's follow-up names it
 *                              leads ─▶ start escalation ─▶ page level 1 at once
 *     alert.acknowledged  ─▶ stop escalation ─▶ tell every destination that was paged
 *     alert.resolved      ─▶ stop escalation ─▶ tell every destination that was paged
 *                           (a group member: folded into the group; the last one resolves the group)
 *   group follow-up due   ─▶ one page to everyone paged for the group, naming all its members
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
import type { DeliveryStore, ClaimedDelivery, PagedDestination } from '../store/deliveries.js';
import type { EscalationRecord, EscalationStore } from '../store/escalations.js';
import type { OnCallStore } from '../store/oncall.js';
import type { ChannelStore } from '../store/channels.js';
import type { UserStore } from '../store/users.js';
import type { AlertGroup, AlertGroupStore } from '../store/alert-groups.js';
import type { Alert } from '../../shared/alert-types.js';
import type { AlertGroupSummary } from '../../shared/notification-message.js';
import { decideClosing, decideFiring, followUpAtAfterJoin, DEFAULT_GROUP_WINDOW_MS, DEPENDENCY_RELEASE_GRACE_MS } from '../alerting/policy/grouping.js';
import { generateId } from '../lib/secrets.js';
import { buildAlertPayload } from '../alerting/policy/notification-payload.js';
import type { AlertNotificationPayload } from '../../shared/notification-message.js';
import { SYSTEM_ACTOR } from '../alerting/engine/engine-writer.js';
import type { AckLinks } from './ack-links.js';
import type { MessageKind } from './channels/types.js';
import { planEscalation, stepKey, type EscalationStep } from '../oncall/escalation.js';
import { buildAlertMessage, buildDeadLetterMessage, buildGroupMessage, formatUtc } from './message.js';
import { IMPLICIT_LEVELS, IMPLICIT_POLICY_NAME } from '../oncall/oncall-service.js';
import { deliveryTarget, type Destination, type RecipientResolver } from '../oncall/recipients.js';

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
  /** Alert groups (one page per outage) and dependency suppressions. */
  groups: AlertGroupStore;
  /** The grouping window, ms (0 = grouping off); default 60 s. */
  groupWindowMs?: () => number;
  /** Site probe: the hostnames of the probed devices a device checks (none for most). */
  probedDevicesOf?: (deviceId: string) => string[];
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
  const { db, outbox, alerts, deliveries, escalations, resolver, ackLinks, logger, groups } = deps;
  const viewUrl = (deviceId: string) => `${deps.baseUrl().replace(/\/+$/, '')}/#/devices/${encodeURIComponent(deviceId)}`;
  /** An offline alert of a site probe says so: its probed devices are unknown until it is back. */
  const withProbeRole = (payload: AlertNotificationPayload): AlertNotificationPayload => {
    if (payload.metric !== null || !deps.probedDevicesOf || payload.probeOf) return payload;
    if (alerts.findById(payload.alertId)?.ruleKind !== 'offline') return payload;
    const hostnames = deps.probedDevicesOf(payload.deviceId);
    return hostnames.length === 0 ? payload : { ...payload, probeOf: { count: hostnames.length, hostnames: hostnames.slice(0, 20) } };
  };

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
        ...deliveryTarget(d),
        message,
      },
      nowMs,
    );
  }

  /** Queues a message to a destination that was paged before (follow-ups, group messages). */
  function queueToPaged(
    p: PagedDestination,
    base: { idempotencyKey: string; outboxId: number | null; alertId: string; purpose: 'page' | 'update'; kind: MessageKind },
    message: Parameters<DeliveryStore['insert']>[0]['message'],
    nowMs: number,
  ): void {
    deliveries.insert(
      {
        ...base,
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

  /** Pages one step of an alert's ladder; a step that reaches nobody pages the fallback instead. */
  function pageStep(
    alertPayload: AlertNotificationPayload,
    jobKey: string,
    outboxId: number | null,
    e: EscalationRecord,
    step: EscalationStep,
    nowMs: number,
  ): void {
    const level = e.policy.levels[step.level];
    if (!level) return;
    const payload = withProbeRole(alertPayload);
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
    // An escalation of an outage pages with the group's words: every device, not just the first.
    const group = step.level > 0 || step.cycle > 0 ? groups.ofAlert(payload.alertId) : undefined;
    const leader = group && group.members.length > 1 ? alerts.findById(payload.alertId) : undefined;
    const summary = group && leader ? summarize(group, leader) : undefined;
    for (const d of destinations) {
      const idempotencyKey = `${jobKey}|${stepKey(step)}|${d.destinationKey}`;
      let message = buildAlertMessage(
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
      if (summary && group && leader) {
        const escalated = message.lines.find((l) => l.startsWith('Escalated to level'));
        message = {
          ...buildGroupMessage(summary, payload, 'alert.firing', { ...message, openedAtMs: group.openedAtMs, isOffline: leader.ruleKind === 'offline' }),
          level: step.level + 1,
        };
        if (escalated) message.lines.splice(1, 0, escalated);
      }
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

  const windowMs = () => deps.groupWindowMs?.() ?? DEFAULT_GROUP_WINDOW_MS;
  /** Groups opened by the batch being dispatched: members that arrive in the same batch go into the first page. */
  const formedThisBatch = new Set<string>();

  /**
   * A group that gained members in the batch that opened it (one engine tick saw ten devices go
   * offline): its first page, not yet sent, becomes the group's page. Nothing waited for this.
   */
  function foldIntoFirstPage(groupId: string, nowMs: number): void {
    const g = groups.find(groupId);
    if (!g || g.members.length < 2) return;
    const leader = alerts.findById(g.leaderAlertId);
    if (!leader) return;
    const summary = summarize(g, leader);
    const payload = buildAlertPayload(leader, 'alert.firing', g.openedAtMs, 'system');
    let rewritten = 0;
    for (const page of deliveries.unsentPages(leader.id)) {
      const m = page.message;
      const message = buildGroupMessage(summary, payload, 'alert.firing', {
        idempotencyKey: m.idempotencyKey,
        to: m.to,
        mentions: m.mentions,
        ackUrl: m.ackUrl,
        viewUrl: m.viewUrl,
        atMs: m.atMs,
        openedAtMs: g.openedAtMs,
        isOffline: leader.ruleKind === 'offline',
      });
      message.level = m.level;
      if (deliveries.rewriteUnsent(page.id, message)) rewritten++;
    }
    if (rewritten > 0) {
      groups.markAnnounced(g.id, g.members.length, nowMs);
      alerts.addEvent(leader.id, nowMs, SYSTEM_ACTOR, 'paged', `one page for ${g.members.length} alerts of this outage (they fired together)`);
    }
  }

  /** Starts the escalation of an alert that leads (or is alone): level 1 pages at once. */
  function startPaging(alert: Alert, startedAtMs: number, nowMs: number, outboxId: number | null): string | null {
    const policy = deps.oncall.policyFor(alert.clientId);
    const snapshot = policy ? { name: policy.name, levels: policy.levels, repeat: policy.repeat, repeatAfterMs: policy.repeatAfterMs } : IMPLICIT_POLICY;
    escalations.start({ alertId: alert.id, policyId: policy?.id ?? null, policy: snapshot, startedAtMs });
    advance(escalations.find(alert.id)!, nowMs, outboxId);
    return policy ? null : 'no escalation policy configured: paged all admins';
  }

  /** A firing alert: held back by a parent that is down, folded into an outage, or paged. */
  function route(alert: Alert, firedAtMs: number, nowMs: number, outboxId: number | null): Handled {
    const parent = groups.parentOf(alert.deviceId);
    const decision = decideFiring(
      {
        alertId: alert.id,
        clientId: alert.clientId,
        ruleId: alert.ruleId,
        deviceId: alert.deviceId,
        firedAtMs,
        parent: parent ? { ...parent, isDown: groups.isDown(parent.deviceId) } : null,
      },
      groups.openFor(alert.clientId, alert.ruleId),
      windowMs(),
    );
    if (decision.action === 'suppress') {
      groups.suppress(alert.id, decision.parentDeviceId, nowMs);
      alerts.addEvent(
        alert.id,
        nowMs,
        SYSTEM_ACTOR,
        'suppressed',
        `not paged: ${alert.hostname} depends on ${decision.parentHostname}, which is down; it pages if still open when ${decision.parentHostname} is back`,
      );
      return { status: 'skipped', note: `suppressed: depends on ${decision.parentHostname}, which is down` };
    }
    if (decision.action === 'join') {
      const g = groups.find(decision.groupId)!;
      groups.join(g.id, alert.id, firedAtMs, followUpAtAfterJoin(g, firedAtMs, windowMs()));
      const leader = alerts.findById(g.leaderAlertId);
      alerts.addEvent(
        alert.id,
        nowMs,
        SYSTEM_ACTOR,
        'grouped',
        `joined the outage paged for ${leader?.hostname ?? 'another device'}: one follow-up names every device, not one page each`,
      );
      return { status: 'dispatched', note: `grouped with alert ${g.leaderAlertId}` };
    }
    const groupId = generateId();
    groups.create({ id: groupId, clientId: alert.clientId, ruleId: alert.ruleId, leaderAlertId: alert.id, atMs: firedAtMs });
    formedThisBatch.add(groupId);
    return { status: 'dispatched', note: startPaging(alert, Math.min(nowMs, firedAtMs), nowMs, outboxId) };
  }

  function handleFiring(job: OutboxJob, nowMs: number): Handled {
    const alert = job.alertId ? alerts.findById(job.alertId) : undefined;
    if (!alert) return { status: 'skipped', note: 'alert no longer exists' };
    if (alert.state !== 'firing') return { status: 'skipped', note: `alert was ${alert.state} before it was paged` };
    const payload = job.payload as unknown as AlertNotificationPayload;
    return route(alert, Math.min(nowMs, payload.atMs ?? nowMs), nowMs, job.id);
  }

  /** Everyone paged for any alert of the group, once each. */
  function groupDestinations(g: AlertGroup): PagedDestination[] {
    const byKey = new Map<string, PagedDestination>();
    for (const m of g.members) for (const p of deliveries.pagedDestinations(m.alertId)) if (!byKey.has(p.destinationKey)) byKey.set(p.destinationKey, p);
    return [...byKey.values()].filter((p) => deps.channels.findById(p.channelId)?.isEnabled);
  }

  function summarize(g: AlertGroup, leader: Alert): AlertGroupSummary {
    const members = groups.members(g.id);
    return {
      id: g.id,
      clientName: leader.clientName,
      ruleName: leader.ruleName,
      openCount: members.filter((m) => m.state !== 'resolved').length,
      memberCount: members.length,
      deviceCount: groups.clientDeviceCount(g.clientId),
      devices: members.slice(0, 100).map((m) => ({ alertId: m.alertId, deviceId: m.deviceId, hostname: m.hostname, state: m.state, summary: m.summary })),
    };
  }

  /** One message about the group to everyone paged for it. */
  function tellGroup(
    g: AlertGroup,
    kind: 'alert.firing' | 'alert.acknowledged' | 'alert.resolved',
    keyBase: string,
    nowMs: number,
    outboxId: number | null,
    actor?: string,
  ): number {
    const leader = alerts.findById(g.leaderAlertId);
    if (!leader) return 0;
    const summary = summarize(g, leader);
    const payload = buildAlertPayload(leader, kind, nowMs, actor ?? 'system');
    const destinations = groupDestinations(g);
    for (const p of destinations) {
      const idempotencyKey = `${keyBase}|${p.destinationKey}`;
      const ackRecipient = p.userId ?? `channel:${p.channelId}`;
      const message = buildGroupMessage(summary, payload, kind, {
        idempotencyKey,
        to: p.toAddress,
        mentions: p.mentions,
        ackUrl: kind === 'alert.firing' ? ackLinks.create(leader.id, ackRecipient) : null,
        viewUrl: `${deps.baseUrl().replace(/\/+$/, '')}/#/alerts?client=${encodeURIComponent(g.clientId)}`,
        atMs: nowMs,
        openedAtMs: g.openedAtMs,
        actor,
        isOffline: leader.ruleKind === 'offline',
      });
      queueToPaged(p, { idempotencyKey, outboxId, alertId: leader.id, purpose: kind === 'alert.firing' ? 'page' : 'update', kind }, message, nowMs);
    }
    return destinations.length;
  }

  /** The follow-up page of each group whose window is over and that has members not yet named. */
  function followUpGroups(nowMs: number): number {
    const due = groups.dueFollowUps(nowMs);
    for (const g of due) {
      const sent = tellGroup(g, 'alert.firing', `group:${g.id}|follow-up:${g.followUps + 1}`, nowMs, null);
      groups.markAnnounced(g.id, g.members.length, nowMs);
      alerts.addEvent(
        g.leaderAlertId,
        nowMs,
        SYSTEM_ACTOR,
        'paged',
        `group follow-up: ${g.members.length} alerts of this outage, to ${sent} destination${sent === 1 ? '' : 's'} already paged`,
      );
    }
    return due.length;
  }

  function handleFollowUp(job: OutboxJob, nowMs: number): Handled {
    if (!job.alertId) return { status: 'skipped', note: 'no alert' };
    const kind = job.kind === 'alert.acknowledged' ? 'acknowledged' : 'resolved';
    const group = groups.ofAlert(job.alertId);
    const decision = decideClosing(group, job.alertId, kind);
    const released = kind === 'resolved' ? releaseChildren(job.alertId, nowMs) : null;
    if (group && decision.action !== 'alone') {
      escalations.stop(job.alertId, nowMs, kind);
      if (decision.action === 'fold') {
        if (decision.handOverTo && escalations.reassign(job.alertId, decision.handOverTo)) {
          escalations.progress(decision.handOverTo, escalations.find(decision.handOverTo)!.pagedSteps, nowMs);
        }
        if (decision.handOverTo) groups.setLeader(group.id, decision.handOverTo);
        return { status: 'dispatched', note: `folded into its group (${group.members.length} alerts)` };
      }
      escalations.stop(group.leaderAlertId, nowMs, kind);
      groups.setState(group.id, decision.action === 'resolve-group' ? 'resolved' : 'acknowledged', nowMs);
      const payload = job.payload as unknown as AlertNotificationPayload;
      const sent = tellGroup(
        group,
        job.kind === 'alert.acknowledged' ? 'alert.acknowledged' : 'alert.resolved',
        job.idempotencyKey,
        nowMs,
        job.id,
        payload.actor,
      );
      return { status: 'dispatched', note: sent === 0 ? 'nobody had been paged' : `told the group's ${sent} destinations` };
    }
    if (group) groups.setState(group.id, kind, nowMs);
    escalations.stop(job.alertId, nowMs, kind);
    const payload = withProbeRole(job.payload as unknown as AlertNotificationPayload);
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
      if (released && released.total > 0) message.lines.push(released.line);
      queueToPaged(p, { idempotencyKey, outboxId: job.id, alertId: job.alertId, purpose: 'update', kind: job.kind }, message, nowMs);
    }
    return { status: 'dispatched', note: paged.length === 0 ? 'nobody had been paged' : null };
  }

  /**
   * When a device's offline alert resolves, the alerts held back because it was down are
   * released after a grace period (their agents reconnect meanwhile); those still firing then
   * page, grouped as any others.
   */
  function releaseChildren(alertId: string, nowMs: number): { total: number; line: string } | null {
    const parentAlert = alerts.findById(alertId);
    if (!parentAlert || parentAlert.ruleKind !== 'offline' || groups.isDown(parentAlert.deviceId)) return null;
    const held = groups.suppressedBy(parentAlert.deviceId);
    if (held.length === 0) return null;
    const releaseAtMs = nowMs + DEPENDENCY_RELEASE_GRACE_MS;
    groups.scheduleRelease(parentAlert.deviceId, releaseAtMs);
    const n = held.length;
    return {
      total: n,
      line: `${n} alert${n === 1 ? '' : 's'} of devices behind ${parentAlert.hostname} ${n === 1 ? 'was' : 'were'} not paged while it was down; any still open at ${formatUtc(releaseAtMs)} page then.`,
    };
  }

  /** Held alerts whose grace is over: those still firing page now (unless the parent is down again). */
  function releaseDue(nowMs: number): number {
    const due = groups.dueReleases(nowMs);
    for (const h of due) {
      if (groups.isDown(h.parentDeviceId)) {
        groups.holdAgain(h.alertId);
        continue;
      }
      groups.release(h.alertId, nowMs);
      const child = h.state === 'firing' ? alerts.findById(h.alertId) : undefined;
      if (child) route(child, nowMs, nowMs, null);
    }
    return due.length;
  }

  const dispatchBatch = db.transaction((nowMs: number, limit: number): number => {
    formedThisBatch.clear();
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
    for (const groupId of formedThisBatch) {
      try {
        db.transaction(() => foldIntoFirstPage(groupId, nowMs))();
      } catch (err) {
        // The lone first pages stand; the group's follow-up names the rest.
        logger.error({ err, groupId }, 'could not fold a new group into its first page');
      }
    }
    formedThisBatch.clear();
    return jobs.length;
  });

  const escalateBatch = db.transaction((nowMs: number): number => {
    const due = escalations.due(nowMs);
    for (const e of due) advance(e, nowMs);
    return due.length + followUpGroups(nowMs) + releaseDue(nowMs);
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
