/** Maintenance windows: the predicate, time zones (with DST), and overlap detection. */
import { describe, expect, it } from 'vitest';
import { isInMaintenance, recurringOccurrences, windowsOverlap, type WindowSpec } from '../../server/time/windows.js';
import { parseLocalDate, zonedParts, zonedTimeToMs } from '../../server/time/zones.js';

const AMS = 'Europe/Amsterdam';
const sunday2to4: WindowSpec = { kind: 'recurring', days: [0], startMinute: 120, endMinute: 240 };

describe('zoned time', () => {
  it('converts local wall-clock times to instants across DST', () => {
    // Winter: UTC+1. Summer: UTC+2.
    expect(new Date(zonedTimeToMs(2025, 1, 12, 120, AMS)).toISOString()).toBe('2025-01-12T01:00:00.000Z');
    expect(new Date(zonedTimeToMs(2025, 7, 13, 120, AMS)).toISOString()).toBe('2025-07-13T00:00:00.000Z');
    expect(new Date(zonedTimeToMs(2025, 3, 1, 0, 'UTC')).toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(new Date(zonedTimeToMs(2025, 3, 1, 0, 'America/New_York')).toISOString()).toBe('2025-03-01T05:00:00.000Z');
    // 2025-03-30 02:30 does not exist in Amsterdam (clocks jump 02:00 → 03:00): shifted forward.
    expect(new Date(zonedTimeToMs(2025, 3, 30, 150, AMS)).toISOString()).toBe('2025-03-30T01:30:00.000Z');
    // 2025-10-26 02:30 happens twice (03:00 CEST → 02:00 CET): the earlier instant.
    expect(new Date(zonedTimeToMs(2025, 10, 26, 150, AMS)).toISOString()).toBe('2025-10-26T00:30:00.000Z');
  });

  it('reads the local weekday and minute', () => {
    expect(zonedParts(Date.parse('2025-07-13T00:30:00Z'), AMS)).toEqual({ year: 2025, month: 7, day: 13, weekday: 0, minuteOfDay: 150 });
    expect(zonedParts(Date.parse('2025-07-12T23:30:00Z'), 'UTC')).toMatchObject({ weekday: 6, minuteOfDay: 1410 });
  });

  it('parses real calendar dates only', () => {
    expect(parseLocalDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseLocalDate('2025-02-29')).toBeUndefined();
    expect(parseLocalDate('2025-2-1')).toBeUndefined();
  });
});

describe('isInMaintenance', () => {
  const table: [string, WindowSpec[], string, string, boolean][] = [
    ['no windows', [], '2025-07-13T00:30:00Z', AMS, false],
    [
      'one-off: inside',
      [{ kind: 'one-off', startsAtMs: Date.parse('2025-07-01T10:00:00Z'), endsAtMs: Date.parse('2025-07-01T12:00:00Z') }],
      '2025-07-01T11:59:59Z',
      AMS,
      true,
    ],
    [
      'one-off: end is exclusive',
      [{ kind: 'one-off', startsAtMs: Date.parse('2025-07-01T10:00:00Z'), endsAtMs: Date.parse('2025-07-01T12:00:00Z') }],
      '2025-07-01T12:00:00Z',
      AMS,
      false,
    ],
    ['recurring, summer: Sunday 02:30 local is 00:30 UTC', [sunday2to4], '2025-07-13T00:30:00Z', AMS, true],
    ['recurring, summer: Sunday 02:30 UTC is 04:30 local', [sunday2to4], '2025-07-13T02:30:00Z', AMS, false],
    ['recurring, winter: Sunday 02:30 local is 01:30 UTC', [sunday2to4], '2025-01-12T01:30:00Z', AMS, true],
    ['recurring, winter: 00:30 UTC is 01:30 local, before the window', [sunday2to4], '2025-01-12T00:30:00Z', AMS, false],
    ['recurring: Saturday is not Sunday', [sunday2to4], '2025-07-12T00:30:00Z', AMS, false],
    ['recurring: same instant in another zone', [sunday2to4], '2025-07-13T00:30:00Z', 'America/New_York', false],
    ['recurring: start inclusive', [sunday2to4], '2025-07-13T00:00:00Z', AMS, true],
    ['recurring: end exclusive', [sunday2to4], '2025-07-13T02:00:00Z', AMS, false],
    ['any window counts', [{ kind: 'one-off', startsAtMs: 0, endsAtMs: 1 }, sunday2to4], '2025-07-13T01:00:00Z', AMS, true],
  ];
  it.each(table)('%s', (_name, windows, at, tz, expected) => {
    expect(isInMaintenance(windows, Date.parse(at), tz)).toBe(expected);
  });
});

describe('windowsOverlap', () => {
  const oneOff = (from: string, to: string): WindowSpec => ({ kind: 'one-off', startsAtMs: Date.parse(from), endsAtMs: Date.parse(to) });
  const table: [string, WindowSpec, WindowSpec, boolean][] = [
    ['one-offs that intersect', oneOff('2025-07-01T10:00Z', '2025-07-01T12:00Z'), oneOff('2025-07-01T11:00Z', '2025-07-01T13:00Z'), true],
    ['one-offs that only touch', oneOff('2025-07-01T10:00Z', '2025-07-01T12:00Z'), oneOff('2025-07-01T12:00Z', '2025-07-01T13:00Z'), false],
    ['recurring on the same day and hours', sunday2to4, { kind: 'recurring', days: [0, 3], startMinute: 180, endMinute: 300 }, true],
    ['recurring on different days', sunday2to4, { kind: 'recurring', days: [6], startMinute: 120, endMinute: 240 }, false],
    ['recurring back to back', sunday2to4, { kind: 'recurring', days: [0], startMinute: 240, endMinute: 300 }, false],
    ['one-off covering a Sunday night', oneOff('2025-07-12T20:00Z', '2025-07-13T06:00Z'), sunday2to4, true],
    ['one-off on a Sunday afternoon', oneOff('2025-07-13T12:00Z', '2025-07-13T14:00Z'), sunday2to4, false],
  ];
  it.each(table)('%s', (_name, a, b, expected) => {
    expect(windowsOverlap(a, b, AMS)).toBe(expected);
    expect(windowsOverlap(b, a, AMS)).toBe(expected);
  });

  it('lists recurring occurrences in a range', () => {
    const occ = recurringOccurrences(
      sunday2to4 as Extract<WindowSpec, { kind: 'recurring' }>,
      Date.parse('2025-03-23T00:00Z'),
      Date.parse('2025-04-07T00:00Z'),
      AMS,
    );
    expect(occ.map(([s, e]) => [new Date(s).toISOString(), new Date(e).toISOString()])).toEqual([
      ['2025-03-23T01:00:00.000Z', '2025-03-23T03:00:00.000Z'], // winter time
      ['2025-03-30T01:00:00.000Z', '2025-03-30T02:00:00.000Z'], // DST night: 02:00–03:00 does not exist
      ['2025-04-06T00:00:00.000Z', '2025-04-06T02:00:00.000Z'], // summer time
    ]);
  });
});
