/** Words for on-call data: targets, delays, rotation layers, and datetime-local conversions. */
import type { Weekday } from '../../../../shared/alert-types.js';
import type { EscalationTarget, Schedule } from '../../../../shared/notify-types.js';
import { formatDuration } from '../../lib/format.js';

export const DAY_NAMES: Record<Weekday, string> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };
/** Monday first, as rotas are read; the values are the shared weekday keys. */
export const WEEK: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type Layer = Schedule['layers'][number];
export type Restriction = Layer['restrictions'][number];

/** Names to show for the ids a target refers to. */
export interface Names {
  users: Map<string, string>;
  schedules: Map<string, string>;
  channels: Map<string, string>;
}

/** `On call: Primary`, `piet`, `every admin`, `#ops (Slack)`. */
export function describeTarget(t: EscalationTarget, names: Names): string {
  switch (t.type) {
    case 'schedule':
      return `on call: ${names.schedules.get(t.scheduleId) ?? 'a deleted schedule'}`;
    case 'user':
      return names.users.get(t.userId) ?? 'a removed user';
    case 'role':
      return `every ${t.role}`;
    case 'channel':
      return `channel ${names.channels.get(t.channelId) ?? '(deleted)'}`;
  }
}

/** `at once`, `after 10 min`, `after 1 h 30 min`. */
export function describeDelay(ms: number): string {
  if (ms <= 0) return 'at once';
  return `after ${formatDuration(ms)}`;
}

/** `Mon–Fri 18:00–08:00` style text of one restriction. */
export function describeRestriction(r: Restriction): string {
  const days = WEEK.filter((d) => r.days.includes(d));
  const isRun = days.length > 2 && WEEK.indexOf(days.at(-1)!) - WEEK.indexOf(days[0]!) === days.length - 1;
  const dayText = days.length === 7 ? 'every day' : isRun ? `${DAY_NAMES[days[0]!]}–${DAY_NAMES[days.at(-1)!]}` : days.map((d) => DAY_NAMES[d]).join(', ');
  return `${dayText} ${r.startTime}–${r.endTime}`;
}

/** `weekly`, `daily`, `every 14 days`. */
export function describeRotation(days: number): string {
  return days === 7 ? 'weekly' : days === 1 ? 'daily' : `every ${days} days`;
}

/** ms → the value of an `<input type="datetime-local">` in the viewer's time zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The value of an `<input type="datetime-local">` (viewer's zone) → ms; NaN when empty. */
export function fromLocalInput(value: string): number {
  return value ? new Date(value).getTime() : Number.NaN;
}

/** Tonight 18:00 to tomorrow 08:00 (or the next such night once today's 18:00 has passed), the usual swap. */
export function nextNight(nowMs: number): { startsAtMs: number; endsAtMs: number } {
  const start = new Date(nowMs);
  start.setHours(18, 0, 0, 0);
  if (start.getTime() <= nowMs) start.setDate(start.getDate() + 1);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  end.setHours(8, 0, 0, 0);
  return { startsAtMs: start.getTime(), endsAtMs: end.getTime() };
}
