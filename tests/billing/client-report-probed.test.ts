/**
 * Availability of probed devices (site probe) in the client report, pure: a printer has no
 * offline rule, so its down time is its default "check failing" condition; while its probe was
 * offline its state was unknown, which is neither down nor observed.
 *
 *   period 1–31 Dec 2026 (30 days = 43,200 min); printer and website enrolled before it
 *   printer  check failing 10:00–14:00 on 10 Dec (240 min); its probe's 120 min away are not
 *            observed → 1 − 240/43,080 = 99.44 %
 *   website  check failing 08:00–12:00 on 20 Dec, probe offline 09:00–11:00 (120 min unknown)
 *            → down 120 min of 43,080 observed = 99.72 %
 *   probe    offline 09:00–11:00 on 20 Dec → 1 − 120/43,200 = 99.72 %
 */
import { describe, expect, it } from 'vitest';
import { buildClientReport, type ClientReportInput, type ReportCondition } from '../../server/billing/client-report.js';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

function condition(over: Partial<ReportCondition>): ReportCondition {
  return {
    source: 'alert',
    id: `c-${Math.random()}`,
    deviceId: null,
    hostname: null,
    ruleKind: 'threshold',
    ruleId: null,
    severity: 'critical',
    summary: '',
    openedAtMs: 0,
    acknowledgedAtMs: null,
    closedAtMs: null,
    bookedMinutes: 0,
    ...over,
  };
}

const device = (id: string, probeDeviceId: string | null = null) => ({
  id,
  hostname: id,
  enrolledAtMs: at('2026-11-01T00:00:00Z'),
  lastSeenMs: at('2026-12-31T00:00:00Z'),
  isDisabled: false,
  latest: {},
  probeDeviceId,
});

function report(conditions: ReportCondition[]) {
  const input: ClientReportInput = {
    client: { id: 'c1', name: 'Jansen Accountants', contract: 'monthly', currency: 'EUR', hourlyRate: 90, monthlyFee: 450, timezone: 'UTC' },
    month: '2026-12',
    from: '2026-12-01',
    to: '2027-01-01',
    periodStartMs: at('2026-12-01T00:00:00Z'),
    periodEndMs: at('2026-12-31T00:00:00Z'),
    nowMs: at('2027-01-02T00:00:00Z'),
    devices: [device('probe'), device('printer', 'probe'), device('website', 'probe')],
    conditions,
    billedAmount: 0,
    advice: { recommendation: 'insufficient-data' } as unknown as ClientReportInput['advice'],
  };
  const r = buildClientReport(input);
  return Object.fromEntries(r.availability.devices.map((d) => [d.deviceId, [d.availabilityPct, d.downMs / MIN, d.observedMs / MIN, d.outages]]));
}

describe('client report: probed devices', () => {
  const failing = (deviceId: string, from: string, to: string, source: 'alert' | 'incident' = 'alert') =>
    condition({ source, deviceId, ruleId: 'default-check-failing', openedAtMs: at(from), closedAtMs: at(to) });

  it('counts a failing check as down time and the probe being away as unknown, not down', () => {
    const r = report([
      failing('printer', '2026-12-10T10:00:00Z', '2026-12-10T14:00:00Z'),
      failing('website', '2026-12-20T08:00:00Z', '2026-12-20T12:00:00Z', 'incident'),
      condition({
        deviceId: 'probe',
        ruleKind: 'offline',
        ruleId: 'default-offline',
        openedAtMs: at('2026-12-20T09:00:00Z'),
        closedAtMs: at('2026-12-20T11:00:00Z'),
      }),
    ]);
    expect(r).toEqual({
      printer: [99.44, 240, 43_080, 1],
      website: [99.72, 120, 43_080, 2],
      probe: [99.72, 120, 43_200, 1],
    });
  });

  it('does not count other rules of a probed device, nor a failing check on an agent device', () => {
    const r = report([
      condition({ deviceId: 'printer', ruleId: 'default-toner-low', openedAtMs: at('2026-12-10T10:00:00Z'), closedAtMs: at('2026-12-11T10:00:00Z') }),
      failing('probe', '2026-12-10T10:00:00Z', '2026-12-10T14:00:00Z'),
    ]);
    expect(r).toEqual({ printer: [100, 0, 43_200, 0], website: [100, 0, 43_200, 0], probe: [100, 0, 43_200, 0] });
  });

  it('a check failing the whole time the probe was away is no down time at all', () => {
    const r = report([
      failing('printer', '2026-12-10T10:00:00Z', '2026-12-10T14:00:00Z'),
      condition({ deviceId: 'probe', ruleKind: 'offline', openedAtMs: at('2026-12-10T09:00:00Z'), closedAtMs: at('2026-12-10T15:00:00Z') }),
    ]);
    expect(r.printer).toEqual([100, 0, 43_200 - 360, 0]);
  });
});
