import { readdir, readFile } from 'node:fs/promises';
import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { clampPct, pushSample, type Collector } from './types.js';

interface BatteryState {
  hasBattery: boolean;
  percent: number;
  isCharging: boolean;
}

const POWER_SUPPLY = '/sys/class/power_supply';

// Linux: the kernel's power_supply class, which is what systeminformation reads too.
async function readLinux(): Promise<BatteryState> {
  for (const name of await readdir(POWER_SUPPLY).catch(() => [] as string[])) {
    const dir = `${POWER_SUPPLY}/${name}`;
    const type = (await readFile(`${dir}/type`, 'utf8').catch(() => '')).trim();
    if (type !== 'Battery') continue;
    const capacity = Number((await readFile(`${dir}/capacity`, 'utf8').catch(() => '')).trim());
    const status = (await readFile(`${dir}/status`, 'utf8').catch(() => '')).trim();
    return { hasBattery: true, percent: capacity, isCharging: status === 'Charging' };
  }
  return { hasBattery: false, percent: NaN, isCharging: false };
}

async function readPortable(): Promise<BatteryState> {
  const b = await (await loadSi()).battery();
  return { hasBattery: b.hasBattery, percent: b.percent, isCharging: b.isCharging };
}

/** battery.chargePct and battery.isCharging (0/1); init() is false on machines without a battery. */
export function createBatteryCollector(platform: NodeJS.Platform = process.platform): Collector {
  const read = platform === 'linux' ? readLinux : readPortable;
  return {
    name: 'battery',
    async init() {
      return (await read()).hasBattery;
    },
    async collect() {
      const b = await read();
      const out: Sample[] = [];
      if (!b.hasBattery) return out; // unplugged external battery, docked laptop
      if (Number.isFinite(b.percent)) pushSample(out, 'battery.chargePct', clampPct(b.percent));
      pushSample(out, 'battery.isCharging', b.isCharging ? 1 : 0);
      return out;
    },
  };
}
