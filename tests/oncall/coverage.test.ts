/** On-call coverage gaps and "a new schedule starts now", as tables. */
import { describe, expect, it } from 'vitest';
import type { EscalationTarget } from '../../shared/notify-types.js';
import { findCoverageGaps, type CoverageWorld } from '../../server/oncall/coverage.js';
import { onCallAt, startDateCoveringNow, type RotationLayer, type ScheduleSpec } from '../../server/oncall/schedule.js';

const TZ = 'Europe/Amsterdam';
// Tuesday 2025-03-04 01:30 in Amsterdam (UTC+1).
const NOW = Date.UTC(2025, 2, 4, 0, 30);
const H = 3_600_000;
const DAY = 24 * H;

const layer = (over: Partial<RotationLayer> = {}): RotationLayer => ({
  name: 'Weekly',
  userIds: ['piet', 'jan'],
  rotationDays: 7,
  startDate: '2025-03-04',
  handoffTime: '09:00',
  restrictions: [],
  ...over,
});
const spec = (layers: RotationLayer[]): ScheduleSpec & { name: string } => ({ name: 'Primary', timezone: TZ, layers, overrides: [] });

function world(over: Partial<CoverageWorld> = {}, schedule = spec([layer()])): CoverageWorld {
  return {
    schedules: new Map([['s1', schedule]]),
    reachableUserIds: new Set(['piet', 'jan', 'anna']),
    roleMembers: { admin: ['anna'], technician: ['piet', 'jan'] },
    usableChannelIds: new Set(['room']),
    usernames: new Map([
      ['piet', 'piet'],
      ['jan', 'jan'],
      ['anna', 'anna'],
    ]),
    ...over,
  };
}
const onSchedule: EscalationTarget = { type: 'schedule', scheduleId: 's1' };
const local = (ms: number) => new Date(ms).toLocaleString('en-GB', { timeZone: TZ, weekday: 'short', hour: '2-digit', minute: '2-digit' });

describe('startDateCoveringNow', () => {
  it.each([
    ['01:30 local, handoff 09:00 → yesterday', NOW, '09:00', '2025-03-03'],
    ['10:00 local, handoff 09:00 → today', NOW + 8.5 * H, '09:00', '2025-03-04'],
    ['exactly at the handoff → today', NOW + 7.5 * H, '09:00', '2025-03-04'],
    ['00:10 local, handoff 00:00 → today', NOW - 80 * 60_000, '00:00', '2025-03-04'],
    ['last Sunday of March 02:30 (skipped by DST), handoff 02:30', Date.UTC(2025, 2, 30, 1, 15), '02:30', '2025-03-29'],
  ])('%s', (_name, nowMs, handoff, date) => {
    expect(startDateCoveringNow(TZ, handoff, nowMs)).toBe(date);
  });

  it('a layer started that way has its first person on call now, not "nobody until 09:00"', () => {
    const startDate = startDateCoveringNow(TZ, '09:00', NOW);
    expect(onCallAt(spec([layer({ startDate })]), NOW)).toEqual({ userId: 'piet', source: 'layer', layer: 'Weekly' });
    expect(onCallAt(spec([layer()]), NOW)).toEqual({ userId: null, source: 'nobody', layer: null });
  });
});

describe('findCoverageGaps over the coming 7 days', () => {
  const week = (targets: EscalationTarget[], w: CoverageWorld) =>
    findCoverageGaps([{ targets }], w, NOW, NOW + 7 * DAY).map((g) => `${local(g.startsAtMs)}–${local(g.endsAtMs)}: ${g.reasons.join('; ')}`);

  it.each<[string, EscalationTarget[], CoverageWorld, string[]]>([
    [
      'a layer whose first handoff is later today leaves the night uncovered',
      [onSchedule],
      world(),
      ['Tue 01:30–Tue 09:00: nobody is on call on schedule "Primary"'],
    ],
    ['a layer started now covers the whole week', [onSchedule], world({}, spec([layer({ startDate: '2025-03-03' })])), []],
    ['a second target on the same level covers the gap', [onSchedule, { type: 'role', role: 'admin' }], world(), []],
    ['a usable shared channel covers it', [onSchedule, { type: 'channel', channelId: 'room' }], world(), []],
    [
      'the on-call person without a contact point is a gap during their shift only',
      [onSchedule],
      world({ reachableUserIds: new Set(['jan']) }, spec([layer({ startDate: '2025-03-03', rotationDays: 1 })])),
      [
        'Tue 01:30–Tue 09:00: piet (on call on schedule "Primary") has no way to be reached',
        'Wed 09:00–Thu 09:00: piet (on call on schedule "Primary") has no way to be reached',
        'Fri 09:00–Sat 09:00: piet (on call on schedule "Primary") has no way to be reached',
        'Sun 09:00–Mon 09:00: piet (on call on schedule "Primary") has no way to be reached',
      ],
    ],
    [
      'a nights-only layer leaves the working days open',
      [onSchedule],
      world(
        {},
        spec([
          layer({ startDate: '2025-03-03', restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], startTime: '18:00', endTime: '08:00' }] }),
        ]),
      ),
      [
        'Tue 08:00–Tue 18:00: nobody is on call on schedule "Primary"',
        'Wed 08:00–Wed 18:00: nobody is on call on schedule "Primary"',
        'Thu 08:00–Thu 18:00: nobody is on call on schedule "Primary"',
        'Fri 08:00–Fri 18:00: nobody is on call on schedule "Primary"',
        'Sat 08:00–Sat 18:00: nobody is on call on schedule "Primary"',
        'Sun 08:00–Sun 18:00: nobody is on call on schedule "Primary"',
        'Mon 08:00–Mon 18:00: nobody is on call on schedule "Primary"',
      ],
    ],
    [
      'a user nobody can reach is a gap all week',
      [{ type: 'user', userId: 'piet' }],
      world({ reachableUserIds: new Set() }),
      ['Tue 01:30–Tue 01:30: piet has no way to be reached'],
    ],
    [
      'a role without members',
      [{ type: 'role', role: 'admin' }],
      world({ roleMembers: { admin: [], technician: [] } }),
      ['Tue 01:30–Tue 01:30: nobody has the role admin'],
    ],
    ['a deleted schedule', [{ type: 'schedule', scheduleId: 'gone' }], world(), ['Tue 01:30–Tue 01:30: schedule gone no longer exists']],
    ['a switched-off room', [{ type: 'channel', channelId: 'off' }], world(), ['Tue 01:30–Tue 01:30: channel off is missing or switched off']],
  ])('%s', (_name, targets, w, expected) => {
    expect(week(targets, w)).toEqual(expected);
  });

  it('gives exact instants and merges equal stretches; a policy without levels is one gap', () => {
    expect(findCoverageGaps([{ targets: [onSchedule] }], world(), NOW, NOW + 7 * DAY)).toEqual([
      { startsAtMs: NOW, endsAtMs: NOW + 7.5 * H, reasons: ['nobody is on call on schedule "Primary"'] },
    ]);
    expect(findCoverageGaps([{ targets: [{ type: 'user', userId: 'piet' }] }], world({ reachableUserIds: new Set() }), NOW, NOW + 7 * DAY)).toEqual([
      { startsAtMs: NOW, endsAtMs: NOW + 7 * DAY, reasons: ['piet has no way to be reached'] },
    ]);
    expect(findCoverageGaps([], world(), NOW, NOW + DAY)).toEqual([{ startsAtMs: NOW, endsAtMs: NOW + DAY, reasons: ['the policy has no levels'] }]);
  });
});
