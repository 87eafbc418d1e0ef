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

/** Longest override, ms: overrides are for swaps, not for replacing a rotation. */
export const MAX_OVERRIDE_MS = 31 * 86_400_000;

/** Builds the on-call service. */
export function createOnCallService(deps: {
  oncall: OnCallStore;
  users: UserStore;
  clients: ClientStore;
  channels: ChannelStore;
  registry: ChannelAudiences;
  settings: NotifySettingsStore;
  now: () => number;
  /** True when a page to this user would reach a channel (the recipient resolver decides). */
  isReachable: (userId: string) => boolean;
}) {
  const { oncall, users } = deps;

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
    createSchedule(input: ScheduleInput, by: string): Schedule {
      return oncall.createSchedule(checkSchedule(input), deps.now(), by);
    },
    updateSchedule(id: string, patch: Partial<ScheduleInput>, by: string): Schedule {
      const s = mustFindSchedule(id);
      const next: ScheduleInput = { name: patch.name ?? s.name, timezone: patch.timezone ?? s.timezone, layers: patch.layers ?? s.layers };
      return oncall.updateSchedule(id, checkSchedule(next, id), deps.now(), by);
    },
    deleteSchedule(id: string): void {
      mustFindSchedule(id);
      const using = oncall.listPolicies().filter((p) => p.levels.some((l) => l.targets.some((t) => t.type === 'schedule' && t.scheduleId === id)));
      if (using.length > 0)
        throw new HttpError(
          409,
          'SCHEDULE_IN_USE',
          `escalation polic${using.length === 1 ? 'y' : 'ies'} ${using.map((p) => `"${p.name}"`).join(', ')} page${using.length === 1 ? 's' : ''} this schedule; change them first`,
        );
      oncall.deleteSchedule(id);
    },

    listOverrides: (scheduleId: string): ScheduleOverrideView[] => {
      mustFindSchedule(scheduleId);
      return oncall.overridesOf(scheduleId, deps.now());
    },
    addOverride(scheduleId: string, o: { userId: string; startsAtMs: number; endsAtMs: number; note?: string }, by: string): ScheduleOverrideView {
      mustFindSchedule(scheduleId);
      if (!users.findById(o.userId)) throw new HttpError(400, 'USER_NOT_FOUND', `userId: no user with id ${o.userId}`);
      if (o.endsAtMs <= o.startsAtMs) throw new HttpError(400, 'OVERRIDE_INVERTED', 'endsAtMs must be after startsAtMs');
      if (o.endsAtMs - o.startsAtMs > MAX_OVERRIDE_MS)
        throw new HttpError(400, 'OVERRIDE_TOO_LONG', 'an override may last at most 31 days; change the rotation instead');
      if (o.endsAtMs <= deps.now()) throw new HttpError(400, 'OVERRIDE_IN_PAST', 'the override ends in the past');
      return oncall.addOverride({ scheduleId, userId: o.userId, startsAtMs: o.startsAtMs, endsAtMs: o.endsAtMs, note: o.note ?? null }, deps.now(), by);
    },
    deleteOverride(scheduleId: string, overrideId: string): void {
      const o = oncall.findOverride(overrideId);
      if (!o || o.scheduleId !== scheduleId) throw new HttpError(404, 'OVERRIDE_NOT_FOUND', `no override ${overrideId} on schedule ${scheduleId}`);
      oncall.deleteOverride(overrideId);
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
    setFallback(target: EscalationTarget): { target: EscalationTarget; isDefault: boolean } {
      checkTarget(target, 'target');
      deps.settings.set(FALLBACK_SETTING, target);
      return { target, isDefault: false };
    },

    listPolicies: () => oncall.listPolicies(),
    getPolicy: (id: string) => mustFindPolicy(id),
    createPolicy(input: PolicyInput, by: string): EscalationPolicy {
      checkPolicy(input);
      return oncall.createPolicy(input, deps.now(), by);
    },
    updatePolicy(id: string, patch: Partial<PolicyInput>, by: string): EscalationPolicy {
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
      return oncall.updatePolicy(id, next, deps.now(), by);
    },
    deletePolicy(id: string): void {
      mustFindPolicy(id);
      oncall.deletePolicy(id);
    },
  };
}
export type OnCallService = ReturnType<typeof createOnCallService>;
