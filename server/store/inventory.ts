/** The latest inventory of each device, one row per section; a new section replaces the old one. */
import type { InventorySections } from '../../shared/protocol.js';
import type { DeviceInventory } from '../../shared/api-types.js';
import type { Db } from './database.js';

/** Builds the inventory statements once. */
export function createInventoryStore(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO device_inventory (device_id, section, ts_ms, received_at_ms, data_json) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (device_id, section) DO UPDATE SET ts_ms = excluded.ts_ms, received_at_ms = excluded.received_at_ms, data_json = excluded.data_json`,
  );
  const ofDevice = db.prepare<[string], { section: string; ts_ms: number; data_json: string }>(
    'SELECT section, ts_ms, data_json FROM device_inventory WHERE device_id = ? ORDER BY section',
  );
  const saveAll = db.transaction((deviceId: string, tsMs: number, receivedAtMs: number, sections: InventorySections) => {
    for (const [section, data] of Object.entries(sections)) {
      if (data !== undefined) upsert.run(deviceId, section, tsMs, receivedAtMs, JSON.stringify(data));
    }
  });

  return {
    /** Stores every section present in one inventory message, in one transaction. */
    save(deviceId: string, tsMs: number, receivedAtMs: number, sections: InventorySections): void {
      saveAll(deviceId, tsMs, receivedAtMs, sections);
    },
    /** The latest stored sections of a device, each with the agent time it was collected. */
    get(deviceId: string): DeviceInventory {
      const out: DeviceInventory = {};
      for (const r of ofDevice.all(deviceId)) {
        (out as Record<string, unknown>)[r.section] = { tsMs: r.ts_ms, data: JSON.parse(r.data_json) as unknown };
      }
      return out;
    },
  };
}
export type InventoryStore = ReturnType<typeof createInventoryStore>;
