/**
 * On-call coverage, pure: the stretches of time in which an escalation policy's first level
 * would page nobody. Those are the gaps the on-call page and the dashboard banner show
 * ("Tue 01:30–09:00: nobody"); an alert that falls into one pages the fallback instead.
 *
 *   target     covered at t when
 *   ────────── ───────────────────────────────────────────────────────────────
 *   schedule   someone is on call at t and that person is reachable
 *   user       the user is reachable
 *   role       at least one member of the role is reachable
 *   channel    the shared channel is usable (enabled, known type)
 *
 *   level 1 covered  ⇔  any of its targets is covered
 *
 * "Reachable" (a usable contact point, or an e-mail address and an e-mail channel) does not
 * change with time, so only schedule boundaries split the window.
 */
import type { EscalationTarget } from '../../shared/notify-types.js';
import { onCallAt, shiftsBetween, type ScheduleSpec } from './schedule.js';

/** What coverage needs to know about the world, decided by the caller at one instant. */
export interface CoverageWorld {
  /** Schedules by id, with their overrides in the window. */
  schedules: ReadonlyMap<string, ScheduleSpec & { name: string }>;
  /** Users who can be reached now, by id. */
  reachableUserIds: ReadonlySet<string>;
  /** User ids per role. */
  roleMembers: Readonly<Record<'admin' | 'technician', readonly string[]>>;
  /** Shared channels that are usable, by id. */
  usableChannelIds: ReadonlySet<string>;
  /** Usernames for the reasons' words. */
  usernames: ReadonlyMap<string, string>;
}

/** A stretch in which level 1 pages nobody. */
export interface CoverageGap {
  startsAtMs: number;
  endsAtMs: number;
  /** Why, in words: `nobody is on call on schedule "Primary"`, `piet has no way to be reached`. */
  reasons: string[];
}

/** Why target `t` reaches nobody at `atMs`, or null when it reaches someone. */
function targetProblem(t: EscalationTarget, world: CoverageWorld, atMs: number): string | null {
  const name = (id: string) => world.usernames.get(id) ?? `user ${id}`;
  switch (t.type) {
    case 'user':
      return world.reachableUserIds.has(t.userId) ? null : `${name(t.userId)} has no way to be reached`;
    case 'role': {
      const members = world.roleMembers[t.role];
      if (members.length === 0) return `nobody has the role ${t.role}`;
      return members.some((id) => world.reachableUserIds.has(id)) ? null : `no ${t.role} has a way to be reached`;
    }
    case 'channel':
      return world.usableChannelIds.has(t.channelId) ? null : `channel ${t.channelId} is missing or switched off`;
    case 'schedule': {
      const s = world.schedules.get(t.scheduleId);
      if (!s) return `schedule ${t.scheduleId} no longer exists`;
      const who = onCallAt(s, atMs).userId;
      if (!who) return `nobody is on call on schedule "${s.name}"`;
      return world.reachableUserIds.has(who) ? null : `${name(who)} (on call on schedule "${s.name}") has no way to be reached`;
    }
  }
}

/** The reasons level `targets` pages nobody at `atMs`; empty when it reaches someone. */
export function levelProblems(targets: readonly EscalationTarget[], world: CoverageWorld, atMs: number): string[] {
  const problems: string[] = [];
  for (const t of targets) {
    const p = targetProblem(t, world, atMs);
    if (p === null) return [];
    if (!problems.includes(p)) problems.push(p);
  }
  return problems.length > 0 ? problems : ['the level has no targets'];
}

/** Gaps of a policy's first level in [fromMs, toMs), merged where the reasons stay the same. */
export function findCoverageGaps(
  levels: readonly { targets: readonly EscalationTarget[] }[],
  world: CoverageWorld,
  fromMs: number,
  toMs: number,
): CoverageGap[] {
  const first = levels[0];
  if (!first) return toMs > fromMs ? [{ startsAtMs: fromMs, endsAtMs: toMs, reasons: ['the policy has no levels'] }] : [];
  // Instants at which the answer may change: every shift boundary of every schedule it pages.
  const cuts = new Set<number>([fromMs]);
  for (const t of first.targets) {
    if (t.type !== 'schedule') continue;
    const s = world.schedules.get(t.scheduleId);
    if (!s) continue;
    for (const shift of shiftsBetween(s, fromMs, toMs)) cuts.add(shift.startsAtMs);
  }
  const points = [...cuts].filter((c) => c >= fromMs && c < toMs).sort((a, b) => a - b);
  const gaps: CoverageGap[] = [];
  points.forEach((startsAtMs, i) => {
    const endsAtMs = points[i + 1] ?? toMs;
    const reasons = levelProblems(first.targets, world, startsAtMs);
    if (reasons.length === 0) return;
    const last = gaps.at(-1);
    if (last && last.endsAtMs === startsAtMs && last.reasons.join('\n') === reasons.join('\n')) last.endsAtMs = endsAtMs;
    else gaps.push({ startsAtMs, endsAtMs, reasons });
  });
  return gaps;
}
