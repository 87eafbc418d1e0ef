/** The fleet page's rows: filters, client groups in name order, and the counts above the list. */
import { describe, expect, it } from 'vitest';
import type { DeviceSummary } from '../../shared/api-types.js';
import { buildFleetRows, hasProblems, isUnknown, NO_FILTERS, type FleetFilters, type FleetRow } from '../../dashboard/src/lib/fleet-data.js';

let n = 0;
function device(over: Partial<DeviceSummary>): DeviceSummary {
  n += 1;
  return {
    id: `dev-${n}`,
    hostname: `host-${n}`,
    clientId: 'c-jansen',
    clientName: 'Jansen Accountants',
    contract: 'monthly',
    isOnline: true,
    lastSeenMs: 1_000,
    intervalMs: 5_000,
    isDisabled: false,
    cpuLoadPct: 10,
    memUsedPct: 20,
    diskUsedPct: 30,
    enrolledAtMs: 0,
    firingAlerts: 0,
    openAlerts: 0,
    openIncidents: 0,
    worstSeverity: null,
    ...over,
  };
}

const fleet = [
  device({ id: 'a', hostname: 'srv10', clientId: 'c-jansen', clientName: 'Jansen Accountants', firingAlerts: 2, openAlerts: 3, worstSeverity: 'critical' }),
  device({ id: 'b', hostname: 'srv9', clientId: 'c-jansen', clientName: 'Jansen Accountants', isOnline: false }),
  device({
    id: 'c',
    hostname: 'pc-balie',
    clientId: 'c-bakker',
    clientName: 'bakkerij de Vries',
    contract: 'break-fix',
    openIncidents: 1,
    worstSeverity: 'warning',
  }),
  device({ id: 'd', hostname: 'NAS', clientId: 'c-bakker', clientName: 'bakkerij de Vries', contract: 'break-fix', isOnline: false }),
  device({ id: 'x7q2', hostname: 'laptop-1', clientId: 'c-zorg', clientName: 'Zorggroep Oost', openAlerts: 1 }),
];

/** Rows as short strings: `# client (online/total)` for a heading, the hostname for a device. */
function shape(rows: FleetRow[]): string[] {
  return rows.map((r) => (r.kind === 'group' ? `# ${r.clientName} (${r.online}/${r.total})` : r.device.hostname));
}

const only = (f: Partial<FleetFilters>) => ({ ...NO_FILTERS, ...f });

