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

const dateOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const monthYear = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthShort = new Intl.DateTimeFormat(undefined, { month: 'short', year: '2-digit', timeZone: 'UTC' });

/** `12 Mar 2026` */
export function formatDate(tsMs: number): string {
  return dateOnly.format(tsMs);
}

/** A calendar date `YYYY-MM-DD` shown as `12 Mar 2026` (no time zone shift). */
export function formatIsoDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return dateOnly.format(new Date(y, m - 1, d));
}

/** `YYYY-MM` → `March 2026`. */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthYear.format(Date.UTC(y, m - 1, 1));
}

/** `YYYY-MM` → `Mar 26` (chart axes). */
export function formatMonthShort(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthShort.format(Date.UTC(y, m - 1, 1));
}

/** Today in the viewer's time zone, `YYYY-MM-DD`. */
export function todayIso(nowMs = Date.now()): string {
  const d = new Date(nowMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** This month in the viewer's time zone, `YYYY-MM`. */
export function thisMonthIso(nowMs = Date.now()): string {
  return todayIso(nowMs).slice(0, 7);
}

/** `1 h 30 min`, `45 min`, `2 h`. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** A rule duration in ms as `5 min`, `90 s`, `2 h`, `7 d`; `0` reads `at once`. */
export function formatRuleDuration(ms: number): string {
  if (ms === 0) return 'at once';
  const sec = ms / 1000;
  if (sec < 120 && sec % 60 !== 0) return `${sec} s`;
  const min = sec / 60;
  if (min < 120 || min % 60 !== 0) return `${Number.isInteger(min) ? min : min.toFixed(1)} min`;
  const h = min / 60;
  if (h < 48 || h % 24 !== 0) return `${h} h`;
  return `${h / 24} d`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** `€ 1,234.50` in the client's currency (the viewer's number style). */
export function formatMoney(amount: number, currency: string): string {
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      f = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(currency, f);
  }
  return f.format(amount);
}

const compactMoneyFormats = new Map<string, Intl.NumberFormat>();

/** `€400`, `€1.2K`: money on chart axes. */
export function formatMoneyCompact(amount: number, currency: string): string {
  let f = compactMoneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
    } catch {
      f = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
    }
    compactMoneyFormats.set(currency, f);
  }
  return f.format(amount);
}
