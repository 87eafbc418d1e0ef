/**
 * Ageing machines for the client report's "what is coming": an operating system past (or near)
 * the end of its vendor's security updates, and hardware whose firmware is five years old or more.
 * Pure: the facts an agent reported (distro, release, firmware date) against a table of end dates.
 *
 * End dates are the vendors' published end of security updates for the editions small offices
 * run (Windows Home/Pro, Windows Server, Debian with its LTS, Ubuntu LTS standard support).
 * Editions with longer support (Windows Enterprise/Education/LTSC, Ubuntu Pro) are not claimed:
 * those machines are left out rather than reported wrongly.
 */

/** One operating system and the day its security updates end (YYYY-MM-DD). */
interface OsSupport {
  name: string;
  endsOn: string;
  matches(distro: string, release: string): boolean;
}

const winBuild = (release: string): number => Number(/^10\.0\.(\d+)/.exec(release)?.[1] ?? NaN);
const isLongTermEdition = (distro: string) => /enterprise|education|ltsc|ltsb|iot/i.test(distro);

const OS_SUPPORT: readonly OsSupport[] = [
  { name: 'Windows 7', endsOn: '2020-01-14', matches: (d) => /windows 7\b/i.test(d) },
  { name: 'Windows 8.1', endsOn: '2023-01-10', matches: (d) => /windows 8\.1\b/i.test(d) },
  { name: 'Windows 10', endsOn: '2025-10-14', matches: (d) => /windows 10\b/i.test(d) && !isLongTermEdition(d) },
  // Windows 11 Home/Pro: each yearly version gets 24 months.
  { name: 'Windows 11 22H2', endsOn: '2024-10-08', matches: (d, r) => /windows 11\b/i.test(d) && !isLongTermEdition(d) && winBuild(r) === 22621 },
  { name: 'Windows 11 23H2', endsOn: '2025-11-11', matches: (d, r) => /windows 11\b/i.test(d) && !isLongTermEdition(d) && winBuild(r) === 22631 },
  { name: 'Windows 11 24H2', endsOn: '2026-10-13', matches: (d, r) => /windows 11\b/i.test(d) && !isLongTermEdition(d) && winBuild(r) === 26100 },
  { name: 'Windows Server 2008 R2', endsOn: '2020-01-14', matches: (d) => /server 2008/i.test(d) },
  { name: 'Windows Server 2012', endsOn: '2023-10-10', matches: (d) => /server 2012/i.test(d) },
  { name: 'Windows Server 2016', endsOn: '2027-01-12', matches: (d) => /server 2016/i.test(d) },
  { name: 'Windows Server 2019', endsOn: '2029-01-09', matches: (d) => /server 2019/i.test(d) },
  { name: 'Debian 9', endsOn: '2022-06-30', matches: (d, r) => /debian/i.test(d) && /^9(\.|$)/.test(r) },
  { name: 'Debian 10', endsOn: '2024-06-30', matches: (d, r) => /debian/i.test(d) && /^10(\.|$)/.test(r) },
  { name: 'Debian 11', endsOn: '2026-08-31', matches: (d, r) => /debian/i.test(d) && /^11(\.|$)/.test(r) },
  { name: 'Debian 12', endsOn: '2028-06-30', matches: (d, r) => /debian/i.test(d) && /^12(\.|$)/.test(r) },
  { name: 'Ubuntu 18.04 LTS', endsOn: '2023-05-31', matches: (d, r) => /ubuntu/i.test(d) && r.startsWith('18.04') },
  { name: 'Ubuntu 20.04 LTS', endsOn: '2025-05-31', matches: (d, r) => /ubuntu/i.test(d) && r.startsWith('20.04') },
  { name: 'Ubuntu 22.04 LTS', endsOn: '2027-04-30', matches: (d, r) => /ubuntu/i.test(d) && r.startsWith('22.04') },
];

/** Hardware is called ageing from this many years after its firmware date. */
export const OLD_HARDWARE_YEARS = 5;
/** An end of updates this close after the report's period is announced as coming. */
export const OS_END_NOTICE_MS = 183 * 86_400_000;

/** What the report says about one machine. */
export type AgeingNote =
  | { hostname: string; kind: 'os-unsupported' | 'os-ending'; os: string; endsOn: string }
  | { hostname: string; kind: 'old-hardware'; year: number; years: number };

const dayMs = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`);

/** The operating system a machine's facts name, with its end of updates, or undefined when not known here. */
export function osSupportOf(facts: Readonly<Record<string, string | number>>): { os: string; endsOn: string } | undefined {
  const distro = String(facts.distro ?? '');
  const release = String(facts.release ?? '');
  const hit = OS_SUPPORT.find((o) => o.matches(distro, release));
  return hit && { os: hit.name, endsOn: hit.endsOn };
}

/** Ageing notes for machines at the end of a period, oldest problems first. */
export function ageingNotes(
  devices: readonly { hostname: string; isDisabled: boolean; facts: Readonly<Record<string, string | number>> }[],
  atMs: number,
): AgeingNote[] {
  const out: AgeingNote[] = [];
  for (const d of devices) {
    if (d.isDisabled) continue;
    const os = osSupportOf(d.facts);
    if (os) {
      const endMs = dayMs(os.endsOn);
      if (endMs <= atMs) out.push({ hostname: d.hostname, kind: 'os-unsupported', ...os });
      else if (endMs - atMs <= OS_END_NOTICE_MS) out.push({ hostname: d.hostname, kind: 'os-ending', ...os });
    }
    const bios = typeof d.facts.biosDate === 'string' ? /^(\d{4})-\d{2}-\d{2}$/.exec(d.facts.biosDate) : null;
    if (bios) {
      const years = Math.floor((atMs - dayMs(d.facts.biosDate as string)) / (365.25 * 86_400_000));
      if (years >= OLD_HARDWARE_YEARS) out.push({ hostname: d.hostname, kind: 'old-hardware', year: Number(bios[1]), years });
    }
  }
  const order = { 'os-unsupported': 0, 'os-ending': 1, 'old-hardware': 2 } as const;
  return out.sort((a, b) => order[a.kind] - order[b.kind] || a.hostname.localeCompare(b.hostname));
}
