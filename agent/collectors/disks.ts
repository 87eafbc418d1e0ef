import type { Sample } from '../../shared/protocol.js';
import { readdir, readFile } from 'node:fs/promises';
import { loadSi } from '../si.js';
import { hasProgram, runProgram } from './exec.js';
import { cleanText, MAX_LABEL_VALUE_LENGTH, pushSample, type Collector, type CollectorOutput } from './types.js';

type DiskInfo = NonNullable<import('../../shared/protocol.js').InventorySections['disks']>[number];

/** systeminformation's smartStatus ('Ok', 'OK', 'Predicted Failure', 'Pred Fail', 'unknown', …) as ok/failing/unknown. */
export function smartVerdict(status: string | undefined): DiskInfo['smartStatus'] {
  if (!status) return 'unknown';
  if (/^ok$|^passed$|^verified$/i.test(status.trim())) return 'ok';
  if (/fail/i.test(status)) return 'failing';
  return 'unknown';
}

type RawDisk = {
  device: string;
  name?: string;
  vendor?: string;
  type?: string;
  interfaceType?: string;
  size?: number;
  serialNum?: string;
  smartStatus?: string;
  temperature?: number | null;
};

/** Block devices that are not physical disks: loop, RAM, device-mapper, zram, optical, md, nbd. */
export function isVirtualBlockDevice(name: string): boolean {
  return /^(loop|ram|dm-|zram|sr|md|nbd|fd)/.test(name);
}

/** The SMART verdict from `smartctl -H -j` JSON (smart_status.passed); unknown when it could not tell. */
export function parseSmartctlHealth(text: string): { smartStatus: string; temperature?: number } {
  try {
    const j = JSON.parse(text) as { smart_status?: { passed?: boolean }; temperature?: { current?: number } };
    const passed = j.smart_status?.passed;
    return {
      smartStatus: passed === true ? 'Ok' : passed === false ? 'Predicted Failure' : 'unknown',
      ...(typeof j.temperature?.current === 'number' ? { temperature: j.temperature.current } : {}),
    };
  } catch {
    return { smartStatus: 'unknown' };
  }
}

// Linux: /sys/block for the disks, smartctl (when installed and permitted) for their health.
async function readLinux(hasSmartctl: boolean): Promise<RawDisk[]> {
  const sys = (name: string, file: string) =>
    readFile(`/sys/block/${name}/${file}`, 'utf8')
      .then((t) => t.trim())
      .catch(() => undefined);
  const out: RawDisk[] = [];
  for (const name of await readdir('/sys/block').catch(() => [] as string[])) {
    if (isVirtualBlockDevice(name)) continue;
    const sectors = Number(await sys(name, 'size'));
    const rotational = await sys(name, 'queue/rotational');
    const device = `/dev/${name}`;
    const smart = hasSmartctl
      ? parseSmartctlHealth((await runProgram('smartctl', ['-H', '-A', '-j', device], 30_000).catch(() => ({ stdout: '' }))).stdout)
      : { smartStatus: 'unknown' };
    out.push({
      device,
      name: await sys(name, 'device/model'),
      vendor: await sys(name, 'device/vendor'),
      type: name.startsWith('nvme') ? 'NVMe' : rotational === '1' ? 'HD' : rotational === '0' ? 'SSD' : undefined,
      interfaceType: name.startsWith('nvme') ? 'PCIe' : undefined,
      size: Number.isFinite(sectors) ? sectors * 512 : undefined,
      serialNum: await sys(name, 'device/serial'),
      ...smart,
    });
  }
  return out;
}

async function readPortable(): Promise<RawDisk[]> {
  return (await loadSi()).diskLayout();
}

/**
 * Physical disks with their SMART verdict, every 15 minutes: smart.isFailing{disk} (0 healthy,
 * 1 failing; no sample when unknown) and the disks inventory. On Linux SMART needs smartctl and
 * permission to open the disk (root, or the opt-in described in docs/OPERATIONS.md); without it
 * the disks are still listed, with smartStatus "unknown".
 */
export function createDisksCollector(intervalMs = 15 * 60_000, platform: NodeJS.Platform = process.platform): Collector {
  let read: () => Promise<RawDisk[]> = readPortable;
  return {
    name: 'disks',
    intervalMs,
    timeoutMs: 60_000,
    async init() {
      if (platform === 'linux') {
        const hasSmartctl = await hasProgram('smartctl', ['--version']);
        read = () => readLinux(hasSmartctl);
      }
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      const disks: DiskInfo[] = [];
      const samples: Sample[] = [];
      for (const d of await read()) {
        const device = cleanText(d.device, MAX_LABEL_VALUE_LENGTH) ?? cleanText(d.name, MAX_LABEL_VALUE_LENGTH);
        if (!device) continue;
        const smartStatus = smartVerdict(d.smartStatus);
        const opt = (key: string, value: string | undefined) => (value ? { [key]: value } : {});
        disks.push({
          device,
          ...opt('name', cleanText(d.name, 200)),
          ...opt('vendor', cleanText(d.vendor, 200)),
          ...opt('type', cleanText(d.type, 50)),
          ...opt('interfaceType', cleanText(d.interfaceType, 50)),
          ...(d.size !== undefined && Number.isSafeInteger(d.size) && d.size >= 0 ? { sizeBytes: d.size } : {}),
          ...opt('serial', cleanText(d.serialNum, 200)),
          smartStatus,
          ...(typeof d.temperature === 'number' && Number.isFinite(d.temperature) ? { temperatureCelsius: d.temperature } : {}),
        });
        if (smartStatus !== 'unknown') pushSample(samples, 'smart.isFailing', smartStatus === 'ok' ? 0 : 1, { disk: device });
      }
      return { samples, inventory: { disks: disks.slice(0, 100) } };
    },
  };
}
