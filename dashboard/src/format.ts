/** Display helpers: numbers with units, relative and absolute times in the viewer's timezone. */

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
// dateStyle/timeStyle cannot be combined with timeZoneName, hence the explicit fields.
const fullFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dayMonthTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** The viewer's IANA timezone, e.g. `Europe/Amsterdam`. */
export function viewerTimeZone(): string {
  return timeZone;
}

/** `12 Mar 2026, 14:03:11 CET` in the viewer's timezone. */
export function formatFullTime(tsMs: number): string {
  return fullFormat.format(tsMs);
}

/** `14:03` */
export function formatHourMinute(tsMs: number): string {
  return hourMinute.format(tsMs);
}

/** `12 Mar` */
export function formatDayMonth(tsMs: number): string {
  return dayMonth.format(tsMs);
}

/** `12 Mar, 14:03` */
export function formatDayMonthTime(tsMs: number): string {
  return dayMonthTime.format(tsMs);
}

/** `just now`, `5 min. ago`, `3 hr. ago`, `2 days ago`; `never` for null. */
export function formatRelative(tsMs: number | null, nowMs: number): string {
  if (tsMs === null) return 'never';
  // A time ahead of "now" (a stale render clock or an agent clock running fast) reads as now.
  const diffSec = Math.min(0, Math.round((tsMs - nowMs) / 1000));
  const abs = Math.abs(diffSec);
  if (abs < 10) return 'just now';
  if (abs < 60) return relative.format(diffSec, 'second');
  if (abs < 3600) return relative.format(Math.round(diffSec / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(diffSec / 3600), 'hour');
  return relative.format(Math.round(diffSec / 86_400), 'day');
}

/** `42%` (one decimal below 10). */
export function formatPct(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

const byteUnits = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** `1.2 GB` (decimal units, as disks and links are sold). */
export function formatBytes(value: number): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < byteUnits.length - 1) {
    v /= 1000;
    i += 1;
  }
  const sign = value < 0 ? '-' : '';
  return `${sign}${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${byteUnits[i]}`;
}

/** `1.2 MB/s` */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** `3 d 4 h`, `5 h 12 m`, `40 s` */
export function formatDuration(sec: number): string {
  const d = Math.floor(sec / 86_400);
  const h = Math.floor((sec % 86_400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} m`;
  if (m > 0) return `${m} m`;
  return `${Math.round(sec)} s`;
}
