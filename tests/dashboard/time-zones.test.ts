/** The one time-zone list of the dashboard's pickers (client, on-call schedule, setup). */
import { describe, expect, it } from 'vitest';
import { timeZones } from '../../dashboard/src/lib/time-zones.js';

describe('timeZones', () => {
  it('lists UTC first, once, then the geographic zones the runtime knows', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
    expect(zones).toContain('Europe/Amsterdam');
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('is computed once', () => {
    expect(timeZones()).toBe(timeZones());
  });
});
