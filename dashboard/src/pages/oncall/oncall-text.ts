/** Words for on-call data: targets, delays, rotation layers, and datetime-local conversions. */
import type { Weekday } from '../../../../shared/alert-types.js';
import type { EscalationTarget, Schedule } from '../../../../shared/notify-types.js';
import { formatDuration } from '../../lib/format.js';
import { activeT } from '../../lib/i18n/index.js';

/** A weekday's short name in the active language (`Mon` / `ma`). */
export const dayName = (d: Weekday): string => activeT()(`day.${d}`);
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
export function describeTarget(target: EscalationTarget, names: Names): string {
  const t = activeT();
  switch (target.type) {
    case 'schedule':
      return t('target.schedule', { name: names.schedules.get(target.scheduleId) ?? t('target.deletedSchedule') });
    case 'user':
      return names.users.get(target.userId) ?? t('target.removedUser');
    case 'role':
      return t('target.role', { role: t(`role.${target.role}`) });
    case 'channel':
      return t('target.channel', { name: names.channels.get(target.channelId) ?? t('target.deleted') });
  }
}

/** `at once`, `after 10 min`, `after 1 h 30 min`. */
export function describeDelay(ms: number): string {
  if (ms <= 0) return activeT()('delay.atOnce');
  return activeT()('delay.after', { duration: formatDuration(ms) });
}

/** `Mon–Fri 18:00–08:00` style text of one restriction. */
export function describeRestriction(r: Restriction): string {
  const days = WEEK.filter((d) => r.days.includes(d));
  const isRun = days.length > 2 && WEEK.indexOf(days.at(-1)!) - WEEK.indexOf(days[0]!) === days.length - 1;
  const dayText =
    days.length === 7 ? activeT()('restriction.everyDay') : isRun ? `${dayName(days[0]!)}–${dayName(days.at(-1)!)}` : days.map(dayName).join(', ');
  return `${dayText} ${r.startTime}–${r.endTime}`;
}

/** `weekly`, `daily`, `every 14 days`. */
export function describeRotation(days: number): string {
  const t = activeT();
  return days === 7 ? t('rotation.weekly') : days === 1 ? t('rotation.daily') : t('rotation.every', { days });
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
