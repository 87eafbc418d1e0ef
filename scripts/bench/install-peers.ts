/**
 * The Debian packages each bench section runs beside us, installed before the section starts when
 * they are missing: with apt-get when the bench runs as root, otherwise it stops with the one
 * command that installs them. A section never runs half its peers and reports the rest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface PeerPackage {
  /** Any of these paths present means the package is installed. */
  bins: string[];
  debianPackage: string;
}

const PEERS: Record<string, PeerPackage[]> = {
  'ingest-peers': [{ bins: ['/usr/bin/victoria-metrics'], debianPackage: 'victoria-metrics' }],
  'storage-peers': [
    { bins: ['/usr/bin/promtool'], debianPackage: 'prometheus' },
    { bins: ['/usr/bin/victoria-metrics'], debianPackage: 'victoria-metrics' },
  ],
  alerts: [
    { bins: ['/usr/bin/prometheus'], debianPackage: 'prometheus' },
    { bins: ['/usr/bin/prometheus-alertmanager'], debianPackage: 'prometheus-alertmanager' },
  ],
  agent: [
    { bins: ['/usr/bin/prometheus-node-exporter'], debianPackage: 'prometheus-node-exporter' },
    { bins: ['/usr/sbin/zabbix_agent2'], debianPackage: 'zabbix-agent2' },
  ],
  probe: [{ bins: ['/usr/sbin/snmpd', '/usr/bin/snmpd'], debianPackage: 'snmpd' }],
  report: [{ bins: ['/usr/bin/chromium'], debianPackage: 'chromium' }],
};

/** The Debian packages the given sections need that are not installed. */
export function missingPeerPackages(sections: Iterable<string>): string[] {
  const missing = new Set<string>();
  for (const s of sections) for (const p of PEERS[s] ?? []) if (!p.bins.some((b) => existsSync(b))) missing.add(p.debianPackage);
  return [...missing].sort();
}

/**
 * Installs what the sections need. The packages' own services are not wanted (every peer runs
 * as the bench's child on 127.0.0.1), so apt runs with a policy that forbids starting them.
 */
export function installPeerPackages(sections: Iterable<string>, log: (m: string) => void): void {
  const missing = missingPeerPackages(sections);
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0)
    throw new Error(`the bench's peers are not installed: run \`sudo ${command}\` (or pass --only without the sections that need them)`);
  log(`installing the peers' Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = missingPeerPackages(sections);
  if (still.length > 0) throw new Error(`apt-get installed nothing for: ${still.join(', ')}`);
  // Debian starts a package's daemon on install where systemd runs (the unit is named after the
  // package); the bench wants none of the ones it just installed.
  for (const unit of missing)
    try {
      execFileSync('systemctl', ['stop', unit], { stdio: 'ignore' });
    } catch {
      // no systemd, or the unit does not exist: nothing was started
    }
}
