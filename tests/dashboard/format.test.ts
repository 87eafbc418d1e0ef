/**
 * The dashboard's display formatters. Numbers with units are locale-free and asserted exactly;
 * the Intl-based times are asserted against the same Intl formatter in the viewer's locale, so
 * the test holds in any locale and checks the choice of unit and the rounding, which are ours.
 */
import { describe, expect, it } from 'vitest';
import { formatMonth, formatMonthShort, formatRelative, thisMonthIso, todayIso } from '../../dashboard/src/lib/format.js';
import { setActiveLocale } from '../../dashboard/src/lib/i18n/index.js';

// Percentages, bytes, rates and durations come from shared/format.ts: tests/shared/format.test.ts.

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

  it('labels a chart month with the whole year, which cannot be read as a day', () => {
    try {
      setActiveLocale('en');
      const en = formatMonthShort('2026-12');
      expect(en).toContain('2026');
      expect(en).toBe(new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(2026, 11, 1)));
      expect(en).not.toMatch(/\b26\b/);
      setActiveLocale('nl');
      expect(formatMonthShort('2026-12')).toBe('dec 2026');
      expect(formatMonthShort('2027-01')).toBe('jan 2027');
    } finally {
      setActiveLocale('en');
    }
  });
});
