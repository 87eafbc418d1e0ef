/** Showing a stored value by its metric's unit (from shared/metrics.ts, which the server checks against). */
import { findMetric } from '../../../shared/metrics.js';
import { formatBytes, formatDuration, formatPct, formatRate } from './format.js';

/** Splits a series key `fs.usedPct{mount=/}` into name and label text. */
export function parseSeriesKey(key: string): { name: string; labels: string } {
  const i = key.indexOf('{');
  return i < 0 ? { name: key, labels: '' } : { name: key.slice(0, i), labels: key.slice(i + 1, -1) };
}

/** A value of metric `name` in its unit: `42%`, `1.2 GB`, `3 h 5 m`, `yes`. */
export function formatMetricValue(name: string, value: number): string {
  switch (findMetric(name)?.unit) {
    case 'percent':
      return formatPct(value);
    case 'bytes':
      return formatBytes(value);
    case 'bytesPerSec':
      return formatRate(value);
    case 'seconds':
      return formatDuration(value);
    case 'celsius':
      return `${value.toFixed(1)} °C`;
    case 'boolean':
      return value >= 0.5 ? 'yes' : 'no';
    case 'ratio':
      return value.toFixed(2);
    default:
      return String(Math.round(value * 100) / 100);
  }
}

/** The metric's description for a tooltip, or its name. */
export function describeMetric(name: string): string {
  return findMetric(name)?.description ?? name;
}
