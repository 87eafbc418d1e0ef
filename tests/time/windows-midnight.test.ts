/**
 * Recurring maintenance windows across midnight (patch nights, 22:00–04:00) in the client's zone,
 * through both daylight-saving changes of Europe/Amsterdam in 2026 — the predicate, the
 * occurrences, overlap detection — and through the REST API with the server's clock set inside
 * the October night.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { crossesMidnight, isInMaintenance, recurringOccurrences, windowsOverlap, type WindowSpec } from '../../server/time/windows.js';
import { manualClock } from '../helpers/receivers.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';

const AMS = 'Europe/Amsterdam';
/** Saturday 22:00 → Sunday 04:00. */
const patchNight: WindowSpec = { kind: 'recurring', days: [6], startMinute: 22 * 60, endMinute: 4 * 60 };
const at = (iso: string) => Date.parse(iso);

describe('a recurring window across midnight', () => {
  it('covers the evening of its day and the morning after, and nothing else', () => {
    expect(crossesMidnight(patchNight as Extract<WindowSpec, { kind: 'recurring' }>)).toBe(true);
    // Summer (UTC+2): Saturday 2026-07-11 22:00 local is 20:00 UTC.
    const cases: [string, boolean][] = [
      ['2026-07-11T19:59:00Z', false], // Sat 21:59
      ['2026-07-11T20:00:00Z', true], // Sat 22:00
      ['2026-07-11T21:59:00Z', true], // Sat 23:59
      ['2026-07-11T22:00:00Z', true], // Sun 00:00
      ['2026-07-12T01:59:00Z', true], // Sun 03:59
      ['2026-07-12T02:00:00Z', false], // Sun 04:00
      ['2026-07-12T20:30:00Z', false], // Sun 22:30: a Sunday evening is not a start day
      ['2026-07-10T22:30:00Z', false], // Sat 00:30: the morning after Friday, not a start day
    ];
    for (const [iso, expected] of cases) expect(isInMaintenance([patchNight], at(iso), AMS), iso).toBe(expected);
  });

  it('lasts 7 hours across the October change to winter time and 5 across the March change', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET (01:00 UTC). The night starts 20:00 UTC, ends 04:00 CET = 03:00 UTC.
    const oct = recurringOccurrences(patchNight as Extract<WindowSpec, { kind: 'recurring' }>, at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'), AMS);
    expect(oct.map(([s, e]) => [new Date(s).toISOString(), new Date(e).toISOString()])).toEqual([['2026-10-24T20:00:00.000Z', '2026-10-25T03:00:00.000Z']]);
    expect((oct[0]![1] - oct[0]![0]) / 3_600_000).toBe(7);
    for (const [iso, expected] of [
      ['2026-10-24T19:59:00Z', false],
      ['2026-10-25T00:30:00Z', true], // 02:30 CEST, the first time
      ['2026-10-25T01:30:00Z', true], // 02:30 CET, the second time
      ['2026-10-25T02:59:00Z', true], // 03:59 CET
      ['2026-10-25T03:00:00Z', false], // 04:00 CET
    ] as const)
      expect(isInMaintenance([patchNight], at(iso), AMS), iso).toBe(expected);

    // 2026-03-29 02:00 CET → 03:00 CEST (01:00 UTC). Starts 21:00 UTC, ends 04:00 CEST = 02:00 UTC.
    const mar = recurringOccurrences(patchNight as Extract<WindowSpec, { kind: 'recurring' }>, at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'), AMS);
    expect(mar.map(([s, e]) => [new Date(s).toISOString(), new Date(e).toISOString()])).toEqual([['2026-03-28T21:00:00.000Z', '2026-03-29T02:00:00.000Z']]);
    expect(isInMaintenance([patchNight], at('2026-03-29T01:59:00Z'), AMS)).toBe(true);
    expect(isInMaintenance([patchNight], at('2026-03-29T02:00:00Z'), AMS)).toBe(false);
  });

  it('finds overlaps that run into the next day, also around the end of the week', () => {
    const sunday = (startMinute: number, endMinute: number): WindowSpec => ({ kind: 'recurring', days: [0], startMinute, endMinute });
    expect(windowsOverlap(patchNight, sunday(2 * 60, 5 * 60), AMS)).toBe(true); // Sun 02:00–05:00
    expect(windowsOverlap(patchNight, sunday(4 * 60, 6 * 60), AMS)).toBe(false); // touches at 04:00
    expect(windowsOverlap(patchNight, { kind: 'recurring', days: [6], startMinute: 20 * 60, endMinute: 22 * 60 }, AMS)).toBe(false);
    expect(windowsOverlap(patchNight, { kind: 'recurring', days: [6], startMinute: 20 * 60, endMinute: 22 * 60 + 1 }, AMS)).toBe(true);
    // Two nights starting on different days do not meet; every night vs Saturday night does.
    expect(windowsOverlap(patchNight, { kind: 'recurring', days: [3], startMinute: 22 * 60, endMinute: 4 * 60 }, AMS)).toBe(false);
    expect(windowsOverlap(patchNight, { kind: 'recurring', days: [0, 1, 2, 3, 4, 5], startMinute: 22 * 60, endMinute: 4 * 60 }, AMS)).toBe(false);
    expect(windowsOverlap(patchNight, { kind: 'recurring', days: [5], startMinute: 23 * 60, endMinute: 22 * 60 + 30 }, AMS)).toBe(true);
    // A one-off on the Sunday morning of the October change.
    expect(windowsOverlap(patchNight, { kind: 'one-off', startsAtMs: at('2026-10-25T02:30:00Z'), endsAtMs: at('2026-10-25T05:00:00Z') }, AMS)).toBe(true);
    expect(windowsOverlap(patchNight, { kind: 'one-off', startsAtMs: at('2026-10-25T03:00:00Z'), endsAtMs: at('2026-10-25T05:00:00Z') }, AMS)).toBe(false);
  });
});

describe('a patch night through the API', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('is stored, answered as given, and active in the second 02:30 of the October change', async () => {
    const clock = manualClock(at('2026-10-25T01:30:00Z')); // 02:30 CET, after the clocks went back
    t = await startTestServer({ clock });
    const api = new ApiClient(t.url);
    await api.login();
    const c = (await api.post('/api/clients', { name: 'Jansen Accountants', contract: 'monthly', timezone: AMS })).json;
    const body = {
      kind: 'recurring',
      name: 'Patch night',
      scope: { type: 'client', clientId: c.id },
      daysOfWeek: ['sat'],
      startTime: '22:00',
      endTime: '04:00',
    };
    const created = await api.post('/api/maintenance', body);
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ ...body, timezone: AMS, isActiveNow: true });
    clock.set(at('2026-10-25T03:00:00Z')); // 04:00 CET
    expect((await api.get(`/api/maintenance/${created.json.id}`)).json.isActiveNow).toBe(false);
  });
});
