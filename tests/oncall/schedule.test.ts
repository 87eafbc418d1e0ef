/**
 * Who is on call, as tables: weekly handoffs in local time across a DST change, a nights layer
 * over a day rotation, overrides, shifts and "now / next".
 */
import { describe, expect, it } from 'vitest';
import { nextBoundary, onCallAt, onCallNowAndNext, shiftsBetween, shiftIndexAt, type RotationLayer, type ScheduleSpec } from '../../server/oncall/schedule.js';

const TZ = 'Europe/Amsterdam';
const utc = (iso: string) => Date.parse(`${iso}Z`);

const weekly: RotationLayer = {
  name: 'Weekly',
  userIds: ['anna', 'bram', 'cees'],
  rotationDays: 7,
  startDate: '2025-03-03',
  handoffTime: '09:00',
  restrictions: [],
};
const nights: RotationLayer = {
  name: 'Nights',
  userIds: ['nina', 'olaf'],
  rotationDays: 7,
  startDate: '2025-03-03',
  handoffTime: '18:00',
  restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '18:00', endTime: '08:00' }],
};
const spec = (layers: RotationLayer[], overrides: ScheduleSpec['overrides'] = []): ScheduleSpec => ({ timezone: TZ, layers, overrides });

describe('weekly rotation with a local handoff time', () => {
  // Amsterdam is UTC+1 until 2025-03-30 03:00, then UTC+2: the 09:00 handoff moves from 08:00Z to 07:00Z.
  it.each([
    ['2025-03-03T07:59', null, 'before the first handoff nobody is on call'],
    ['2025-03-03T08:00', 'anna', 'first handoff, Monday 09:00 local'],
    ['2025-03-10T07:59', 'anna', 'one minute before the second handoff'],
    ['2025-03-10T08:00', 'bram', 'second handoff'],
    ['2025-03-17T08:00', 'cees', ''],
    ['2025-03-24T08:00', 'anna', 'the rotation wraps'],
    ['2025-03-31T06:59', 'anna', 'after DST: still 08:59 local'],
    ['2025-03-31T07:00', 'bram', 'after DST: 09:00 local is 07:00Z'],
    ['2026-01-05T07:59', 'bram', 'back in winter time, shift 43 (43 mod 3 = 1)'],
    ['2026-01-05T08:00', 'cees', 'shift 44 starts at 09:00 local = 08:00Z again'],
  ] as [string, string | null, string][])('%s → %s (%s)', (at, who) => {
    expect(onCallAt(spec([weekly]), utc(at)).userId).toBe(who);
  });

  it('counts shifts in local days, not 24-hour blocks', () => {
    expect(shiftIndexAt(weekly, TZ, utc('2025-03-31T06:59'))).toBe(3);
    expect(shiftIndexAt(weekly, TZ, utc('2025-03-31T07:00'))).toBe(4);
    expect(shiftIndexAt({ ...weekly, rotationDays: 1 }, TZ, utc('2025-03-05T08:30'))).toBe(2);
  });
});

describe('layers: the last active layer wins', () => {
  const s = spec([weekly, nights]);
  it.each([
    ['2025-03-04T11:00', 'anna', 'Weekly', 'Tuesday noon: the day rotation'],
    ['2025-03-04T19:00', 'nina', 'Nights', 'Tuesday 20:00 local: the nights layer'],
    ['2025-03-05T06:59', 'nina', 'Nights', 'Wednesday 07:59 local: still the night that started Tuesday'],
    ['2025-03-05T07:00', 'anna', 'Weekly', 'Wednesday 08:00 local: back to the day rotation'],
    ['2025-03-08T02:00', 'nina', 'Nights', 'Saturday 03:00 local: the Friday night runs into Saturday'],
    ['2025-03-09T02:00', 'anna', 'Weekly', 'Sunday 03:00 local: Saturday is not a night day'],
    ['2025-03-10T17:00', 'olaf', 'Nights', 'next week: the nights rotation handed off at 18:00 local'],
  ] as [string, string, string, string][])('%s → %s on %s (%s)', (at, who, layer) => {
    expect(onCallAt(s, utc(at))).toEqual({ userId: who, source: 'layer', layer });
  });

  it('an empty or restricted-away schedule answers nobody', () => {
    expect(onCallAt(spec([nights]), utc('2025-03-04T11:00'))).toEqual({ userId: null, source: 'nobody', layer: null });
    expect(onCallAt(spec([]), utc('2025-03-04T11:00'))).toEqual({ userId: null, source: 'nobody', layer: null });
  });
});

