/**
 * Maintenance windows, pure. A window is data; one predicate says whether a device is in
 * maintenance at an instant. Recurring windows are weekly and read in the client's IANA time
 * zone (through Intl, so "Sunday 02:00–04:00 Europe/Amsterdam" follows daylight saving time).
 *
 *   isInMaintenance(windows, nowMs, timezone)
 *     one-off:   startsAtMs ≤ now < endsAtMs
 *     recurring: local weekday ∈ days and startMinute ≤ local minute of day < endMinute
 */

/** A window as the predicate needs it. Minutes are minutes of the local day (0–1440). */
export type WindowSpec =
  | { kind: 'one-off'; startsAtMs: number; endsAtMs: number }
  | { kind: 'recurring'; days: readonly number[]; startMinute: number; endMinute: number };

/** Local calendar fields of an instant in a time zone; weekday 0 = Sunday. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
// Building an Intl.DateTimeFormat costs ~50 µs; the engine asks per device per tick, so keep one
// per time zone. This memo is an optimisation of a pure function, not shared state.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when `timezone` is an IANA zone this runtime knows. */
export function isValidTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The local date, weekday and minute of day of `ms` in `timezone`. */
export function zonedParts(ms: number, timezone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timezone).formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_INDEX[parts.weekday!] ?? 0,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function offsetMs(ms: number, timezone: string): number {
  const p = zonedParts(ms, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, 0, p.minuteOfDay);
  return asUtc - (ms - (((ms % 60_000) + 60_000) % 60_000));
}

/**
 * The instant of a local wall-clock time. In a DST gap the time does not exist and the result
 * is shifted forward by the gap (02:30 on a spring-forward night reads as 03:30); in a DST
 * overlap the earlier of the two instants is returned.
 */
export function zonedTimeToMs(year: number, month: number, day: number, minuteOfDay: number, timezone: string): number {
  const naive = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const wanted = new Date(naive);
  // The zone's offsets a day either side cover any single transition in between.
  const beforeOffset = offsetMs(naive - 86_400_000, timezone);
  const afterOffset = offsetMs(naive + 86_400_000, timezone);
  const candidates = [naive - beforeOffset, naive - afterOffset].filter((c) => {
    const p = zonedParts(c, timezone);
    return p.year === wanted.getUTCFullYear() && p.month === wanted.getUTCMonth() + 1 && p.day === wanted.getUTCDate() && p.minuteOfDay === wanted.getUTCHours() * 60 + wanted.getUTCMinutes();
  });
  return candidates.length > 0 ? Math.min(...candidates) : naive - beforeOffset;
}

/** Parses "YYYY-MM-DD"; undefined when it is not a real calendar date. */
export function parseLocalDate(text: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** "HH:MM" → minute of day (24:00 → 1440). */
export function parseLocalTime(text: string): number {
  const [h, m] = text.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Minute of day → "HH:MM". */
export function formatLocalTime(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

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
