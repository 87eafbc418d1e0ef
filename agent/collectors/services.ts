import type { Sample } from '../../shared/protocol.js';
import { loadSi } from '../si.js';
import { runProgram } from './exec.js';
import { MAX_LABEL_VALUE_LENGTH, pushSample, type Collector, type CollectorOutput } from './types.js';

type ServiceInfo = NonNullable<import('../../shared/protocol.js').InventorySections['services']>[number];

/** One unit's properties from `systemctl show`. */
export interface SystemdUnit {
  readonly name: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly unitFileState: string;
}

/**
 * Parses `systemctl show --property=Id,LoadState,ActiveState,UnitFileState a b …`: one block of
 * KEY=value lines per unit, blocks separated by a blank line, in argument order.
 */
export function parseSystemctlShow(text: string): SystemdUnit[] {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const props = new Map<string, string>();
      for (const line of block.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1).trim());
      }
      return props;
    })
    .filter((p) => p.has('Id'))
    .map((p) => ({
      name: p.get('Id')!,
      loadState: p.get('LoadState') ?? '',
      activeState: p.get('ActiveState') ?? '',
      unitFileState: p.get('UnitFileState') ?? '',
    }));
}

/** `nginx` → `nginx.service`; names with a unit suffix are kept. */
export function systemdUnitName(service: string): string {
  return /\.(service|socket|timer|target|mount|path)$/.test(service) ? service : `${service}.service`;
}

async function readSystemd(names: readonly string[]): Promise<ServiceInfo[]> {
  const units = names.map(systemdUnitName);
  const { stdout, code } = await runProgram('systemctl', ['show', '--property=Id,LoadState,ActiveState,UnitFileState', '--', ...units], 15_000);
  const parsed = parseSystemctlShow(stdout);
  // No answer (no systemd bus in a container, say) is a failure, not "every service stopped":
  // reporting zeros would page someone for services that may be running fine.
  if (parsed.length === 0) throw new Error(`systemctl show exited with ${code} and no unit data`);
  return names.map((name, i) => {
    // systemctl answers in argument order; match by Id too, in case an alias renamed it.
    const u = parsed.find((p) => p.name === units[i]) ?? parsed[i];
    if (!u || u.loadState === 'not-found') return { name, isRunning: false, state: 'not-found' };
    return {
      name,
      isRunning: u.activeState === 'active',
      state: u.activeState.slice(0, 50),
      ...(u.unitFileState ? { startMode: u.unitFileState.slice(0, 50) } : {}),
    };
  });
}

async function readPortable(names: readonly string[]): Promise<ServiceInfo[]> {
  const si = await loadSi();
  const found = await si.services(names.join(','));
  return names.map((name) => {
    const s = found.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!s) return { name, isRunning: false, state: 'not-found' };
    return { name, isRunning: s.running, state: s.running ? 'running' : 'stopped', ...(s.startmode ? { startMode: s.startmode.slice(0, 50) } : {}) };
  });
}

/**
 * service.isRunning{service} for each watched service (server-pushed list), plus the services
 * inventory. Linux with systemd asks systemctl for the unit's real state (one process per cycle);
 * elsewhere systeminformation (Windows: Win32_Service through its persistent PowerShell; macOS:
 * process names, the best that platform offers without launchctl labels).
 */
export function createServicesCollector(watched: () => readonly string[], platform: NodeJS.Platform = process.platform): Collector {
  let read: (names: readonly string[]) => Promise<ServiceInfo[]> = readPortable;
  return {
    name: 'services',
    timeoutMs: 20_000,
    async init() {
      // systemd must be running and answering, not merely installed (containers often have the binary only).
      if (platform === 'linux' && (await runProgram('systemctl', ['show', '--property=Version'], 5_000).catch(() => ({ code: -1 }))).code === 0) {
        read = readSystemd;
      }
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      const names = [...new Set(watched())].filter((n) => n.length > 0 && n.length <= MAX_LABEL_VALUE_LENGTH);
      if (names.length === 0) return { samples: [], inventory: { services: [] } };
      const services = await read(names);
      const samples: Sample[] = [];
      for (const s of services) pushSample(samples, 'service.isRunning', s.isRunning ? 1 : 0, { service: s.name });
      return { samples, inventory: { services } };
    },
  };
}
