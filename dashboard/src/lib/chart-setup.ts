/**
 * chart.js wiring shared by every chart: only the parts we use are registered (tree-shaken), and
 * the x axis is a plain linear axis of ms timestamps with ticks we place ourselves at round local
 * times (no date adapter needed), labelled in the viewer's timezone.
 */
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { formatAxisValue, formatValue, type ChartDef } from './chart-defs.js';
import { formatDayMonth, formatDayMonthTime, formatFullTime, formatHourMinute } from './format.js';
import { withAlpha } from './chart-colors.js';
import { cssVar } from './theme.js';

export { withAlpha };

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Tooltip, Legend);

export { Chart };

/** One plotted point: time (ms) and value; NaN values break the line (a gap). */
export interface XY {
  x: number;
  y: number;
}
export type LineChart = Chart<'line', XY[], string>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const tickSteps = [MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

/** Tick positions at round local times between min and max, about one per 80 px. */
export function buildTimeTicks(minMs: number, maxMs: number, widthPx: number): number[] {
  const maxTicks = Math.max(2, Math.floor(widthPx / 80));
  const span = maxMs - minMs;
  const stepMs = tickSteps.find((s) => span / s <= maxTicks) ?? 7 * DAY;
  const d = new Date(minMs);
  if (stepMs < HOUR) {
    d.setSeconds(0, 0);
    const stepMin = stepMs / MINUTE;
    d.setMinutes(Math.ceil(d.getMinutes() / stepMin) * stepMin);
  } else if (stepMs < DAY) {
    d.setMinutes(0, 0, 0);
    const stepH = stepMs / HOUR;
    d.setHours(Math.ceil((d.getHours() + (d.getTime() < minMs ? 1 : 0)) / stepH) * stepH);
  } else {
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < minMs) d.setDate(d.getDate() + 1);
  }
  const ticks: number[] = [];
  while (d.getTime() <= maxMs && ticks.length < 100) {
    if (d.getTime() >= minMs) ticks.push(d.getTime());
    if (stepMs < DAY) d.setTime(d.getTime() + stepMs);
    else d.setDate(d.getDate() + stepMs / DAY); // calendar days, so DST shifts stay at midnight
  }
  return ticks;
}

function formatTick(valueMs: number, spanMs: number): string {
  if (spanMs > 2 * DAY) return formatDayMonth(valueMs);
  const d = new Date(valueMs);
  return d.getHours() === 0 && d.getMinutes() === 0 ? formatDayMonth(valueMs) : formatHourMinute(valueMs);
}

/** Theme colours read from the CSS variables. */
export function readChartTheme(): { grid: string; text: string; palette: string[] } {
  const palette = [1, 2, 3, 4, 5, 6].map((i) => cssVar(`--chart-${i}`) || '#3b82f6');
  return { grid: cssVar('--chart-grid') || '#8884', text: cssVar('--muted') || '#888', palette };
}

/** Colours one dataset by its index, area-filled when it is the chart's only line. */
export function styleDataset(ds: LineChart['data']['datasets'][number], index: number, isOnly: boolean): void {
  const color = readChartTheme().palette[index % 6]!;
  ds.borderColor = color;
  ds.backgroundColor = withAlpha(color, isOnly ? 0.14 : 0.6);
  ds.fill = isOnly ? 'origin' : false;
}

/** Applies the current theme's colours to an existing chart. */
export function applyChartTheme(chart: LineChart): void {
  const theme = readChartTheme();
  const scales = chart.options.scales as Record<string, { grid?: { color?: string }; ticks?: { color?: string }; border?: { color?: string } }>;
  for (const axis of Object.values(scales)) {
    if (axis.grid) axis.grid.color = theme.grid;
    if (axis.ticks) axis.ticks.color = theme.text;
    if (axis.border) axis.border.color = theme.grid;
  }
  const legend = chart.options.plugins?.legend?.labels;
  if (legend) legend.color = theme.text;
  const n = chart.data.datasets.length;
  chart.data.datasets.forEach((ds, i) => styleDataset(ds, i, n === 1));
}

/** A line chart config for one chart definition. */
export function buildChartConfig(def: ChartDef): ChartConfiguration<'line', XY[], string> {
  const theme = readChartTheme();
  const isPercent = def.unit === 'percent';
  return {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      elements: {
        point: { radius: 0, hitRadius: 6, hoverRadius: 3 },
        line: { borderWidth: 1.5, tension: 0 },
      },
      scales: {
        x: {
          type: 'linear',
          grid: { color: theme.grid },
          border: { color: theme.grid },
          afterBuildTicks: (scale) => {
            scale.ticks = buildTimeTicks(scale.min, scale.max, scale.width).map((value) => ({ value }));
          },
          ticks: {
            color: theme.text,
            maxRotation: 0,
            autoSkip: true,
            font: { size: 11 },
            callback(value) {
              return formatTick(Number(value), this.max - this.min);
            },
          },
        },
        y: {
          type: 'linear',
          min: isPercent ? 0 : undefined,
          max: isPercent ? 100 : undefined,
          beginAtZero: def.unit !== 'celsius',
          grace: def.unit === 'celsius' ? '10%' : 0,
          grid: { color: theme.grid },
          border: { display: false },
          ticks: {
            color: theme.text,
            maxTicksLimit: 5,
            font: { size: 11 },
            callback: (value) => formatAxisValue(def.unit, Number(value)),
          },
        },
      },
      plugins: {
        legend: {
          display: false,
          position: 'bottom',
          align: 'start',
          labels: { color: theme.text, boxWidth: 10, boxHeight: 2, font: { size: 11 } },
        },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? formatFullTime(items[0].parsed.x ?? 0) : ''),
            label: (item) => `${item.dataset.label}: ${formatValue(def.unit, item.parsed.y ?? 0)}`,
          },
        },
      },
    },
  };
}

/** `12 Mar, 14:03 – 14:03` style label of a time window, for captions. */
export function formatWindow(fromMs: number, toMs: number): string {
  return `${formatDayMonthTime(fromMs)} – ${formatDayMonthTime(toMs)}`;
}
