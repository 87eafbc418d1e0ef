/**
 * Which charts a device page shows and which metric series feed each one. A chart's `id` is its
 * stable `data-metric` attribute (tests and bookmarks rely on it).
 */
import { formatCelsius } from '../../../shared/format.js';
import { labelMetric } from '../../../shared/metric-labels.js';
import { formatSeriesKey, type MetricName, type MetricUnit } from '../../../shared/metrics.js';
import { formatPct, formatRate } from './format.js';

export interface ChartDef {
  id: string;
  title: string;
  unit: Extract<MetricUnit, 'percent' | 'bytesPerSec' | 'celsius'>;
  metrics: readonly MetricName[];
  /** Shown only when the device has reported one of `metrics`. */
  isOptional: boolean;
  /** Legend label of one series. */
  labelOf(name: string, labels: Readonly<Record<string, string>>): string;
}

export const CHART_DEFS: readonly ChartDef[] = [
  { id: 'cpu.loadPct', title: 'CPU load', unit: 'percent', metrics: ['cpu.loadPct'], isOptional: false, labelOf: (n, l) => labelMetric(n, l) },
  { id: 'mem.usedPct', title: 'Memory used', unit: 'percent', metrics: ['mem.usedPct'], isOptional: false, labelOf: (n, l) => labelMetric(n, l) },
  {
    id: 'fs.usedPct',
    title: 'Filesystems used',
    unit: 'percent',
    metrics: ['fs.usedPct'],
    isOptional: false,
    labelOf: (n, l) => labelMetric(n, l),
  },
  {
    id: 'net',
    title: 'Network',
    unit: 'bytesPerSec',
    metrics: ['net.rxBytesPerSec', 'net.txBytesPerSec'],
    isOptional: false,
    labelOf: (n, l) => labelMetric(n, l),
  },
  {
    id: 'temp.cpuCelsius',
    title: 'CPU temperature',
    unit: 'celsius',
    metrics: ['temp.cpuCelsius'],
    isOptional: true,
    labelOf: (n, l) => labelMetric(n, l),
  },
  // Site probe: what a probed printer or UPS reports.
  {
    id: 'printer.tonerPct',
    title: 'Toner and ink left',
    unit: 'percent',
    metrics: ['printer.tonerPct'],
    isOptional: true,
    labelOf: (n, l) => labelMetric(n, l),
  },
  {
    id: 'printer.paperLevelPct',
    title: 'Paper left',
    unit: 'percent',
    metrics: ['printer.paperLevelPct'],
    isOptional: true,
    labelOf: (n, l) => labelMetric(n, l),
  },
  { id: 'ups.chargePct', title: 'Battery charge', unit: 'percent', metrics: ['ups.chargePct'], isOptional: true, labelOf: (n, l) => labelMetric(n, l) },
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
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '24h', label: '24 h', ms: 86_400_000 },
  { id: '7d', label: '7 d', ms: 7 * 86_400_000 },
  { id: '30d', label: '30 d', ms: 30 * 86_400_000 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];
