/** Escalation delays in words, through the dashboard's one duration formatter. */
import { describe, expect, it } from 'vitest';
import { describeDelay } from '../../dashboard/src/pages/oncall/oncall-text.js';
import { formatMetricValue } from '../../shared/metric-labels.js';

describe('describeDelay', () => {
  const cases: [number, string][] = [
    [0, 'at once'],
    [-5, 'at once'],
    [29_000, 'after 29 s'],
    [90_000, 'after 1 min 30 s'],
    [600_000, 'after 10 min'],
    [3_600_000, 'after 1 h'],
    [5_400_000, 'after 1 h 30 min'],
    [7_200_000, 'after 2 h'],
  ];
  for (const [ms, text] of cases) it(`${ms} ms → ${text}`, () => expect(describeDelay(ms)).toBe(text));
});

describe('formatMetricValue', () => {
  it('formats by the unit shared/metrics.ts gives the metric', () => {
    expect(formatMetricValue('fs.usedPct', 93.4)).toBe('93 %');
    expect(formatMetricValue('temp.cpuCelsius', 56.44)).toBe('56.4 °C');
    expect(formatMetricValue('net.rxBytesPerSec', 2_000_000)).toBe('2 MB/s');
    expect(formatMetricValue('no.such.metric', 1.005)).toBe('1');
  });
});
