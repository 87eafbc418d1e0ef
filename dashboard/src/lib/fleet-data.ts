/**
 * Fleet data: the device list from GET /api/devices kept current by live `devices` messages
 * (which the server coalesces to at most one a second, so a big fleet costs one re-render a
 * second, not one per report).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContractType, DeviceSummary } from '../../../shared/api-types.js';
import { useApp } from './app-context.js';
import { loadUnlessCancelled } from './hooks.js';

/** `offline` leaves out probed devices whose probe is away: they are `unknown`, not down. */
export type FleetStatusFilter = 'all' | 'online' | 'offline' | 'unknown';

/** What the fleet page shows. */
export interface FleetFilters {
  query: string;
  status: FleetStatusFilter;
  contract: ContractType | 'all';
  /** Only devices with an open alert or incident. */
  isProblemsOnly: boolean;
}

export const NO_FILTERS: FleetFilters = { query: '', status: 'all', contract: 'all', isProblemsOnly: false };

/** One rendered line of the fleet list: a client heading or a device. */
export type FleetRow =
  | { kind: 'group'; clientId: string; clientName: string; contract: ContractType; total: number; online: number; firingAlerts: number; openIncidents: number }
  | { kind: 'device'; device: DeviceSummary };

export interface FleetCounts {
  total: number;
  online: number;
  offline: number;
  /** Probed devices whose site probe is offline: neither online nor offline. */
  unknown: number;
  shown: number;
  /** Devices with an open alert or incident. */
  withProblems: number;
  firingAlerts: number;
  openIncidents: number;
}

/** Probed devices whose probe is away (a disabled device is neither). */
export function isUnknown(d: DeviceSummary): boolean {
  return !d.isOnline && !d.isDisabled && d.isStatusUnknown === true;
}

/** True when the device has an open alert or incident. */
export function hasProblems(d: DeviceSummary): boolean {
  return d.openAlerts > 0 || d.openIncidents > 0;
}

export interface FleetState {
  devices: DeviceSummary[];
  status: 'loading' | 'ready' | 'error';
  error: string;
  reload: () => void;
}

/** Loads the fleet and keeps it live. */
export function useFleet(): FleetState {
  const { api, live } = useApp();
  const byId = useRef(new Map<string, DeviceSummary>());
  const [devices, setDevices] = useState<DeviceSummary[]>([]);
  const [status, setStatus] = useState<FleetState['status']>('loading');
  const [error, setError] = useState('');
  const [loadCount, setLoadCount] = useState(0);

  useEffect(() => {
    setStatus('loading');
    return loadUnlessCancelled(
      () => api.listDevices(),
      (list) => {
        byId.current = new Map(list.map((d) => [d.id, d]));
        setDevices(list);
        setStatus('ready');
      },
      (message) => {
        setError(message);
        setStatus('error');
      },
    );
  }, [api, loadCount]);

  useEffect(() => {
    live.subscribe([]);
    return live.on('devices', (msg) => {
      for (const d of msg.devices) byId.current.set(d.id, d);
      setDevices([...byId.current.values()]);
    });
  }, [live]);

  return { devices, status, error, reload: () => setLoadCount((n) => n + 1) };
}

function matchesQuery(d: DeviceSummary, q: string): boolean {
  return d.hostname.toLowerCase().includes(q) || d.clientName.toLowerCase().includes(q) || d.id.toLowerCase() === q;
}

/** Filters, groups by client (clients A–Z, hostnames A–Z) and flattens into list rows. */
export function buildFleetRows(devices: readonly DeviceSummary[], filters: FleetFilters): { rows: FleetRow[]; counts: FleetCounts } {
  const q = filters.query.trim().toLowerCase();
  let online = 0;
  let unknown = 0;
  let withProblems = 0;
  let firingAlerts = 0;
  let openIncidents = 0;
  const groups = new Map<string, DeviceSummary[]>();
  for (const d of devices) {
    const isUnknownNow = isUnknown(d);
    if (d.isOnline) online += 1;
    if (isUnknownNow) unknown += 1;
    if (hasProblems(d)) withProblems += 1;
    firingAlerts += d.firingAlerts;
    openIncidents += d.openIncidents;
    if (filters.status === 'online' && !d.isOnline) continue;
    if (filters.status === 'offline' && (d.isOnline || isUnknownNow)) continue;
    if (filters.status === 'unknown' && !isUnknownNow) continue;
    if (filters.contract !== 'all' && d.contract !== filters.contract) continue;
    if (filters.isProblemsOnly && !hasProblems(d)) continue;
    if (q && !matchesQuery(d, q)) continue;
    const list = groups.get(d.clientId);
    if (list) list.push(d);
    else groups.set(d.clientId, [d]);
  }
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const ordered = [...groups.values()].sort((a, b) => collator.compare(a[0]!.clientName, b[0]!.clientName));
  const rows: FleetRow[] = [];
  let shown = 0;
  for (const list of ordered) {
    list.sort((a, b) => collator.compare(a.hostname, b.hostname));
    const first = list[0]!;
    let groupOnline = 0;
    let groupFiring = 0;
    let groupIncidents = 0;
    for (const d of list) {
      if (d.isOnline) groupOnline += 1;
      groupFiring += d.firingAlerts;
      groupIncidents += d.openIncidents;
    }
    rows.push({
      kind: 'group',
      clientId: first.clientId,
      clientName: first.clientName,
      contract: first.contract,
      total: list.length,
      online: groupOnline,
      firingAlerts: groupFiring,
      openIncidents: groupIncidents,
    });
    for (const device of list) rows.push({ kind: 'device', device });
    shown += list.length;
  }
  return {
    rows,
    counts: { total: devices.length, online, offline: devices.length - online - unknown, unknown, shown, withProblems, firingAlerts, openIncidents },
  };
}
