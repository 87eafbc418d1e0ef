/**
 * One page per outage, pure. When a client's line drops, every device of that client goes
 * offline within seconds; paging each one separately buries the technician (thirty pages for
 * one fault). The rules:
 *
 *   new firing alert ─▶ its device depends on a parent that is down? ─▶ suppress (recorded, no page)
 *                    ─▶ an open group of the same client and rule, last joined ≤ window ago,
 *                       with no open alert of the same device? ─▶ join
 *                    ─▶ otherwise ─▶ page at once and lead a new group (no group_wait: the first
 *                                    page of an outage goes out as fast as a lone alert's)
 *   group with members not yet announced, window over ─▶ one follow-up page listing them all
 *   a member closes ─▶ others still open? fold it into the group (no message of its own)
 *                   ─▶ it was the last ─▶ one resolution for the whole group
 *
 * Only groups still firing take new members: once someone acknowledged the outage, a new
 * problem pages again rather than hide behind an acknowledgement.
 */
import type { AlertGroupFacts } from '../../../shared/alert-types.js';

/** Default grouping window: alerts within 60 s of the group's last member join it. */
export const DEFAULT_GROUP_WINDOW_MS = 60_000;
/**
 * When a parent is back, the alerts it held back wait this long before those still firing page:
 * the children's agents need a moment to reconnect (and their offline alerts to clear).
 */
export const DEPENDENCY_RELEASE_GRACE_MS = 60_000;
/** The window may be set from 0 (grouping off) to 10 min. */
export const MAX_GROUP_WINDOW_MS = 600_000;

/** What the decision needs to know of a newly firing alert. */
export interface FiringFacts {
  alertId: string;
  clientId: string;
  ruleId: string;
  deviceId: string;
  firedAtMs: number;
  /** The device this one depends on, if any, and whether it is down now. */
  parent: { deviceId: string; hostname: string; isDown: boolean } | null;
}

/** A group as the decisions see it. */
export type GroupFacts = AlertGroupFacts;

export type FiringDecision = { action: 'page' } | { action: 'join'; groupId: string } | { action: 'suppress'; parentDeviceId: string; parentHostname: string };

/** Where a newly firing alert goes. `windowMs` 0 turns grouping off (dependencies still apply). */
export function decideFiring(a: FiringFacts, groups: readonly GroupFacts[], windowMs: number): FiringDecision {
  if (a.parent?.isDown) return { action: 'suppress', parentDeviceId: a.parent.deviceId, parentHostname: a.parent.hostname };
  if (windowMs <= 0) return { action: 'page' };
  let best: GroupFacts | undefined;
  for (const g of groups) {
    if (g.state !== 'firing' || g.clientId !== a.clientId || g.ruleId !== a.ruleId) continue;
    if (g.members.some((m) => m.alertId === a.alertId)) return { action: 'join', groupId: g.id };
    // An outage spans devices: a second filesystem full on the same server is its own problem.
    if (g.members.some((m) => m.deviceId === a.deviceId && m.isOpen)) continue;
    const sinceLast = a.firedAtMs - g.lastJoinedAtMs;
    if (sinceLast > windowMs) continue;
    if (!best || g.lastJoinedAtMs > best.lastJoinedAtMs) best = g;
  }
  return best ? { action: 'join', groupId: best.id } : { action: 'page' };
}

/**
 * When the follow-up announcing a member that joined at `joinedAtMs` is due: once per window at
 * most — the first a window after the group opened, each next one a window after the previous —
 * so a group of hundreds stays one follow-up with a count. A follow-up already due stays due.
 */
export function followUpAtAfterJoin(g: { nextFollowUpAtMs: number | null; lastAnnouncedAtMs: number }, joinedAtMs: number, windowMs: number): number {
  return g.nextFollowUpAtMs ?? Math.max(joinedAtMs, g.lastAnnouncedAtMs + windowMs);
}

export type ClosingDecision =
  /** Not in a group of several: the alert's own follow-up, as without grouping. */
  | { action: 'alone' }
  /** Others are still open: nothing is sent for this one; if it led, `handOverTo` takes the escalation. */
  | { action: 'fold'; handOverTo: string | null }
  /** It was the last open member: one resolution for the whole group. */
  | { action: 'resolve-group' }
  /** The leader was acknowledged: the group is, with one message. */
  | { action: 'acknowledge-group' };

/**
 * What a member's acknowledgement or resolution does to its group. `members` must already show
 * the closing alert as closed when it resolved (its state changed in the same transaction).
 */
export function decideClosing(g: GroupFacts | undefined, alertId: string, kind: 'acknowledged' | 'resolved'): ClosingDecision {
  if (!g || g.members.length < 2) return { action: 'alone' };
  const isLeader = g.leaderAlertId === alertId;
  if (kind === 'acknowledged') return isLeader && g.state === 'firing' ? { action: 'acknowledge-group' } : { action: 'fold', handOverTo: null };
  const stillOpen = g.members.filter((m) => m.isOpen && m.alertId !== alertId);
  if (stillOpen.length === 0) return g.state === 'resolved' ? { action: 'fold', handOverTo: null } : { action: 'resolve-group' };
  return { action: 'fold', handOverTo: isLeader ? stillOpen[0]!.alertId : null };
}
