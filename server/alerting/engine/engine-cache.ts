/**
 * What the engine knows about the fleet, cached in memory so evaluating a sample never queries
 * the database: each device's client, interval and last report; each client's contract and time
 * zone; each device's effective rules by metric; the maintenance windows. Route handlers tell the
 * engine when something changed (rules, windows, a client, a device) and the view re-reads it.
 */
import type { ContractType } from '../../../shared/api-types.js';
import type { Rule } from '../../../shared/alert-types.js';
import type { ClientStore } from '../../store/clients.js';
import type { DeviceStore } from '../../store/devices.js';
import type { RuleStore } from '../../store/rules.js';
import type { MaintenanceStore } from '../../store/maintenance.js';
import { isInMaintenance, type WindowSpec } from '../../time/windows.js';
import { indexEffectiveRules, resolveEffectiveRules, type DeviceRuleIndex } from '../policy/rule-index.js';

/** A device as the engine tracks it. */
export interface DeviceInfo {
  id: string;
  clientId: string;
  intervalMs: number;
  isDisabled: boolean;
  /** Server time of the last report, ms; null until the device has reported. */
  lastReportAtMs: number | null;
  /** Latest value per series key, as of the last report seen (null before one). */
  latest: Record<string, number> | null;
  /**
   * Site probe: the agent that checks this device, or null. A probed device is never "offline"
   * by silence: when its probe is away nobody knows its state, and the probe's own offline alert
   * is the one page; its own failures come as check.isUp = 0.
   */
  probeDeviceId: string | null;
}

/** A client as routing needs it. */
export interface ClientInfo {
  contract: ContractType;
  timezone: string;
}

/** Builds the cached view over the stores. */
export function createEngineCache(stores: { rules: RuleStore; maintenance: MaintenanceStore; clients: ClientStore; devices: DeviceStore }) {
  const devices = new Map<string, DeviceInfo>();
  const clients = new Map<string, ClientInfo>();
  const indexes = new Map<string, DeviceRuleIndex>();
  let rules: Rule[] = [];
  let windowsByClient = new Map<string, WindowSpec[]>();
  let windowsByDevice = new Map<string, WindowSpec[]>();

  function client(id: string): ClientInfo {
    let c = clients.get(id);
    if (!c) {
      const row = stores.clients.findById(id);
      c = { contract: row?.contract ?? 'monthly', timezone: row?.timezone ?? 'UTC' };
      clients.set(id, c);
    }
    return c;
  }

  return {
    /** A device (read from the store the first time); undefined if it does not exist. */
    device(id: string): DeviceInfo | undefined {
      let d = devices.get(id);
      if (!d) {
        const row = stores.devices.findById(id);
        if (!row) return undefined;
        d = {
          id,
          clientId: row.clientId,
          intervalMs: row.intervalMs,
          isDisabled: row.isDisabled,
          lastReportAtMs: null,
          latest: null,
          probeDeviceId: row.probeDeviceId,
        };
        devices.set(id, d);
      }
      return d;
    },
    /** Every device the view tracks. */
    allDevices(): IterableIterator<DeviceInfo> {
      return devices.values();
    },
    /**
     * Loads every device. Devices that have reported before get `lastReportAtMs = nowMs`: a
     * fresh grace period, since nobody knows whether they reported while the server was down.
     */
    loadDevices(nowMs: number): void {
      for (const s of stores.devices.listSummaries(() => false)) {
        devices.set(s.id, {
          id: s.id,
          clientId: s.clientId,
          intervalMs: s.intervalMs,
          isDisabled: s.isDisabled,
          lastReportAtMs: s.lastSeenMs === null ? null : nowMs,
          latest: null,
          probeDeviceId: s.probeDeviceId ?? null,
        });
      }
    },
    /** Re-reads a device's client, interval and status; false if it no longer exists. */
    refreshDevice(id: string): boolean {
      indexes.delete(id);
      const row = stores.devices.findById(id);
      if (!row) {
        devices.delete(id);
        return false;
      }
      const d = devices.get(id);
      if (d) Object.assign(d, { clientId: row.clientId, intervalMs: row.intervalMs, isDisabled: row.isDisabled, probeDeviceId: row.probeDeviceId });
      return true;
    },
    client,
    /** Forgets a client's cached contract and time zone. */
    forgetClient(id: string): void {
      clients.delete(id);
    },
    /** The device's effective rules arranged by metric (computed once per rules version). */
    rulesFor(d: DeviceInfo): DeviceRuleIndex {
      let idx = indexes.get(d.id);
      if (!idx) {
        idx = indexEffectiveRules(resolveEffectiveRules(rules, d));
        indexes.set(d.id, idx);
      }
      return idx;
    },
    /**
     * The effective rules of a device without adding it to the view (a device the engine has not
     * seen yet must enter it only through its own reports and ticks).
     */
    effectiveRulesOf(id: string): DeviceRuleIndex['all'] {
      const d = devices.get(id);
      if (d) return this.rulesFor(d).all;
      const row = stores.devices.findById(id);
      return row ? resolveEffectiveRules(rules, { id, clientId: row.clientId }) : [];
    },
    /** Re-reads the rules. */
    loadRules(): void {
      rules = stores.rules.list();
      indexes.clear();
    },
    /** Re-reads the maintenance windows. */
    loadMaintenance(): void {
      windowsByClient = new Map();
      windowsByDevice = new Map();
      for (const w of stores.maintenance.list()) {
        const [map, owner] = w.clientId ? [windowsByClient, w.clientId] : [windowsByDevice, w.deviceId!];
        map.set(owner, [...(map.get(owner) ?? []), w.spec]);
      }
    },
    /** True when the device or its client has a window covering `atMs` (client's time zone). */
    isInMaintenance(d: DeviceInfo, atMs: number): boolean {
      const own = windowsByDevice.get(d.id);
      const ofClient = windowsByClient.get(d.clientId);
      if (!own && !ofClient) return false;
      return isInMaintenance([...(own ?? []), ...(ofClient ?? [])], atMs, client(d.clientId).timezone);
    },
  };
}
export type EngineCache = ReturnType<typeof createEngineCache>;
