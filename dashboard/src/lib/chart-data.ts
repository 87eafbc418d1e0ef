/**
 * Pure helpers that turn API series into chart datasets and fold live samples into them, keeping
 * each line sorted by time and trimmed to the chart's range.
 */
import type { MetricSeriesResponse } from '../../../shared/api-types.js';
import { seriesKey, type ChartDef } from './chart-defs.js';
import type { XY } from './chart-setup.js';

/** One line of a chart before styling. */
export interface SeriesLine {
  key: string;
  label: string;
  points: XY[];
}

/**
 * Points of one series with a NaN point inserted wherever reports stopped for longer than
 * `gapMs`, so chart.js draws a gap instead of a straight line across an outage.
 */
export function withGaps(points: readonly { tsMs: number; avg: number }[], gapMs: number): XY[] {
  const out: XY[] = [];
  let prev: number | null = null;
  for (const p of points) {
    if (prev !== null && p.tsMs - prev > gapMs) out.push({ x: prev + 1, y: Number.NaN });
    out.push({ x: p.tsMs, y: p.avg });
    prev = p.tsMs;
  }
  return out;
}

/** Lines for a chart from the answers for each of its metrics. */
export function linesFromResponses(def: ChartDef, responses: readonly MetricSeriesResponse[], intervalMs: number): SeriesLine[] {
  const lines: SeriesLine[] = [];
  for (const res of responses) {
    const gapMs = 3 * Math.max(res.stepMs, intervalMs);
    for (const s of res.series) {
      lines.push({ key: seriesKey(res.name, s.labels), label: def.labelOf(res.name, s.labels), points: withGaps(s.points, gapMs) });
    }
  }
  return lines.sort((a, b) => a.key.localeCompare(b.key));
}

/** Inserts one point in time order (live points nearly always go at the end). */
export function insertPoint(points: XY[], point: XY): void {
  const last = points[points.length - 1];
  if (!last || last.x < point.x) {
    points.push(point);
    return;
  }
  let i = points.length - 1;
  while (i >= 0 && points[i]!.x > point.x) i -= 1;
  if (i >= 0 && points[i]!.x === point.x) points[i] = point;
  else points.splice(i + 1, 0, point);
}

/** Drops points older than `fromMs`; returns how many were dropped. */
export function trimBefore(points: XY[], fromMs: number): number {
  let n = 0;
  while (n < points.length && points[n]!.x < fromMs) n += 1;
  if (n > 0) points.splice(0, n);
  return n;
}

/** Number of real (non-gap) points in a chart. */
export function countPoints(lines: readonly { data: readonly XY[] }[]): number {
  let n = 0;
  for (const l of lines) for (const p of l.data) if (!Number.isNaN(p.y)) n += 1;
  return n;
}
