/**
 * Maintenance windows, pure. A window is data; one predicate says whether a device is in
 * maintenance at an instant. Recurring windows are weekly and read in the client's IANA time
 * zone (through Intl, so "Sunday 02:00–04:00 Europe/Amsterdam" follows daylight saving time).
 *
 *   isInMaintenance(windows, nowMs, timezone)
 *     one-off:   startsAtMs ≤ now < endsAtMs
 *     recurring: local weekday ∈ days and startMinute ≤ local minute of day < endMinute
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
    if (w.days.includes(local.weekday) && w.startMinute <= local.minuteOfDay && local.minuteOfDay < w.endMinute) return true;
  }
  return false;
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
    const end = zonedTimeToMs(y, m, dd, w.endMinute, timezone);
    if (start < toMs && end > fromMs) out.push([start, end]);
  }
  return out;
}

/** True when two windows of the same scope share any instant. */
export function windowsOverlap(a: WindowSpec, b: WindowSpec, timezone: string): boolean {
  if (a.kind === 'one-off' && b.kind === 'one-off') return a.startsAtMs < b.endsAtMs && b.startsAtMs < a.endsAtMs;
  if (a.kind === 'recurring' && b.kind === 'recurring') {
    return a.days.some((d) => b.days.includes(d)) && a.startMinute < b.endMinute && b.startMinute < a.endMinute;
  }
  const [oneOff, recurring] = a.kind === 'one-off' ? [a, b as Extract<WindowSpec, { kind: 'recurring' }>] : [b as Extract<WindowSpec, { kind: 'one-off' }>, a];
  return recurringOccurrences(recurring, oneOff.startsAtMs, oneOff.endsAtMs, timezone).length > 0;
}
