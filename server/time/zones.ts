/**
 * The server's time-zone library, pure: local calendar fields of an instant in an IANA zone
 * (through Intl, so daylight saving time is followed), the instant of a local wall-clock time,
 * and the "YYYY-MM-DD" / "HH:MM" texts people type. Used by maintenance windows, on-call
 * schedules, digests and reports.
 */

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
    return (
      p.year === wanted.getUTCFullYear() &&
      p.month === wanted.getUTCMonth() + 1 &&
      p.day === wanted.getUTCDate() &&
      p.minuteOfDay === wanted.getUTCHours() * 60 + wanted.getUTCMinutes()
    );
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

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(ms: number, timezone: string): string {
  const p = zonedParts(ms, timezone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
