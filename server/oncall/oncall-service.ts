/**
 * What the REST routes do with schedules, overrides and escalation policies: check meaning
 * (time zones, real dates, users and targets that exist, levels in order) with one error code
 * per mistake, write, and answer who is on call.
 */
import type {
  EscalationPolicy,
  EscalationTarget,
  OnCallGaps,
  OnCallNow,
  OnCallShift,
  PolicyInput,
  Schedule,
  ScheduleInput,
  ScheduleOverrideView,
  StoredLayer,
} from '../../shared/notify-types.js';
import { HttpError } from '../lib/errors.js';
import { DEFAULT_GROUP_WINDOW_MS, MAX_GROUP_WINDOW_MS } from '../alerting/policy/grouping.js';
import { auditActorOf, changedFields, type AuditLog, type AuditPerson } from '../audit/audit-log.js';
import { isValidTimezone, parseLocalDate } from '../time/zones.js';
import type { ChannelStore } from '../store/channels.js';
import type { ClientStore } from '../store/clients.js';
import type { OnCallStore } from '../store/oncall.js';
import type { NotifySettingsStore } from '../store/notify-settings.js';
import type { UserStore } from '../store/users.js';
import type { ChannelAudiences } from './recipients.js';
import { findCoverageGaps, type CoverageWorld } from './coverage.js';
import { onCallNowAndNext, shiftsBetween, startDateCoveringNow, type ScheduleSpec, type Shift } from './schedule.js';

/** The policy used when none is configured: every admin, at once (as the dispatcher does). */
export const IMPLICIT_POLICY_NAME = '(implicit: all admins)';
export const IMPLICIT_LEVELS: { afterMs: number; targets: EscalationTarget[] }[] = [{ afterMs: 0, targets: [{ type: 'role', role: 'admin' }] }];

/** Settings key of the fallback target (an EscalationTarget); absent = every admin. */
export const FALLBACK_SETTING = 'oncall.fallback';
/** The notify setting holding the grouping window (one page per outage), ms. */
export const GROUP_WINDOW_SETTING = 'oncall.groupWindowMs';

/** Longest override, ms: overrides are for swaps, not for replacing a rotation. */
export const MAX_OVERRIDE_MS = 31 * 86_400_000;

