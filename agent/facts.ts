import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { loadSi } from './si.js';
import { systemFactsSchema, type SystemFacts } from '../shared/protocol.js';

function text(value: string | undefined, max: number): string | undefined {
  const t = value?.trim();
  // systeminformation answers "" or placeholder junk when the firmware does not say.
  if (!t || /^(unknown|default string|to be filled by o\.e\.m\.|-)$/i.test(t)) return undefined;
  return t.slice(0, max);
}

/**
 * Facts about the machine for hello and enrollment, gathered once at start (si.system may run
 * dmidecode; never per cycle). Anything the platform cannot tell, or that would not pass
 * systemFactsSchema, is left out rather than failing the call.
 */
export async function collectSystemFacts(): Promise<SystemFacts> {
  const si = await loadSi();
  const [osInfo, cpu, system] = await Promise.all([
    si.osInfo().catch(() => undefined),
    si.cpu().catch(() => undefined),
    si.system().catch(() => undefined),
  ]);
  const cores = cpu?.cores || os.cpus().length;
  const candidate: Record<string, unknown> = {
    platform: text(osInfo?.platform ?? process.platform, 50),
    distro: text(osInfo?.distro, 200),
    release: text(osInfo?.release, 200),
    arch: text(osInfo?.arch ?? process.arch, 50),
    kernel: text(osInfo?.kernel ?? os.release(), 200),
    cpuModel: text([cpu?.manufacturer, cpu?.brand].filter(Boolean).join(' '), 200),
    cpuCores: Number.isInteger(cores) && cores >= 1 && cores <= 4096 ? cores : undefined,
    memTotalBytes: os.totalmem(),
    manufacturer: text(system?.manufacturer, 200),
    model: text(system?.model, 200),
    serial: text(system?.serial, 200),
  };
  const facts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    if (value !== undefined && systemFactsSchema.safeParse({ [key]: value }).success) facts[key] = value;
  }
  return facts as SystemFacts;
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
