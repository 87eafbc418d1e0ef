/** Series → chart lines, and live points folded into them. */
import { describe, expect, it } from 'vitest';
import type { MetricSeriesResponse } from '../../shared/api-types.js';
import { countPoints, insertPoint, linesFromResponses, trimBefore, withGaps } from '../../dashboard/src/lib/chart-data.js';
import { CHART_DEFS, chartsForSeries, formatAxisValue, formatValue } from '../../dashboard/src/lib/chart-defs.js';
import type { XY } from '../../dashboard/src/lib/chart-setup.js';

const pt = (tsMs: number, avg: number) => ({ tsMs, avg, min: avg, max: avg });
const ys = (points: readonly XY[]) => points.map((p) => (Number.isNaN(p.y) ? 'gap' : p.y));

describe('withGaps', () => {
  it('inserts a gap only where reports stopped for longer than gapMs', () => {
    const out = withGaps([pt(0, 1), pt(10, 2), pt(20, 3), pt(51, 4), pt(61, 5)], 30);
    expect(out.map((p) => p.x)).toEqual([0, 10, 20, 21, 51, 61]);
    expect(ys(out)).toEqual([1, 2, 3, 'gap', 4, 5]);
  });

  it('treats exactly gapMs as no gap, and handles empty and single-point input', () => {
    expect(ys(withGaps([pt(0, 1), pt(30, 2)], 30))).toEqual([1, 2]);
    expect(withGaps([], 30)).toEqual([]);
    expect(withGaps([pt(5, 7)], 30)).toEqual([{ x: 5, y: 7 }]);
  });
});

describe('linesFromResponses', () => {
  const net = CHART_DEFS.find((d) => d.id === 'net')!;
  const res = (name: string, stepMs: number, series: MetricSeriesResponse['series']): MetricSeriesResponse => ({
    deviceId: 'd1',
    name,
    fromMs: 0,
    toMs: 1000,
    stepMs,
    resolutionMs: 0,
    series,
  });

  it('labels each series, sorts lines by series key, and gaps at 3 × max(step, interval)', () => {
    const lines = linesFromResponses(
      net,
      [
        res('net.txBytesPerSec', 0, [{ labels: { iface: 'eth0' }, points: [pt(0, 1), pt(31, 2)] }]),
        res('net.rxBytesPerSec', 20, [
          { labels: { iface: 'wlan0' }, points: [pt(0, 1), pt(60, 2), pt(121, 3)] },
          { labels: { iface: 'eth0' }, points: [pt(0, 5)] },
        ]),
      ],
      10,
    );
    expect(lines.map((l) => [l.key, l.label])).toEqual([
      ['net.rxBytesPerSec{iface=eth0}', 'eth0 ↓ in'],
      ['net.rxBytesPerSec{iface=wlan0}', 'wlan0 ↓ in'],
      ['net.txBytesPerSec{iface=eth0}', 'eth0 ↑ out'],
    ]);
    // rx: step 20 → gap above 60; tx: raw (step 0), interval 10 → gap above 30.
    expect(ys(lines[1]!.points)).toEqual([1, 2, 'gap', 3]);
    expect(ys(lines[2]!.points)).toEqual([1, 'gap', 2]);
  });
});

describe('insertPoint', () => {
  const xs = (points: XY[]) => points.map((p) => p.x);

  it('appends, inserts in order, replaces an equal time, and goes first when oldest', () => {
    const points: XY[] = [];
    insertPoint(points, { x: 10, y: 1 });
    insertPoint(points, { x: 30, y: 3 });
    insertPoint(points, { x: 20, y: 2 });
    insertPoint(points, { x: 5, y: 0 });
    expect(xs(points)).toEqual([5, 10, 20, 30]);
    insertPoint(points, { x: 20, y: 9 });
    insertPoint(points, { x: 30, y: 8 });
    expect(points).toEqual([
      { x: 5, y: 0 },
      { x: 10, y: 1 },
      { x: 20, y: 9 },
      { x: 30, y: 8 },
    ]);
  });
});

describe('trimBefore and countPoints', () => {
  it('drops only points older than fromMs and says how many', () => {
    const points: XY[] = [0, 10, 20, 30].map((x) => ({ x, y: x }));
    expect(trimBefore(points, 20)).toBe(2);
    expect(points.map((p) => p.x)).toEqual([20, 30]);
    expect(trimBefore(points, 0)).toBe(0);
    expect(trimBefore(points, 100)).toBe(2);
    expect(points).toEqual([]);
  });

  it('counts real points, not gaps', () => {
    expect(
      countPoints([
        {
          data: [
            { x: 0, y: 1 },
            { x: 1, y: Number.NaN },
            { x: 2, y: 0 },
          ],
        },
        { data: [] },
        { data: [{ x: 0, y: 3 }] },
      ]),
    ).toBe(3);
  });
});

describe('chart definitions', () => {
  it('shows the optional temperature chart only for a device that reports it', () => {
    expect(chartsForSeries([{ name: 'cpu.loadPct' }]).map((d) => d.id)).toEqual(['cpu.loadPct', 'mem.usedPct', 'fs.usedPct', 'net']);
    expect(chartsForSeries([{ name: 'temp.cpuCelsius' }]).map((d) => d.id)).toEqual(['cpu.loadPct', 'mem.usedPct', 'fs.usedPct', 'net', 'temp.cpuCelsius']);
  });

  it('formats values and axis labels in the chart unit', () => {
    expect(formatValue('percent', 42.4)).toBe('42 %');
    expect(formatValue('bytesPerSec', 1_500_000)).toBe('1.5 MB/s');
    expect(formatValue('celsius', 56.44)).toBe('56.4 °C');
    expect(formatAxisValue('percent', 49.6)).toBe('50%');
    expect(formatAxisValue('celsius', 44.5)).toBe('45 °C');
  });
});