/** Builds the on-call service; each change writes its audit entry in the same transaction. */
export function createOnCallService(deps: {
  oncall: OnCallStore;
  users: UserStore;
  clients: ClientStore;
  channels: ChannelStore;
  registry: ChannelAudiences;
  settings: NotifySettingsStore;
  audit: AuditLog;
  now: () => number;
  /** True when a page to this user would reach a channel (the recipient resolver decides). */
  isReachable: (userId: string) => boolean;
}) {
  const { oncall, users, audit } = deps;
  const who = auditActorOf;

  function mustFindSchedule(id: string): Schedule {
    const s = oncall.findSchedule(id);
    if (!s) throw new HttpError(404, 'SCHEDULE_NOT_FOUND', `no schedule with id ${id}`);
    return s;
  }

  function mustFindPolicy(id: string): EscalationPolicy {
    const p = oncall.findPolicy(id);
    if (!p) throw new HttpError(404, 'POLICY_NOT_FOUND', `no escalation policy with id ${id}`);
    return p;
  }

  /** Checks a schedule and gives layers without a start date one that starts them now. */
  function checkSchedule(s: ScheduleInput, exceptId?: string): { name: string; timezone: string; layers: StoredLayer[] } {
    if (!isValidTimezone(s.timezone))
      throw new HttpError(400, 'SCHEDULE_TIMEZONE_INVALID', `timezone: "${s.timezone}" is not an IANA time zone such as Europe/Amsterdam`);
    const layers = s.layers.map((l) => ({ ...l, startDate: l.startDate ?? startDateCoveringNow(s.timezone, l.handoffTime, deps.now()) }));
    layers.forEach((l, i) => {
      if (!parseLocalDate(l.startDate)) throw new HttpError(400, 'SCHEDULE_DATE_INVALID', `layers.${i}.startDate: ${l.startDate} is not a calendar date`);
      l.userIds.forEach((u, k) => {
        if (!users.findById(u)) throw new HttpError(400, 'SCHEDULE_USER_NOT_FOUND', `layers.${i}.userIds.${k}: no user with id ${u}`);
      });
    });
    const same = oncall.findScheduleByName(s.name);
    if (same && same.id !== exceptId) throw new HttpError(409, 'SCHEDULE_EXISTS', `a schedule named "${s.name}" already exists`);
    return { name: s.name, timezone: s.timezone, layers };
  }

  function checkTarget(t: EscalationTarget, where: string): void {
    if (t.type === 'schedule' && !oncall.findSchedule(t.scheduleId))
      throw new HttpError(400, 'POLICY_TARGET_NOT_FOUND', `${where}: no schedule with id ${t.scheduleId}`);
    if (t.type === 'user' && !users.findById(t.userId)) throw new HttpError(400, 'POLICY_TARGET_NOT_FOUND', `${where}: no user with id ${t.userId}`);
    if (t.type === 'channel') {
      const c = deps.channels.findById(t.channelId);
      if (!c) throw new HttpError(400, 'POLICY_TARGET_NOT_FOUND', `${where}: no channel with id ${t.channelId}`);
      if (deps.registry.get(c.type)?.audience !== 'shared') {
        throw new HttpError(
          400,
          'POLICY_TARGET_INVALID',
          `${where}: channel "${c.name}" (${c.type}) addresses people, not a room; page users or schedules through it instead`,
        );
      }
    }
  }

  function checkPolicy(p: PolicyInput, exceptId?: string): void {
    p.levels.forEach((level, i) => {
      if (i > 0 && level.afterMs <= p.levels[i - 1]!.afterMs) {
        throw new HttpError(400, 'POLICY_LEVELS_UNORDERED', `levels.${i}.afterMs: must be later than level ${i}'s (${p.levels[i - 1]!.afterMs} ms)`);
      }
      level.targets.forEach((t, k) => checkTarget(t, `levels.${i}.targets.${k}`));
    });
    p.clientIds.forEach((c, i) => {
      if (!deps.clients.findById(c)) throw new HttpError(400, 'POLICY_CLIENT_NOT_FOUND', `clientIds.${i}: no client with id ${c}`);
    });
    const same = oncall.findPolicyByName(p.name);
    if (same && same.id !== exceptId) throw new HttpError(409, 'POLICY_EXISTS', `an escalation policy named "${p.name}" already exists`);
  }

  function specOf(s: Schedule, fromMs: number): ScheduleSpec {
    return { timezone: s.timezone, layers: s.layers, overrides: oncall.overridesOf(s.id, fromMs) };
  }

  function named(shift: Shift): OnCallShift {
    return { ...shift, username: shift.userId ? (users.findById(shift.userId)?.username ?? null) : null };
  }

  return {
    listSchedules: () => oncall.listSchedules(),
    getSchedule: (id: string) => mustFindSchedule(id),
    createSchedule(input: ScheduleInput, actor: AuditPerson): Schedule {
      const checked = checkSchedule(input);
      return audit.audited(who(actor), (record) => {
        const s = oncall.createSchedule(checked, deps.now(), actor.username);
        record({
          action: 'schedule.create',
          entityType: 'schedule',
          entityId: s.id,
          summary: `created on-call schedule "${s.name}"`,
          detail: { schedule: input },
        });
        return s;
      });
    },
    updateSchedule(id: string, patch: Partial<ScheduleInput>, actor: AuditPerson): Schedule {
      const before = mustFindSchedule(id);
      const next = checkSchedule({ name: patch.name ?? before.name, timezone: patch.timezone ?? before.timezone, layers: patch.layers ?? before.layers }, id);
      return audit.audited(who(actor), (record) => {
        const after = oncall.updateSchedule(id, next, deps.now(), actor.username);
        const changes = changedFields(before, after, ['name', 'timezone', 'layers']);
        if (Object.keys(changes).length > 0)
          record({
            action: 'schedule.update',
            entityType: 'schedule',
            entityId: id,
            summary: `changed on-call schedule "${after.name}": ${Object.keys(changes).join(', ')}`,
            detail: { changes },
          });
        return after;
      });
    },
    deleteSchedule(id: string, actor: AuditPerson): void {
      const before = mustFindSchedule(id);
      const using = oncall.listPolicies().filter((p) => p.levels.some((l) => l.targets.some((t) => t.type === 'schedule' && t.scheduleId === id)));
      if (using.length > 0)
        throw new HttpError(
          409,
          'SCHEDULE_IN_USE',
          `escalation polic${using.length === 1 ? 'y' : 'ies'} ${using.map((p) => `"${p.name}"`).join(', ')} page${using.length === 1 ? 's' : ''} this schedule; change them first`,
        );
      audit.audited(who(actor), (record) => {
        oncall.deleteSchedule(id);
        record({ action: 'schedule.delete', entityType: 'schedule', entityId: id, summary: `deleted on-call schedule "${before.name}"` });
      });
    },

    listOverrides: (scheduleId: string): ScheduleOverrideView[] => {
      mustFindSchedule(scheduleId);
      return oncall.overridesOf(scheduleId, deps.now());
    },
    addOverride(scheduleId: string, o: { userId: string; startsAtMs: number; endsAtMs: number; note?: string }, actor: AuditPerson): ScheduleOverrideView {
      const schedule = mustFindSchedule(scheduleId);
      const person = users.findById(o.userId);
      if (!person) throw new HttpError(400, 'USER_NOT_FOUND', `userId: no user with id ${o.userId}`);
      if (o.endsAtMs <= o.startsAtMs) throw new HttpError(400, 'OVERRIDE_INVERTED', 'endsAtMs must be after startsAtMs');
      if (o.endsAtMs - o.startsAtMs > MAX_OVERRIDE_MS)
        throw new HttpError(400, 'OVERRIDE_TOO_LONG', 'an override may last at most 31 days; change the rotation instead');
      if (o.endsAtMs <= deps.now()) throw new HttpError(400, 'OVERRIDE_IN_PAST', 'the override ends in the past');
      return audit.audited(who(actor), (record) => {
        const added = oncall.addOverride(
          { scheduleId, userId: o.userId, startsAtMs: o.startsAtMs, endsAtMs: o.endsAtMs, note: o.note ?? null },
          deps.now(),
          actor.username,
        );
        record({
          action: 'schedule.override-add',
          entityType: 'schedule',
          entityId: scheduleId,
          summary: `put ${person.username} on call in "${schedule.name}" from ${new Date(o.startsAtMs).toISOString()} to ${new Date(o.endsAtMs).toISOString()}`,
          detail: { overrideId: added.id, ...o },
        });
        return added;
      });
    },
    deleteOverride(scheduleId: string, overrideId: string, actor: AuditPerson): void {
      const o = oncall.findOverride(overrideId);
      if (!o || o.scheduleId !== scheduleId) throw new HttpError(404, 'OVERRIDE_NOT_FOUND', `no override ${overrideId} on schedule ${scheduleId}`);
      const schedule = mustFindSchedule(scheduleId);
      audit.audited(who(actor), (record) => {
        oncall.deleteOverride(overrideId);
        record({
          action: 'schedule.override-delete',
          entityType: 'schedule',
          entityId: scheduleId,
          summary: `removed an override from on-call schedule "${schedule.name}"`,
          detail: { overrideId },
        });
      });
    },

    /** Who is on call now and next, per schedule. */
    now(): OnCallNow {
      const atMs = deps.now();
      return {
        atMs,
        schedules: oncall.listSchedules().map((s) => {
          const { current, next } = onCallNowAndNext(specOf(s, atMs), atMs);
          return { scheduleId: s.id, name: s.name, timezone: s.timezone, current: named(current), next: next && named(next) };
        }),
      };
    },
    /** Shifts of one schedule in [fromMs, toMs). */
    shifts(id: string, fromMs: number, toMs: number): OnCallShift[] {
      const s = mustFindSchedule(id);
      if (toMs <= fromMs) throw new HttpError(400, 'INVALID_RANGE', 'to must be after from');
      if (toMs - fromMs > 92 * 86_400_000) throw new HttpError(400, 'INVALID_RANGE', 'ask for at most 92 days at a time');
      return shiftsBetween(specOf(s, fromMs), fromMs, toMs).map(named);
    },

    /** Every gap of the policies in use over the coming `days` (the implicit one when none is configured). */
    gaps(days = 7): OnCallGaps {
      const fromMs = deps.now();
      const toMs = fromMs + days * 86_400_000;
      const all = users.list();
      const world: CoverageWorld = {
        schedules: new Map(oncall.listSchedules().map((s) => [s.id, { ...specOf(s, fromMs), name: s.name }])),
        reachableUserIds: new Set(all.filter((u) => deps.isReachable(u.id)).map((u) => u.id)),
        roleMembers: { admin: all.filter((u) => u.role === 'admin').map((u) => u.id), technician: all.filter((u) => u.role === 'technician').map((u) => u.id) },
        usableChannelIds: new Set(
          deps.channels
            .list()
            .filter((c) => c.isEnabled && deps.registry.get(c.type)?.audience === 'shared')
            .map((c) => c.id),
        ),
        usernames: new Map(all.map((u) => [u.id, u.username])),
      };
      const inUse = oncall.listPolicies().filter((p) => p.isDefault || p.clientIds.length > 0);
      const policies =
        oncall.listPolicies().length === 0
          ? [{ policyId: null, name: IMPLICIT_POLICY_NAME, isDefault: true, clientIds: [], levels: IMPLICIT_LEVELS }]
          : inUse.map((p) => ({ policyId: p.id, name: p.name, isDefault: p.isDefault, clientIds: p.clientIds, levels: p.levels }));
      return { fromMs, toMs, policies: policies.map(({ levels, ...p }) => ({ ...p, gaps: findCoverageGaps(levels, world, fromMs, toMs) })) };
    },

    /** Who an alert pages when its routing reaches nobody. */
    getFallback(): { target: EscalationTarget; isDefault: boolean } {
      const target = deps.settings.get<EscalationTarget>(FALLBACK_SETTING);
      return target ? { target, isDefault: false } : { target: { type: 'role', role: 'admin' }, isDefault: true };
    },
    setFallback(target: EscalationTarget, actor: AuditPerson): { target: EscalationTarget; isDefault: boolean } {
      checkTarget(target, 'target');
      audit.audited(who(actor), (record) => {
        deps.settings.set(FALLBACK_SETTING, target);
        record({
          action: 'oncall.fallback',
          entityType: 'oncall',
          entityId: 'fallback',
          summary: `set the on-call fallback to ${target.type}`,
          detail: { target },
        });
      });
      return { target, isDefault: false };
    },

    /** How long after an outage's last alert another of the same client and rule joins it, seconds. */
    getGrouping(): { windowSeconds: number; isDefault: boolean } {
      const ms = deps.settings.get<number>(GROUP_WINDOW_SETTING);
      return ms === undefined ? { windowSeconds: DEFAULT_GROUP_WINDOW_MS / 1000, isDefault: true } : { windowSeconds: ms / 1000, isDefault: false };
    },
    setGrouping(windowSeconds: number, actor: AuditPerson): { windowSeconds: number; isDefault: boolean } {
      if (!Number.isInteger(windowSeconds) || windowSeconds < 0 || windowSeconds * 1000 > MAX_GROUP_WINDOW_MS)
        throw new HttpError(
          400,
          'INVALID_GROUP_WINDOW',
          `windowSeconds must be a whole number from 0 (grouping off) to ${MAX_GROUP_WINDOW_MS / 1000}; got ${windowSeconds}`,
        );
      audit.audited(who(actor), (record) => {
        deps.settings.set(GROUP_WINDOW_SETTING, windowSeconds * 1000);
        record({
          action: 'oncall.grouping',
          entityType: 'oncall',
          entityId: 'grouping',
          summary: windowSeconds === 0 ? 'turned alert grouping off' : `set the alert grouping window to ${windowSeconds} s`,
          detail: { windowSeconds },
        });
      });
      return { windowSeconds, isDefault: false };
    },

    listPolicies: () => oncall.listPolicies(),
    getPolicy: (id: string) => mustFindPolicy(id),
    createPolicy(input: PolicyInput, actor: AuditPerson): EscalationPolicy {
      checkPolicy(input);
      return audit.audited(who(actor), (record) => {
        const p = oncall.createPolicy(input, deps.now(), actor.username);
        record({
          action: 'escalation-policy.create',
          entityType: 'escalation-policy',
          entityId: p.id,
          summary: `created escalation policy "${p.name}"`,
          detail: { policy: input },
        });
        return p;
      });
    },
    updatePolicy(id: string, patch: Partial<PolicyInput>, actor: AuditPerson): EscalationPolicy {
      const p = mustFindPolicy(id);
      const next: PolicyInput = {
        name: patch.name ?? p.name,
        levels: patch.levels ?? p.levels,
        repeat: patch.repeat ?? p.repeat,
        repeatAfterMs: patch.repeatAfterMs ?? p.repeatAfterMs,
        isDefault: patch.isDefault ?? p.isDefault,
        clientIds: patch.clientIds ?? p.clientIds,
      };
      checkPolicy(next, id);
      return audit.audited(who(actor), (record) => {
        const after = oncall.updatePolicy(id, next, deps.now(), actor.username);
        const changes = changedFields(p, after, ['name', 'levels', 'repeat', 'repeatAfterMs', 'isDefault', 'clientIds']);
        if (Object.keys(changes).length > 0)
          record({
            action: 'escalation-policy.update',
            entityType: 'escalation-policy',
            entityId: id,
            summary: `changed escalation policy "${after.name}": ${Object.keys(changes).join(', ')}`,
            detail: { changes },
          });
        return after;
      });
    },
    deletePolicy(id: string, actor: AuditPerson): void {
      const before = mustFindPolicy(id);
      audit.audited(who(actor), (record) => {
        oncall.deletePolicy(id);
        record({ action: 'escalation-policy.delete', entityType: 'escalation-policy', entityId: id, summary: `deleted escalation policy "${before.name}"` });
      });
    },
  };
}
export type OnCallService = ReturnType<typeof createOnCallService>;
