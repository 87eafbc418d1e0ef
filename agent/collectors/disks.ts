import type { Sample } from '../../shared/protocol.js';
import { loadSi } from '../si.js';
import { cleanText, MAX_LABEL_VALUE_LENGTH, pushSample, type Collector, type CollectorOutput } from './types.js';

type DiskInfo = NonNullable<import('../../shared/protocol.js').InventorySections['disks']>[number];

/** systeminformation's smartStatus ('Ok', 'OK', 'Predicted Failure', 'Pred Fail', 'unknown', …) as ok/failing/unknown. */
export function smartVerdict(status: string | undefined): DiskInfo['smartStatus'] {
  if (!status) return 'unknown';
  if (/^ok$|^passed$|^verified$/i.test(status.trim())) return 'ok';
  if (/fail/i.test(status)) return 'failing';
  return 'unknown';
}

/**
 * Physical disks with their SMART verdict, every 15 minutes: disk.smartOk{disk} (1 healthy,
 * 0 failing; no sample when unknown) and the disks inventory. On Linux SMART needs smartctl and
 * permission to open the disk (root, or the opt-in described in docs/OPERATIONS.md); without it
 * the disks are still listed, with smartStatus "unknown".
 */
export function createDisksCollector(intervalMs = 15 * 60_000): Collector {
  return {
    name: 'disks',
    intervalMs,
    timeoutMs: 60_000,
    async init() {
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      const si = await loadSi();
      const disks: DiskInfo[] = [];
      const samples: Sample[] = [];
      for (const d of await si.diskLayout()) {
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
          ...(Number.isSafeInteger(d.size) && d.size >= 0 ? { sizeBytes: d.size } : {}),
          ...opt('serial', cleanText(d.serialNum, 200)),
          smartStatus,
          ...(typeof d.temperature === 'number' && Number.isFinite(d.temperature) ? { temperatureCelsius: d.temperature } : {}),
        });
        if (smartStatus !== 'unknown') pushSample(samples, 'disk.smartOk', smartStatus === 'ok' ? 1 : 0, { disk: device });
      }
      return { samples, inventory: { disks: disks.slice(0, 100) } };
    },
  };
}
