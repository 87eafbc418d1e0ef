/**
 * The dashboard's display formatters. Numbers with units are locale-free and asserted exactly;
 * the Intl-based times are asserted against the same Intl formatter in the viewer's locale, so
 * the test holds in any locale and checks the choice of unit and the rounding, which are ours.
 */
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatMinutes,
  formatMonth,
  formatPct,
  formatRate,
  formatRelative,
  formatRuleDuration,
  thisMonthIso,
  todayIso,
} from '../../dashboard/src/lib/format.js';

describe('formatPct', () => {
  const cases: [number | null | undefined, string][] = [
    [0, '0.0%'],
    [9.94, '9.9%'],
    [9.96, '10.0%'],
    [10, '10%'],
    [42.5, '43%'],
    [100, '100%'],
    [null, '–'],
    [undefined, '–'],
    [Number.NaN, '–'],
    [Number.POSITIVE_INFINITY, '–'],
  ];
  for (const [value, text] of cases) it(`${value} → ${text}`, () => expect(formatPct(value)).toBe(text));
});

describe('formatBytes and formatRate', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 KB'],
    [1234, '1.2 KB'],
    [99_949, '99.9 KB'],
    [123_456, '123 KB'],
    [1_500_000_000, '1.5 GB'],
    [2e18, '2000 PB'],
    [-1_500, '-1.5 KB'],
  ];
  for (const [value, text] of cases) it(`${value} → ${text}`, () => expect(formatBytes(value)).toBe(text));
  it('adds /s for a rate', () => expect(formatRate(3_000_000)).toBe('3.0 MB/s'));
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0 s'],
    [40.4, '40 s'],
    [59, '59 s'],
    [60, '1 m'],
    [3599, '59 m'],
    [3600, '1 h 0 m'],
    [5 * 3600 + 12 * 60 + 30, '5 h 12 m'],
    [86_400, '1 d 0 h'],
    [3 * 86_400 + 4 * 3600 + 59 * 60, '3 d 4 h'],
  ];
  for (const [sec, text] of cases) it(`${sec} s → ${text}`, () => expect(formatDuration(sec)).toBe(text));
});

describe('formatMinutes', () => {
  const cases: [number, string][] = [
    [0, '0 min'],
    [45, '45 min'],
    [60, '1 h'],
    [90, '1 h 30 min'],
    [1440, '24 h'],
  ];
  for (const [min, text] of cases) it(`${min} → ${text}`, () => expect(formatMinutes(min)).toBe(text));
});

describe('formatRuleDuration', () => {
  const cases: [number, string][] = [
    [0, 'at once'],
    [30_000, '30 s'],
    [90_000, '90 s'],
    [60_000, '1 min'],
    [120_000, '2 min'],
    [150_000, '2.5 min'],
    [5 * 60_000, '5 min'],
    [119 * 60_000, '119 min'],
    [90 * 60_000, '90 min'],
    [2 * 3_600_000, '2 h'],
    [36 * 3_600_000, '36 h'],
    [48 * 3_600_000, '2 d'],
    [7 * 86_400_000, '7 d'],
    [50 * 3_600_000, '50 h'],
  ];
  for (const [ms, text] of cases) it(`${ms} ms → ${text}`, () => expect(formatRuleDuration(ms)).toBe(text));
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  const rel = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

  it('says never for null and just now under 10 s, also for a time ahead of now', () => {
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative(now, now)).toBe('just now');
    expect(formatRelative(now - 9_400, now)).toBe('just now');
    expect(formatRelative(now + 3_600_000, now)).toBe('just now');
  });

  it('picks seconds, minutes, hours or days and rounds', () => {
    expect(formatRelative(now - 10_000, now)).toBe(rel.format(-10, 'second'));
    expect(formatRelative(now - 59_000, now)).toBe(rel.format(-59, 'second'));
    expect(formatRelative(now - 100_000, now)).toBe(rel.format(-2, 'minute'));
    expect(formatRelative(now - 3_599_000, now)).toBe(rel.format(-60, 'minute'));
    expect(formatRelative(now - 3_600_000, now)).toBe(rel.format(-1, 'hour'));
    expect(formatRelative(now - 86_399_000, now)).toBe(rel.format(-24, 'hour'));
    expect(formatRelative(now - 86_400_000 * 2.6, now)).toBe(rel.format(-3, 'day'));
  });
});

describe('calendar helpers', () => {
  it('uses the viewer’s local calendar day and month', () => {
    expect(todayIso(new Date(2026, 0, 5, 23, 59).getTime())).toBe('2026-01-05');
    expect(todayIso(new Date(2026, 11, 31, 0, 0).getTime())).toBe('2026-12-31');
    expect(thisMonthIso(new Date(2026, 2, 1, 0, 0).getTime())).toBe('2026-03');
  });

  it('names a month without a time-zone shift into the previous one', () => {
    expect(formatMonth('2026-01')).toContain('2026');
    expect(formatMonth('2026-01')).toBe(new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(2026, 0, 1)));
  });
});
