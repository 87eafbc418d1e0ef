import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { loadSi } from './si.js';
import type { SystemFacts } from '../shared/protocol.js';
import { cleanFacts } from './wire.js';

function text(value: string | undefined, max: number): string | undefined {
  const t = value?.trim();
  // systeminformation answers "" or placeholder junk when the firmware does not say.
  if (!t || /^(unknown|default string|to be filled by o\.e\.m\.|-)$/i.test(t)) return undefined;
  return t.slice(0, max);
}

/** Reads a small text file; undefined when missing or unreadable (dmi serials need root). */
async function readText(file: string): Promise<string | undefined> {
  return (await readFile(file, 'utf8').catch(() => undefined))?.trim();
}

/**
 * A firmware date as YYYY-MM-DD, from the DMI form MM/DD/YYYY (Linux `bios_date`) or an ISO date
 * (systeminformation's `bios().releaseDate`); undefined for anything else or an impossible date.
 */
export function firmwareDate(raw: string | undefined): string | undefined {
  const t = raw?.trim() ?? '';
  const dmi = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  const [y, m, d] = dmi ? [dmi[3], dmi[1], dmi[2]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (!y || !m || !d) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || Number(y) < 1990) return undefined;
  return `${y}-${m}-${d}`;
}

/** KEY=value pairs of /etc/os-release (quotes removed). */
export function parseOsRelease(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
  }
  return out;
}

// Linux: the files systeminformation reads, without loading it (about 9 MB of the agent's RSS).
async function candidateLinux(): Promise<Record<string, unknown>> {
  const osRelease = parseOsRelease((await readText('/etc/os-release')) ?? (await readText('/usr/lib/os-release')) ?? '');
  const cpuinfo = (await readText('/proc/cpuinfo')) ?? '';
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? /^Model\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  const dmi = (name: string) => readText(`/sys/class/dmi/id/${name}`);
  return {
    platform: 'linux',
    distro: text(osRelease.NAME, 200),
    release: text(osRelease.VERSION_ID ?? osRelease.BUILD_ID, 200),
    arch: text(process.arch, 50),
    kernel: text(os.release(), 200),
    cpuModel: text(cpuModel, 200),
    cpuCores: os.cpus().length,
    memTotalBytes: os.totalmem(),
    manufacturer: text(await dmi('sys_vendor'), 200),
    model: text(await dmi('product_name'), 200),
    serial: text(await dmi('product_serial'), 200),
    biosDate: firmwareDate(await dmi('bios_date')),
  };
}

async function candidatePortable(): Promise<Record<string, unknown>> {
  const si = await loadSi();
  const [osInfo, cpu, system, bios] = await Promise.all([
    si.osInfo().catch(() => undefined),
    si.cpu().catch(() => undefined),
    si.system().catch(() => undefined),
    si.bios().catch(() => undefined),
  ]);
  return {
    platform: text(osInfo?.platform ?? process.platform, 50),
    distro: text(osInfo?.distro, 200),
    release: text(osInfo?.release, 200),
    arch: text(osInfo?.arch ?? process.arch, 50),
    kernel: text(osInfo?.kernel ?? os.release(), 200),
    cpuModel: text([cpu?.manufacturer, cpu?.brand].filter(Boolean).join(' '), 200),
    cpuCores: cpu?.cores || os.cpus().length,
    memTotalBytes: os.totalmem(),
    manufacturer: text(system?.manufacturer, 200),
    model: text(system?.model, 200),
    serial: text(system?.serial, 200),
    biosDate: firmwareDate(bios?.releaseDate),
  };
}

/**
 * Facts about the machine for hello, enrollment and the facts inventory section. Anything the
 * platform cannot tell, or that would not pass systemFactsSchema, is left out rather than
 * failing the call.
 */
export async function collectSystemFacts(platform: NodeJS.Platform = process.platform): Promise<SystemFacts> {
  const candidate = platform === 'linux' ? await candidateLinux() : await candidatePortable();
  const cores = candidate.cpuCores;
  if (!(Number.isInteger(cores) && (cores as number) >= 1 && (cores as number) <= 4096)) delete candidate.cpuCores;
  return cleanFacts(candidate);
}

/**
 * Stable id of this machine so re-enrolling it reuses its device: the systemd/dbus machine id,
 * else whatever systeminformation finds (registry MachineGuid, IOPlatformUUID); undefined if none.
 */
export async function readMachineId(): Promise<string | undefined> {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    const id = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (id) return id.slice(0, 200);
  }
  const id = (await (await loadSi()).uuid().catch(() => undefined))?.os?.trim();
  return id ? id.slice(0, 200) : undefined;
}

/** Host name for hello and enrollment, cut to the protocol's 255 characters. */
export function readHostname(): string {
  return (os.hostname() || 'unknown-host').slice(0, 255);
}
