import { hasProgram, runProgram } from './exec.js';
import { cleanText, pushSample, type Collector, type CollectorOutput } from './types.js';

type UpdatesInfo = NonNullable<import('../../shared/protocol.js').InventorySections['updates']>;

const MAX_NAMES = 500;

/** Parses `apt-get -s upgrade`: one `Inst name [old] (new suite [arch])` line per package to upgrade. */
export function parseAptSimulation(text: string): UpdatesInfo {
  const packages: string[] = [];
  let securityCount = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('Inst ')) continue;
    const name = line.split(' ')[1];
    if (!name) continue;
    packages.push(name);
    if (/security/i.test(line)) securityCount++;
  }
  return { pendingCount: packages.length, securityCount, source: 'apt', packages: packages.slice(0, MAX_NAMES) };
}

/** Parses `dnf -q check-update` (exit 100 when updates exist): `name.arch  version  repo` lines. */
export function parseDnfCheckUpdate(text: string): UpdatesInfo {
  const packages: string[] = [];
  for (const line of text.split('\n')) {
    if (/^Obsoleting/i.test(line)) break;
    const cols = line.trim().split(/\s+/);
    if (cols.length === 3 && cols[0]!.includes('.')) packages.push(cols[0]!);
  }
  return { pendingCount: packages.length, source: 'dnf', packages: packages.slice(0, MAX_NAMES) };
}

/** Parses `softwareupdate -l`: one `* Label: name` line per update. */
export function parseSoftwareUpdateList(text: string): UpdatesInfo {
  const packages = text
    .split('\n')
    .map((l) => /^\s*\*\s*(?:Label:\s*)?(.+)$/.exec(l)?.[1]?.trim())
    .filter((n): n is string => !!n);
  return { pendingCount: packages.length, source: 'softwareupdate', packages: packages.slice(0, MAX_NAMES) };
}

type Reader = () => Promise<UpdatesInfo>;

const aptReader: Reader = async () => {
  // A simulation reads the local package lists only (no download, no lock, no root needed).
  const { stdout } = await runProgram('apt-get', ['-s', '-o', 'Debug::NoLocking=true', 'upgrade'], 120_000);
  return parseAptSimulation(stdout);
};

const dnfReader: Reader = async () => {
  const { stdout, code } = await runProgram('dnf', ['-q', '--cacheonly', 'check-update'], 120_000);
  if (code !== 0 && code !== 100) throw new Error(`dnf check-update exited with ${code}`);
  return parseDnfCheckUpdate(stdout);
};

const windowsReader: Reader = async () => {
  // Windows Update Agent COM API: what "Check for updates" shows, without installing anything.
  // Its own short-lived PowerShell: every 6 hours, and the search can take minutes.
  const { stdout } = await runProgram(
    'powershell.exe',
    ['-NoProfile', '-NonInteractive', '-Command',
      '$s=(New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher();' +
      '$r=$s.Search("IsInstalled=0 and IsHidden=0");$r.Updates | ForEach-Object { $_.Title }'],
    300_000,
    process.env,
  );
  const packages = stdout.split(/\r?\n/).map((l) => cleanText(l, 200)).filter((n): n is string => !!n);
  return { pendingCount: packages.length, source: 'windows-update', packages: packages.slice(0, MAX_NAMES) };
};

const macReader: Reader = async () => {
  const { stdout } = await runProgram('softwareupdate', ['-l'], 300_000);
  return parseSoftwareUpdateList(stdout);
};

/**
 * updates.pendingCount and the updates inventory where the platform can tell: Debian/Ubuntu (apt
 * simulation) and RHEL/Fedora (dnf, cache only) every 15 minutes; Windows Update and macOS
 * softwareupdate, which ask the vendor's servers, every 6 hours. Other platforms: not available.
 */
export function createUpdatesCollector(platform: NodeJS.Platform = process.platform): Collector {
  let read: Reader | undefined;
  const isRemoteCheck = platform === 'win32' || platform === 'darwin';
  return {
    name: 'updates',
    intervalMs: isRemoteCheck ? 6 * 3_600_000 : 15 * 60_000,
    timeoutMs: 300_000,
    async init() {
      if (platform === 'linux') {
        if (await hasProgram('apt-get', ['--version'])) read = aptReader;
        else if (await hasProgram('dnf', ['--version'])) read = dnfReader;
      } else if (platform === 'win32') read = windowsReader;
      else if (platform === 'darwin') read = macReader;
      return read !== undefined;
    },
    async collect(): Promise<CollectorOutput> {
      const updates = await read!();
      const samples: CollectorOutput['samples'] = [];
      pushSample(samples, 'updates.pendingCount', updates.pendingCount);
      return { samples, inventory: { updates } };
    },
  };
}
