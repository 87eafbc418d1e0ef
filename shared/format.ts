/**
 * The one formatter for numbers people read: durations, bytes, rates, percentages and
 * temperatures. Server messages and the dashboard both use it, so a page and the screen say the
 * same thing ("97 %", "1.2 GB", "1 h 30 min", "about 3 days"). Pure; no locale or time zone.
 */

/** `97 %`; one decimal below 10 (`9.5 %`); `–` for a missing value. */
export function formatPct(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  return `${abs < 10 && Math.round(value * 10) % 10 !== 0 ? value.toFixed(1) : Math.round(value)} %`;
}

const byteUnits = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** `1.2 GB`, `512 MB`, `0 B` (decimal units, as disks and links are sold). */
export function formatBytes(value: number): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < byteUnits.length - 1) {
    v /= 1000;
    i += 1;
  }
  const sign = value < 0 ? '-' : '';
  const digits = v >= 100 || i === 0 ? String(Math.round(v)) : trimDecimal(v);
  return `${sign}${digits} ${byteUnits[i]}`;
}

/** `1.2 MB/s` */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

const bitUnits = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

/** `940 Mbit/s`, `1.5 kbit/s`, `0 bit/s` (decimal units, as links are sold). */
export function formatBitRate(bitsPerSec: number): string {
  let v = Math.abs(bitsPerSec);
  let i = 0;
  while (v >= 1000 && i < bitUnits.length - 1) {
    v /= 1000;
    i += 1;
  }
  const sign = bitsPerSec < 0 ? '-' : '';
  const digits = v >= 100 || i === 0 ? String(Math.round(v)) : trimDecimal(v);
  return `${sign}${digits} ${bitUnits[i]}`;
}

/** `71 °C`; one decimal when it has one (`71.5 °C`). */
export function formatCelsius(value: number): string {
  return `${trimDecimal(value)} °C`;
}

/** A plain number rounded to two decimals: `0.75`, `12`. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * An elapsed or configured time, exact to its two largest units: `40 s`, `5 min`,
 * `1 h 30 min`, `2 h`, `3 d 4 h`, `7 d`. Negative times read as `0 s`.
 */
export function formatDuration(ms: number): string {
  const totalSec = Math.max(0, Math.round(ms / 1000));
  if (totalSec < 60) return `${totalSec} s`;
  const totalMin = Math.round(totalSec / 60);
  if (totalMin < 60) {
    const sec = totalSec % 60;
    return sec === 0 || totalMin >= 10 ? `${totalMin} min` : `${Math.floor(totalSec / 60)} min ${sec} s`;
  }
  if (totalMin < 24 * 60) {
    const h = Math.floor(totalMin / 60);
    const m = totalMin % 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const totalH = Math.round(totalMin / 60);
  const d = Math.floor(totalH / 24);
  const h = totalH % 24;
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/**
 * A prediction, rounded to one unit in words: `about 3 days`, `about 5 hours`,
 * `about 20 minutes`, `less than a minute`.
 */
export function formatApproxDuration(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  const plural = (n: number, unit: string) => `about ${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms < 3_600_000) return plural(Math.round(ms / 60_000), 'minute');
  if (ms < 2 * 86_400_000) return plural(Math.round(ms / 3_600_000), 'hour');
  return plural(Math.round(ms / 86_400_000), 'day');
}

function trimDecimal(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** `text` cut to at most `max` characters, the last one `…` when anything was cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
