import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { clampPct, pushSample, type Collector } from './types.js';

/** battery.chargePct and battery.isCharging (0/1); init() is false on machines without a battery. */
export function createBatteryCollector(): Collector {
  return {
    name: 'battery',
    async init() {
      return (await (await loadSi()).battery()).hasBattery;
    },
    async collect() {
      const b = await (await loadSi()).battery();
      const out: Sample[] = [];
      if (!b.hasBattery) return out; // unplugged external battery, docked laptop
      if (Number.isFinite(b.percent)) pushSample(out, 'battery.chargePct', clampPct(b.percent));
      pushSample(out, 'battery.isCharging', b.isCharging ? 1 : 0);
      return out;
    },
  };
}