describe('overrides', () => {
  // "I take Tuesday night": bram from Tuesday 18:00 to Wednesday 08:00 local.
  const tuesdayNight = { userId: 'bram', startsAtMs: utc('2025-03-04T17:00'), endsAtMs: utc('2025-03-05T07:00') };
  it('beat every layer for their period, and only then', () => {
    const s = spec([weekly, nights], [tuesdayNight]);
    expect(onCallAt(s, utc('2025-03-04T16:59')).userId).toBe('anna');
    expect(onCallAt(s, utc('2025-03-04T17:00'))).toEqual({ userId: 'bram', source: 'override', layer: null });
    expect(onCallAt(s, utc('2025-03-05T06:59')).userId).toBe('bram');
    expect(onCallAt(s, utc('2025-03-05T07:00')).userId).toBe('anna');
  });
  it('the latest-starting overlapping override wins', () => {
    const s = spec([weekly], [tuesdayNight, { userId: 'cees', startsAtMs: utc('2025-03-04T22:00'), endsAtMs: utc('2025-03-04T23:00') }]);
    expect(onCallAt(s, utc('2025-03-04T22:30')).userId).toBe('cees');
    expect(onCallAt(s, utc('2025-03-04T23:30')).userId).toBe('bram');
  });
});

describe('shifts and now/next', () => {
  it('lists one Tuesday as consecutive shifts, merged where nothing changes', () => {
    const s = spec([weekly, nights], [{ userId: 'bram', startsAtMs: utc('2025-03-04T20:00'), endsAtMs: utc('2025-03-04T22:00') }]);
    const shifts = shiftsBetween(s, utc('2025-03-04T00:00'), utc('2025-03-05T00:00'));
    expect(
      shifts.map((x) => [new Date(x.startsAtMs).toISOString().slice(11, 16), new Date(x.endsAtMs!).toISOString().slice(11, 16), x.userId, x.source]),
    ).toEqual([
      ['00:00', '07:00', 'nina', 'layer'],
      ['07:00', '17:00', 'anna', 'layer'],
      ['17:00', '20:00', 'nina', 'layer'],
      ['20:00', '22:00', 'bram', 'override'],
      ['22:00', '00:00', 'nina', 'layer'],
    ]);
  });

  it('says who is on call until when, and who is next until when', () => {
    const { current, next } = onCallNowAndNext(spec([weekly, nights]), utc('2025-03-04T11:00'));
    expect(current).toMatchObject({ userId: 'anna', endsAtMs: utc('2025-03-04T17:00') });
    expect(next).toMatchObject({ userId: 'nina', startsAtMs: utc('2025-03-04T17:00'), endsAtMs: utc('2025-03-05T07:00') });
  });

  it('with one person on call forever there is no next', () => {
    const { current, next } = onCallNowAndNext(spec([{ ...weekly, userIds: ['anna'] }]), utc('2025-03-04T11:00'));
    expect(current).toMatchObject({ userId: 'anna', endsAtMs: null });
    expect(next).toBeNull();
  });

  it('the next boundary of a plain weekly layer is the next handoff', () => {
    expect(nextBoundary(spec([weekly]), utc('2025-03-04T11:00'))).toBe(utc('2025-03-10T08:00'));
    expect(nextBoundary(spec([weekly]), utc('2025-01-01T00:00'))).toBe(utc('2025-03-03T08:00'));
    expect(nextBoundary(spec([]), utc('2025-01-01T00:00'))).toBeNull();
  });
});
