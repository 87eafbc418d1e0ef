/**
 * Maintenance windows, pure. A window is data; one predicate says whether a device is in
 * maintenance at an instant. Recurring windows are weekly and read in the client's IANA time
 * zone (through Intl, so "Sunday 02:00–04:00 Europe/Amsterdam" follows daylight saving time).
 *
 *   isInMaintenance(windows, nowMs, timezone)
 *     one-off:   startsAtMs ≤ now < endsAtMs
 *     recurring: local weekday ∈ days and startMinute ≤ local minute of day < endMinute
 *     across midnight (endMinute ≤ startMinute, e.g. 22:00–04:00): from startMinute on a listed
 *                day to endMinute on the next local day — `days` are the days a window starts
 *
 * Everything is read in local time, so a patch night 22:00–04:00 across the October change to
 * winter time lasts 7 hours of real time and one across the March change 5: it still ends at
 * 04:00 on the clock of the client's office.
 */

import { zonedParts, zonedTimeToMs, type ZonedParts } from './zones.js';

/** A window as the predicate needs it. Minutes are minutes of the local day (0–1440). */
export type WindowSpec =
  { kind: 'one-off'; startsAtMs: number; endsAtMs: number } | { kind: 'recurring'; days: readonly number[]; startMinute: number; endMinute: number };

/** True when any window covers `nowMs`. */
export function isInMaintenance(windows: readonly WindowSpec[], nowMs: number, timezone: string): boolean {
  let local: ZonedParts | undefined;
  for (const w of windows) {
    if (w.kind === 'one-off') {
      if (w.startsAtMs <= nowMs && nowMs < w.endsAtMs) return true;
      continue;
    }
    local ??= zonedParts(nowMs, timezone);
    const m = local.minuteOfDay;
    if (!crossesMidnight(w)) {
      if (w.days.includes(local.weekday) && w.startMinute <= m && m < w.endMinute) return true;
    } else if ((w.days.includes(local.weekday) && m >= w.startMinute) || (w.days.includes((local.weekday + 6) % 7) && m < w.endMinute)) {
      return true;
    }
  }
  return false;
}

/** True for a recurring window that ends on the next local day (22:00–04:00). */
export function crossesMidnight(w: Extract<WindowSpec, { kind: 'recurring' }>): boolean {
  return w.endMinute <= w.startMinute;
}

const WEEK_MIN = 7 * 1440;

/** A recurring window's stretches of the local week in minutes from Sunday 00:00, each within [0, WEEK_MIN). */
function weekStretches(w: Extract<WindowSpec, { kind: 'recurring' }>): [number, number][] {
  const out: [number, number][] = [];
  for (const d of w.days) {
    const start = d * 1440 + w.startMinute;
    const end = d * 1440 + w.endMinute + (crossesMidnight(w) ? 1440 : 0);
    // Saturday night into Sunday wraps around the week.
    if (end <= WEEK_MIN) out.push([start, end]);
    else out.push([start, WEEK_MIN], [0, end - WEEK_MIN]);
  }
  return out;
}

/** The [start, end) instants of a recurring window's occurrences that intersect [fromMs, toMs). */
export function recurringOccurrences(w: Extract<WindowSpec, { kind: 'recurring' }>, fromMs: number, toMs: number, timezone: string): [number, number][] {
  const out: [number, number][] = [];
  const first = zonedParts(fromMs, timezone);
  // One day of slack each side covers time zone offsets; the cap keeps a silly range bounded.
  let day = Date.UTC(first.year, first.month - 1, first.day) - 86_400_000;
  for (let i = 0; i < 800 && day <= toMs + 86_400_000; i++, day += 86_400_000) {
    const d = new Date(day);
    if (!w.days.includes(d.getUTCDay())) continue;
    const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const start = zonedTimeToMs(y, m, dd, w.startMinute, timezone);
    let end: number;
    if (crossesMidnight(w)) {
      const next = new Date(day + 86_400_000);
      end = zonedTimeToMs(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), w.endMinute, timezone);
    } else end = zonedTimeToMs(y, m, dd, w.endMinute, timezone);
    if (start < toMs && end > fromMs) out.push([start, end]);
  }
  return out;
}

/** True when two windows of the same scope share any instant. */
export function windowsOverlap(a: WindowSpec, b: WindowSpec, timezone: string): boolean {
  if (a.kind === 'one-off' && b.kind === 'one-off') return a.startsAtMs < b.endsAtMs && b.startsAtMs < a.endsAtMs;
  if (a.kind === 'recurring' && b.kind === 'recurring') {
    const bs = weekStretches(b);
    return weekStretches(a).some(([s1, e1]) => bs.some(([s2, e2]) => s1 < e2 && s2 < e1));
  }
  const [oneOff, recurring] = a.kind === 'one-off' ? [a, b as Extract<WindowSpec, { kind: 'recurring' }>] : [b as Extract<WindowSpec, { kind: 'one-off' }>, a];
  return recurringOccurrences(recurring, oneOff.startsAtMs, oneOff.endsAtMs, timezone).length > 0;
}
