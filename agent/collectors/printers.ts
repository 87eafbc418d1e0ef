import fs from 'node:fs';
import type { Sample } from '../../shared/protocol.js';
import { loadSi } from '../si.js';
import { hasProgram, runProgram } from './exec.js';
import { cleanText, MAX_LABEL_VALUE_LENGTH, pushSample, type Collector, type CollectorOutput } from './types.js';

type PrinterInfo = NonNullable<import('../../shared/protocol.js').InventorySections['printers']>[number];

/** Printer states that need a technician: CUPS "stopped", Windows "Stopped Printing"/"Offline", error words. */
export function isPrinterErrorStatus(status: string): boolean {
  return /stop|offline|error|jam|paper|toner|fault|disabled|door/i.test(status);
}

/**
 * Parses `lpstat -p -d`: "printer NAME is idle.  enabled since …", "printer NAME disabled since …",
 * "printer NAME now printing NAME-12.  enabled since …", and "system default destination: NAME".
 */
export function parseLpstat(text: string): { name: string; status: string; isDefault: boolean }[] {
  const defaultName = /^system default destination:\s*(\S+)/m.exec(text)?.[1];
  const out: { name: string; status: string; isDefault: boolean }[] = [];
  for (const line of text.split('\n')) {
    const m = /^printer (\S+) (?:is )?(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    const status = /disabled/.test(rest) ? 'stopped' : /printing/.test(rest) ? 'printing' : /idle/.test(rest) ? 'idle' : (rest.split(/[.\s]/)[0] ?? 'unknown');
    out.push({ name: m[1]!, status, isDefault: m[1] === defaultName });
  }
  return out;
}

type RawPrinter = { name: string; status: string; isDefault: boolean; model?: string; uri?: string };

async function readLinux(): Promise<RawPrinter[]> {
  // Exit 1 with "No destinations added." when CUPS has no printers: that is an empty list.
  const { stdout } = await runProgram('lpstat', ['-p', '-d'], 20_000);
  return parseLpstat(stdout);
}

async function readPortable(): Promise<RawPrinter[]> {
  return (await (await loadSi()).printer()).map((p) => ({
    name: p.name,
    status: p.status ?? 'unknown',
    isDefault: p.default === true,
    ...(p.model ? { model: p.model } : {}),
    ...(p.uri ? { uri: p.uri } : {}),
  }));
}

/** printer.hasError{printer} and the printers inventory, every 5 minutes (Linux: CUPS lpstat; elsewhere systeminformation). */
export function createPrintersCollector(platform: NodeJS.Platform = process.platform, intervalMs = 5 * 60_000): Collector {
  const read = platform === 'linux' ? readLinux : readPortable;
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
      const printers: PrinterInfo[] = [];
      const samples: Sample[] = [];
      for (const p of await read()) {
        const name = cleanText(p.name, MAX_LABEL_VALUE_LENGTH);
        if (!name) continue;
        const status = cleanText(p.status, 50) ?? 'unknown';
        const hasError = isPrinterErrorStatus(status);
        const model = cleanText(p.model, 200);
        const uri = cleanText(p.uri, 500);
        printers.push({ name, status, hasError, isDefault: p.isDefault, ...(model ? { model } : {}), ...(uri ? { uri } : {}) });
        pushSample(samples, 'printer.hasError', hasError ? 1 : 0, { printer: name });
      }
      return { samples, inventory: { printers: printers.slice(0, 100) } };
    },
  };
}
