import fs from 'node:fs';
import type { Sample } from '../../shared/protocol.js';
import { loadSi } from '../si.js';
import { hasProgram } from './exec.js';
import { cleanText, MAX_LABEL_VALUE_LENGTH, pushSample, type Collector, type CollectorOutput } from './types.js';

type PrinterInfo = NonNullable<import('../../shared/protocol.js').InventorySections['printers']>[number];

/** Printer states that need a technician: CUPS "stopped", Windows "Stopped Printing"/"Offline", error words. */
export function isPrinterErrorStatus(status: string): boolean {
  return /stop|offline|error|jam|paper|toner|fault|disabled|door/i.test(status);
}

/** printer.hasError{printer} and the printers inventory, every 5 minutes. */
export function createPrintersCollector(platform: NodeJS.Platform = process.platform, intervalMs = 5 * 60_000): Collector {
  return {
    name: 'printers',
    intervalMs,
    timeoutMs: 30_000,
    async init() {
      // Linux: no CUPS, no printers (systeminformation would only find nothing each time).
      if (platform === 'linux') return fs.existsSync('/etc/cups') || (await hasProgram('lpstat', ['-r']));
      return platform === 'win32' || platform === 'darwin';
    },
    async collect(): Promise<CollectorOutput> {
      const si = await loadSi();
      const printers: PrinterInfo[] = [];
      const samples: Sample[] = [];
      for (const p of await si.printer()) {
        const name = cleanText(p.name, MAX_LABEL_VALUE_LENGTH);
        if (!name) continue;
        const status = cleanText(p.status, 50) ?? 'unknown';
        const hasError = isPrinterErrorStatus(status);
        const model = cleanText(p.model, 200);
        const uri = cleanText(p.uri, 500);
        printers.push({ name, status, hasError, isDefault: p.default === true, ...(model ? { model } : {}), ...(uri ? { uri } : {}) });
        pushSample(samples, 'printer.hasError', hasError ? 1 : 0, { printer: name });
      }
      return { samples, inventory: { printers: printers.slice(0, 100) } };
    },
  };
}
