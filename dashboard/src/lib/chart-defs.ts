/**
 * Which charts a device page shows and which metric series feed each one. A chart's `id` is its
 * stable `data-metric` attribute (tests and bookmarks rely on it).
 */
import { labelMetric } from '../../../shared/metric-labels.js';
import { formatSeriesKey, type MetricName, type MetricUnit } from '../../../shared/metrics.js';
import { formatCelsius, formatPct, formatRate } from './format.js';
import { activeT, type DashKey } from './i18n/index.js';

/**
 * A metric's name where people read it, in the active language: the shared English table, or
 * the Dutch text of metric.<name> (with the series' labels as arguments) when there is one.
 */
export function metricLabel(name: string, labels: Readonly<Record<string, string>>): string {
  const t = activeT();
  const key = `metric.${name}` as DashKey;
  if (t.locale === 'en' || t(key, { ...labels }) === `[${key}]`) return labelMetric(name, labels);
  return t(key, { mount: '?', iface: '?', core: '?', ...labels });
}

export interface ChartDef {
  id: string;
  /** The title's key in lib/i18n. */
  title: DashKey;
  unit: Extract<MetricUnit, 'percent' | 'bytesPerSec' | 'celsius'>;
  metrics: readonly MetricName[];
  /** Shown only when the device has reported one of `metrics`. */
  isOptional: boolean;
  /** Legend label of one series. */
  labelOf(name: string, labels: Readonly<Record<string, string>>): string;
}

export const CHART_DEFS: readonly ChartDef[] = [
  { id: 'cpu.loadPct', title: 'chart.cpu', unit: 'percent', metrics: ['cpu.loadPct'], isOptional: false, labelOf: (n, l) => metricLabel(n, l) },
  { id: 'mem.usedPct', title: 'chart.mem', unit: 'percent', metrics: ['mem.usedPct'], isOptional: false, labelOf: (n, l) => metricLabel(n, l) },
  {
    id: 'fs.usedPct',
    title: 'chart.fs',
    unit: 'percent',
    metrics: ['fs.usedPct'],
    isOptional: false,
    labelOf: (n, l) => metricLabel(n, l),
  },
  {
    id: 'net',
    title: 'chart.net',
    unit: 'bytesPerSec',
    metrics: ['net.rxBytesPerSec', 'net.txBytesPerSec'],
    isOptional: false,
    labelOf: (n, l) => metricLabel(n, l),
  },
  {
    id: 'temp.cpuCelsius',
    title: 'chart.temp',
    unit: 'celsius',
    metrics: ['temp.cpuCelsius'],
    isOptional: true,
    labelOf: (n, l) => metricLabel(n, l),
  },
  // Site probe: what a probed printer or UPS reports.
  {
    id: 'printer.tonerPct',
    title: 'chart.toner',
    unit: 'percent',
    metrics: ['printer.tonerPct'],
    isOptional: true,
    labelOf: (n, l) => metricLabel(n, l),
  },
  {
    id: 'printer.paperLevelPct',
    title: 'chart.paper',
    unit: 'percent',
    metrics: ['printer.paperLevelPct'],
    isOptional: true,
    labelOf: (n, l) => metricLabel(n, l),
  },
  { id: 'ups.chargePct', title: 'chart.upsCharge', unit: 'percent', metrics: ['ups.chargePct'], isOptional: true, labelOf: (n, l) => metricLabel(n, l) },
];

/** The charts for a device with these series. */
export function chartsForSeries(series: readonly { name: string }[], isProbed = false): ChartDef[] {
  const names = new Set(series.map((s) => s.name));
  // A probed device (printer, UPS …) has no CPU or memory: only the charts it has data for.
  return CHART_DEFS.filter((def) => (!def.isOptional && !isProbed) || def.metrics.some((m) => names.has(m)));
}

/** Series key of one line in a chart (same as the server's series key). */
export function seriesKey(name: string, labels: Readonly<Record<string, string>> | undefined): string {
  return formatSeriesKey(name, labels);
}

/** A value in the chart's unit, for axes and tooltips. */
export function formatValue(unit: ChartDef['unit'], value: number): string {
  if (unit === 'percent') return formatPct(value);
  if (unit === 'bytesPerSec') return formatRate(value);
  return formatCelsius(value);
}

/** A compact axis label in the chart's unit (`50%`, `1.5 MB/s`, `45 °C`). */
export function formatAxisValue(unit: ChartDef['unit'], value: number): string {
  if (unit === 'percent') return `${Math.round(value)}%`;
  if (unit === 'bytesPerSec') return formatRate(value);
  return `${Math.round(value)} °C`;
}

/** Chart time ranges offered on the device page. */
export const RANGES = [
  { id: '1h', label: 'range.1h', ms: 3_600_000 },
  { id: '24h', label: 'range.24h', ms: 86_400_000 },
  { id: '7d', label: 'range.7d', ms: 7 * 86_400_000 },
  { id: '30d', label: 'range.30d', ms: 30 * 86_400_000 },
] as const satisfies readonly { id: string; label: DashKey; ms: number }[];
export type RangeId = (typeof RANGES)[number]['id'];
