import { readdir, readFile } from 'node:fs/promises';
import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { pushSample, type Collector } from './types.js';

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * Finds the sysfs file holding the CPU package temperature (millidegrees), so each cycle is one
 * file read; si.cpuTemperature() runs two shell pipelines (and sometimes `sensors`) per call.
 */
async function findLinuxSensorFile(): Promise<string | undefined> {
  const hwmon = '/sys/class/hwmon';
  for (const dir of await readdir(hwmon).catch(() => [] as string[])) {
    const files = await readdir(`${hwmon}/${dir}`).catch(() => [] as string[]);
    for (const f of files.filter((n) => /^temp\d+_label$/.test(n))) {
      const label = (await readText(`${hwmon}/${dir}/${f}`))?.toLowerCase() ?? '';
      if (/package|physical|tctl|tdie/.test(label)) return `${hwmon}/${dir}/${f.replace('_label', '_input')}`;
    }
  }
  const thermal = '/sys/class/thermal';
  for (const zone of await readdir(thermal).catch(() => [] as string[])) {
    const type = (await readText(`${thermal}/${zone}/type`))?.toLowerCase() ?? '';
    if (type === 'x86_pkg_temp' || type.includes('cpu')) return `${thermal}/${zone}/temp`;
  }
  return undefined;
}

/**
 * temp.cpuCelsius. Linux: the sysfs sensor file (none found: not available — systeminformation
 * would read the same files); elsewhere systeminformation. init() is false without a CPU
 * temperature (VMs, containers).
 */
export function createTemperatureCollector(platform: NodeJS.Platform = process.platform): Collector {
  let sensorFile: string | undefined;
  return {
    name: 'temperature',
    async init() {
      if (platform === 'linux') {
        sensorFile = await findLinuxSensorFile();
        return sensorFile !== undefined && Number.isFinite(Number(await readText(sensorFile)));
      }
      const main = (await (await loadSi()).cpuTemperature()).main;
      return typeof main === 'number' && Number.isFinite(main);
    },
    async collect() {
      const out: Sample[] = [];
      if (sensorFile) {
        const milli = Number(await readText(sensorFile));
        pushSample(out, 'temp.cpuCelsius', milli / 1000);
      } else {
        pushSample(out, 'temp.cpuCelsius', (await (await loadSi()).cpuTemperature()).main);
      }
      return out;
    },
  };
}
