/**
 * Display helpers: numbers with units, relative and absolute times in the viewer's timezone, in
 * the dashboard's language (lib/i18n: English keeps the browser's English region, Dutch is nl-NL).
 */
import { formatBytes as bytes, formatCelsius as celsius, formatDuration as duration, formatPct as pct, formatRate as rate } from '../../../shared/format.js';
import { activeT } from './i18n/index.js';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const formats = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat>();

/** The Intl tag of the active language; undefined (the browser's own) for English, as before. */
function tag(): string | undefined {
  return activeT().locale === 'en' ? undefined : activeT().intlTag;
}

function cached<F extends Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat>(name: string, make: (tag: string | undefined) => F): F {
  const key = `${activeT().locale}|${name}`;
  let f = formats.get(key) as F | undefined;
  if (!f) {
    f = make(tag());
    formats.set(key, f);
  }
  return f;
}

// dateStyle/timeStyle cannot be combined with timeZoneName, hence the explicit fields.
const fullFormat = () =>
  cached(
    'full',
    (l) =>
      new Intl.DateTimeFormat(l, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
      }),
  );
const hourMinute = () => cached('hm', (l) => new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit' }));
const dayMonth = () => cached('dm', (l) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short' }));
const dayMonthTime = () => cached('dmt', (l) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }));
const relative = () => cached('rel', (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto', style: 'short' }));

/** The viewer's IANA timezone, e.g. `Europe/Amsterdam`. */
export function viewerTimeZone(): string {
  return timeZone;
}

/** `12 Mar 2026, 14:03:11 CET` in the viewer's timezone. */
export function formatFullTime(tsMs: number): string {
  return fullFormat().format(tsMs);
}

/** `14:03` */
export function formatHourMinute(tsMs: number): string {
  return hourMinute().format(tsMs);
}

/** `12 Mar` */
export function formatDayMonth(tsMs: number): string {
  return dayMonth().format(tsMs);
}

/** `12 Mar, 14:03` */
export function formatDayMonthTime(tsMs: number): string {
  return dayMonthTime().format(tsMs);
}

/** `just now`, `5 min. ago`, `3 hr. ago`, `2 days ago`; `never` for null. */
export function formatRelative(tsMs: number | null, nowMs: number): string {
  if (tsMs === null) return activeT()('format.never');
  // A time ahead of "now" (a stale render clock or an agent clock running fast) reads as now.
  const diffSec = Math.min(0, Math.round((tsMs - nowMs) / 1000));
  const abs = Math.abs(diffSec);
  if (abs < 10) return activeT()('format.justNow');
  if (abs < 60) return relative().format(diffSec, 'second');
  if (abs < 3600) return relative().format(Math.round(diffSec / 60), 'minute');
  if (abs < 86_400) return relative().format(Math.round(diffSec / 3600), 'hour');
  return relative().format(Math.round(diffSec / 86_400), 'day');
}

// Numbers with units come from the one formatter the server's messages use too; in Dutch with a
// decimal comma and "u" for hours (uur).
const isDutch = () => activeT().locale === 'nl';
const decimalComma = (s: string) => (isDutch() ? s.replace(/(\d)\.(\d)/g, '$1,$2') : s);

/** A number text from the shared formatters (`93.4 %`) with the language's decimal mark (`93,4 %`). */
export function localDecimals(text: string): string {
  return decimalComma(text);
}

/** `97 %`, `9,5 %` in Dutch. */
export function formatPct(value: number | null | undefined): string {
  return decimalComma(pct(value));
}

/** `1.2 GB` / `1,2 GB`. */
export function formatBytes(value: number): string {
  return decimalComma(bytes(value));
}

/** `1.2 MB/s` / `1,2 MB/s`. */
export function formatRate(bytesPerSec: number): string {
  return decimalComma(rate(bytesPerSec));
}

/** `71.5 °C` / `71,5 °C`. */
export function formatCelsius(value: number): string {
  return decimalComma(celsius(value));
}

/** `1 h 30 min` / `1 u 30 min`, `7 d`. */
export function formatDuration(ms: number): string {
  const s = duration(ms);
  return isDutch() ? s.replace(/(\d) h\b/g, '$1 u') : s;
}

/** A number with the language's separators and at most `digits` decimals. */
export function formatNumber(n: number, digits = 0): string {
  return cached(`n${digits}`, (l) => new Intl.NumberFormat(l, { maximumFractionDigits: digits })).format(n);
}

/** A number with exactly `digits` decimals (`8.4`, `8,4`), without thousands separators. */
export function formatFixed(n: number, digits: number): string {
  return cached(`f${digits}`, (l) => new Intl.NumberFormat(l, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false })).format(n);
}

const dateOnly = () => cached('d', (l) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short', year: 'numeric' }));
const monthYear = () => cached('my', (l) => new Intl.DateTimeFormat(l, { month: 'long', year: 'numeric', timeZone: 'UTC' }));
const monthShort = () => cached('ms', (l) => new Intl.DateTimeFormat(l, { month: 'short', year: 'numeric', timeZone: 'UTC' }));

/** `12 Mar 2026` */
export function formatDate(tsMs: number): string {
  return dateOnly().format(tsMs);
}

/** A calendar date `YYYY-MM-DD` shown as `12 Mar 2026` (no time zone shift). */
export function formatIsoDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return dateOnly().format(new Date(y, m - 1, d));
}

/** `YYYY-MM` → `March 2026`. */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthYear().format(Date.UTC(y, m - 1, 1));
}

/** `YYYY-MM` → `Mar 2026` (chart axes): a two-digit year reads as a day ("Dec 26"). */
export function formatMonthShort(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthShort().format(Date.UTC(y, m - 1, 1));
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

/** The calendar day `days` after a `YYYY-MM-DD` date (negative: before), across months and years. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (`YYYY-MM-DD`; 1 from a day to the next). */
export function daysBetween(from: string, to: string): number {
  const ms = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(to) - ms(from)) / 86_400_000);
}

/** `1 h 30 min`, `45 min`, `2 h`. */
export function formatMinutes(minutes: number): string {
  return formatDuration(minutes * 60_000);
}

/** A rule duration in ms as `5 min`, `1 min 30 s`, `2 h`, `7 d`; `0` reads `at once`. */
export function formatRuleDuration(ms: number): string {
  return ms === 0 ? activeT()('format.atOnce') : formatDuration(ms);
}

/** `€ 1,234.50` in the client's currency (the viewer's number style). */
export function formatMoney(amount: number, currency: string): string {
  const f = cached(`money|${currency}`, (l) => {
    try {
      return new Intl.NumberFormat(l, { style: 'currency', currency });
    } catch {
      return new Intl.NumberFormat(l, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
  });
  return f.format(amount);
}

/** `€400`, `€1.2K`: money on chart axes. */
export function formatMoneyCompact(amount: number, currency: string): string {
  const f = cached(`moneyc|${currency}`, (l) => {
    try {
      return new Intl.NumberFormat(l, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
    } catch {
      return new Intl.NumberFormat(l, { notation: 'compact', maximumFractionDigits: 1 });
    }
  });
  return f.format(amount);
}