describe('buildFleetRows', () => {
  it('groups by client A–Z and hostnames A–Z, numbers compared as numbers, case ignored', () => {
    const { rows } = buildFleetRows(fleet, NO_FILTERS);
    expect(shape(rows)).toEqual([
      '# bakkerij de Vries (1/2)',
      'NAS',
      'pc-balie',
      '# Jansen Accountants (1/2)',
      'srv9',
      'srv10',
      '# Zorggroep Oost (1/1)',
      'laptop-1',
    ]);
    expect(rows[3]).toEqual({
      kind: 'group',
      clientId: 'c-jansen',
      clientName: 'Jansen Accountants',
      contract: 'monthly',
      total: 2,
      online: 1,
      firingAlerts: 2,
      openIncidents: 0,
    });
  });

  it('counts the whole fleet whatever the filters show', () => {
    const { counts } = buildFleetRows(fleet, only({ status: 'offline' }));
    expect(counts).toEqual({ total: 5, online: 3, offline: 2, unknown: 0, shown: 2, withProblems: 3, firingAlerts: 2, openIncidents: 1 });
  });

  const cases: [string, Partial<FleetFilters>, string[]][] = [
    [
      'online only',
      { status: 'online' },
      ['# bakkerij de Vries (1/1)', 'pc-balie', '# Jansen Accountants (1/1)', 'srv10', '# Zorggroep Oost (1/1)', 'laptop-1'],
    ],
    ['offline only', { status: 'offline' }, ['# bakkerij de Vries (0/1)', 'NAS', '# Jansen Accountants (0/1)', 'srv9']],
    ['break-fix only', { contract: 'break-fix' }, ['# bakkerij de Vries (1/2)', 'NAS', 'pc-balie']],
    [
      'with problems',
      { isProblemsOnly: true },
      ['# bakkerij de Vries (1/1)', 'pc-balie', '# Jansen Accountants (1/1)', 'srv10', '# Zorggroep Oost (1/1)', 'laptop-1'],
    ],
    ['a hostname, any case, trimmed', { query: '  SRV1 ' }, ['# Jansen Accountants (1/1)', 'srv10']],
    ['a client name', { query: 'vries' }, ['# bakkerij de Vries (1/2)', 'NAS', 'pc-balie']],
    ['an exact device id, any case', { query: 'X7Q2' }, ['# Zorggroep Oost (1/1)', 'laptop-1']],
    ['a part of an id is not a match', { query: 'x7q' }, []],
    ['nothing matches', { query: 'nothing' }, []],
    [
      'filters combine',
      { status: 'online', contract: 'monthly', isProblemsOnly: true },
      ['# Jansen Accountants (1/1)', 'srv10', '# Zorggroep Oost (1/1)', 'laptop-1'],
    ],
  ];
  for (const [what, filters, expected] of cases) {
    it(`filters: ${what}`, () => {
      const { rows, counts } = buildFleetRows(fleet, only(filters));
      expect(shape(rows)).toEqual(expected);
      expect(counts.shown).toBe(rows.filter((r) => r.kind === 'device').length);
    });
  }

  it('answers an empty fleet with no rows and zero counts', () => {
    expect(buildFleetRows([], NO_FILTERS)).toEqual({
      rows: [],
      counts: { total: 0, online: 0, offline: 0, unknown: 0, shown: 0, withProblems: 0, firingAlerts: 0, openIncidents: 0 },
    });
  });

  it('does not reorder the caller’s array', () => {
    const input = [...fleet];
    buildFleetRows(input, NO_FILTERS);
    expect(input.map((d) => d.id)).toEqual(['a', 'b', 'c', 'd', 'x7q2']);
  });
});

describe('probed devices whose probe is away', () => {
  // The probe (an agent) went offline: its printer and UPS are unknown, not down; a probed
  // device of a connected probe that stopped answering is offline; a disabled one is neither.
  const site = [
    device({ id: 'probe', hostname: 'jansen-srv01', isOnline: false }),
    device({ id: 'p1', hostname: 'printer-reception', kind: 'printer', probeDeviceId: 'probe', isOnline: false, isStatusUnknown: true }),
    device({ id: 'p2', hostname: 'ups-1', kind: 'ups', probeDeviceId: 'probe', isOnline: false, isStatusUnknown: true }),
    device({ id: 'p3', hostname: 'switch-1', kind: 'switch', probeDeviceId: 'other', isOnline: false, isStatusUnknown: false }),
    device({ id: 'p4', hostname: 'website', kind: 'website', probeDeviceId: 'other', isOnline: true, isStatusUnknown: false }),
    device({ id: 'p5', hostname: 'old-nas', kind: 'nas', probeDeviceId: 'probe', isOnline: false, isStatusUnknown: true, isDisabled: true }),
  ];

  it('counts them as unknown, apart from offline', () => {
    const { counts } = buildFleetRows(site, NO_FILTERS);
    expect(counts).toMatchObject({ total: 6, online: 1, offline: 3, unknown: 2 });
    expect(isUnknown(site[1]!)).toBe(true);
    expect(isUnknown(site[5]!)).toBe(false);
  });

  it('leaves them out of "offline" and shows them under "unknown"', () => {
    const hosts = (status: FleetFilters['status']) =>
      buildFleetRows(site, only({ status }))
        .rows.filter((r) => r.kind === 'device')
        .map((r) => (r.kind === 'device' ? r.device.hostname : ''));
    expect(hosts('offline')).toEqual(['jansen-srv01', 'old-nas', 'switch-1']);
    expect(hosts('unknown')).toEqual(['printer-reception', 'ups-1']);
    expect(hosts('online')).toEqual(['website']);
  });
});

describe('hasProblems', () => {
  it('is true for an open alert (firing or acknowledged) or an open incident', () => {
    expect(hasProblems(device({}))).toBe(false);
    expect(hasProblems(device({ openAlerts: 1 }))).toBe(true);
    expect(hasProblems(device({ openIncidents: 1 }))).toBe(true);
  });
});
