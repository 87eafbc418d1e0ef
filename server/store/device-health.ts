/**
 * Fleet health at a glance: per device, how many alerts are firing or acknowledged, how many
 * incidents are open, and the worst severity among them. One grouped query over the open rows
 * only (the state indexes keep resolved history out of it), so its cost follows the number of
 * open problems, not the size of the fleet or of the history.
 */
import type { DeviceSummary } from '../../shared/api-types.js';
import type { Severity } from '../../shared/alert-types.js';
import type { Db } from './database.js';

/** Open problems of one device. */
export interface DeviceHealth {
  firingAlerts: number;
  openAlerts: number;
  openIncidents: number;
  worstSeverity: Severity | null;
}

/** The health of a device with no open alert or incident. */
export const HEALTHY: DeviceHealth = { firingAlerts: 0, openAlerts: 0, openIncidents: 0, worstSeverity: null };

const RANKED: readonly Severity[] = ['info', 'warning', 'critical'];
const RANK_SQL = "CASE severity WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END";

/** Builds the health statements once. */
export function createDeviceHealthQuery(db: Db) {
  const alerts = db.prepare<[], { device_id: string; open: number; firing: number; worst: number }>(
    `SELECT device_id, count(*) AS open, sum(state = 'firing') AS firing, max(${RANK_SQL}) AS worst
       FROM alerts WHERE state IN ('firing', 'acknowledged') GROUP BY device_id`,
  );
  const incidents = db.prepare<[], { device_id: string; open: number; worst: number }>(
    `SELECT device_id, count(*) AS open, max(${RANK_SQL}) AS worst
       FROM incidents WHERE state = 'open' AND device_id IS NOT NULL GROUP BY device_id`,
  );

  return {
    /** Health of every device with at least one open problem (others are HEALTHY). */
    openByDevice(): Map<string, DeviceHealth> {
      const out = new Map<string, DeviceHealth>();
      const worst = new Map<string, number>();
      for (const r of alerts.all()) {
        out.set(r.device_id, { firingAlerts: r.firing, openAlerts: r.open, openIncidents: 0, worstSeverity: null });
        worst.set(r.device_id, r.worst);
      }
      for (const r of incidents.all()) {
        const h = out.get(r.device_id) ?? { ...HEALTHY };
        h.openIncidents = r.open;
        out.set(r.device_id, h);
        worst.set(r.device_id, Math.max(worst.get(r.device_id) ?? 0, r.worst));
      }
      for (const [id, h] of out) h.worstSeverity = RANKED[worst.get(id)!] ?? null;
      return out;
    },
  };
}
export type DeviceHealthQuery = ReturnType<typeof createDeviceHealthQuery>;

/** A summary with its device's open problems filled in. */
export function withHealth(summary: DeviceSummary, health: ReadonlyMap<string, DeviceHealth>): DeviceSummary {
  const h = health.get(summary.id);
  return h ? { ...summary, ...h } : summary;
}
