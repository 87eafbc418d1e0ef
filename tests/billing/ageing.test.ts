/**
 * Ageing machines for the client report: operating systems past or near the end of their security
 * updates (vendors' published dates), hardware from its firmware date, and the firmware date as
 * the agent reads it from DMI or systeminformation.
 */
import { describe, expect, it } from 'vitest';
import { ageingNotes, osSupportOf } from '../../server/billing/ageing.js';
import { firmwareDate } from '../../agent/facts.js';

const DEC_2026 = Date.parse('2026-12-01T00:00:00Z');
const machine = (hostname: string, facts: Record<string, string>, isDisabled = false) => ({ hostname, isDisabled, facts });

describe('operating system support', () => {
  it.each([
    ['Microsoft Windows 10 Pro', '10.0.19045', 'Windows 10', '2025-10-14'],
    ['Microsoft Windows 11 Pro', '10.0.26100', 'Windows 11 24H2', '2026-10-13'],
    ['Microsoft Windows 11 Home', '10.0.22631', 'Windows 11 23H2', '2025-11-11'],
    ['Microsoft Windows Server 2016 Standard', '10.0.14393', 'Windows Server 2016', '2027-01-12'],
    ['Microsoft Windows Server 2012 R2 Standard', '6.3.9600', 'Windows Server 2012', '2023-10-10'],
    ['Debian GNU/Linux', '11', 'Debian 11', '2026-08-31'],
    ['Ubuntu', '20.04', 'Ubuntu 20.04 LTS', '2025-05-31'],
  ])('%s %s → %s until %s', (distro, release, os, endsOn) => {
    expect(osSupportOf({ distro, release })).toEqual({ os, endsOn });
  });

  it.each([
    ['Microsoft Windows 10 Enterprise LTSC', '10.0.17763'],
    ['Microsoft Windows 11 Enterprise', '10.0.22631'],
    ['Microsoft Windows 11 Pro', '10.0.26200'],
    ['Debian GNU/Linux', '13'],
    ['macOS', '15.1'],
  ])('claims nothing for %s %s', (distro, release) => {
    expect(osSupportOf({ distro, release })).toBeUndefined();
  });
});

describe('ageing notes', () => {
  it('unsupported first, then ending within six months, then old hardware; disabled machines left out', () => {
    const notes = ageingNotes(
      [
        machine('jansen-pc01', { distro: 'Microsoft Windows 10 Pro', release: '10.0.19045', biosDate: '2018-06-12' }),
        machine('jansen-srv01', { distro: 'Microsoft Windows Server 2016 Standard', release: '10.0.14393', biosDate: '2023-02-01' }),
        machine('jansen-pc02', { distro: 'Microsoft Windows 11 Pro', release: '10.0.26200', biosDate: '2021-12-02' }),
        machine('jansen-pc03', { distro: 'Microsoft Windows 10 Pro', release: '10.0.19045' }, true),
        machine('jansen-nas', { distro: 'Debian GNU/Linux', release: '12', biosDate: '2021-11-30' }),
      ],
      DEC_2026,
    );
    expect(notes).toEqual([
      { hostname: 'jansen-pc01', kind: 'os-unsupported', os: 'Windows 10', endsOn: '2025-10-14' },
      { hostname: 'jansen-srv01', kind: 'os-ending', os: 'Windows Server 2016', endsOn: '2027-01-12' },
      { hostname: 'jansen-nas', kind: 'old-hardware', year: 2021, years: 5 },
      { hostname: 'jansen-pc01', kind: 'old-hardware', year: 2018, years: 8 },
    ]);
  });
});

describe('firmware date as the agent reads it', () => {
  it.each([
    ['03/15/2019', '2019-03-15'],
    ['2019-03-15', '2019-03-15'],
    ['2019-03-15T00:00:00', '2019-03-15'],
    [' 12/01/2020\n', '2020-12-01'],
    ['13/45/2019', undefined],
    ['02/30/2020', undefined],
    ['01/01/1980', undefined],
    ['Not Specified', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, want) => {
    expect(firmwareDate(raw)).toBe(want);
  });
});
