/**
 * A device's inventory (services, processes, printers, disks, updates, sessions) as the device
 * page shows it, read from DeviceDetail.inventory: `{ [section]: { tsMs, data } }` with the
 * section shapes of shared/protocol.ts (validated by the server when the agent sent them).
 * Optional fields get display defaults here, so the components need no checks.
 */
import type { DeviceDetail } from '../../../../shared/api-types.js';
export interface ServiceRow {
  name: string;
  isRunning: boolean;
  state: string;
  startMode: string;
}
export interface ProcessRow {
  pid: number;
  name: string;
  cpuPct: number;
  memBytes: number;
  user: string;
}
export interface PrinterRow {
  name: string;
  status: string;
  hasError: boolean;
  isDefault: boolean;
  model: string;
}
export interface DiskRow {
  device: string;
  name: string;
  type: string;
  sizeBytes: number | null;
  smartStatus: 'ok' | 'failing' | 'unknown';
  temperatureCelsius: number | null;
}
export interface UpdatesInfo {
  pendingCount: number;
  securityCount: number | null;
  source: string;
  packages: string[];
}
export interface SessionRow {
  user: string;
  terminal: string;
  host: string;
  loginAtMs: number | null;
}

/** What the device page can show, each with the agent time it was collected (null when absent). */
export interface InventoryView {
  services: { tsMs: number; rows: ServiceRow[] } | null;
  processes: { tsMs: number; byCpu: ProcessRow[]; byMem: ProcessRow[] } | null;
  printers: { tsMs: number; rows: PrinterRow[] } | null;
  disks: { tsMs: number; rows: DiskRow[] } | null;
  updates: { tsMs: number; info: UpdatesInfo } | null;
  users: { tsMs: number; rows: SessionRow[] } | null;
}

/** The inventory of a device detail, or null when the agent sent none the page shows. */
export function readInventory(detail: Pick<DeviceDetail, 'inventory'> | null): InventoryView | null {
  const inv = detail?.inventory;
  if (!inv) return null;
  const { services, processes, printers, disks, updates, users } = inv;
  const view: InventoryView = {
    services: services
      ? { tsMs: services.tsMs, rows: services.data.map((s) => ({ name: s.name, isRunning: s.isRunning, state: s.state ?? '', startMode: s.startMode ?? '' })) }
      : null,
    processes: processes
      ? {
          tsMs: processes.tsMs,
          byCpu: processes.data.byCpu.map((p) => ({ ...p, user: p.user ?? '' })),
          byMem: processes.data.byMem.map((p) => ({ ...p, user: p.user ?? '' })),
        }
      : null,
    printers: printers
      ? {
          tsMs: printers.tsMs,
          rows: printers.data.map((p) => ({ name: p.name, status: p.status, hasError: p.hasError, isDefault: p.isDefault ?? false, model: p.model ?? '' })),
        }
      : null,
    disks: disks
      ? {
          tsMs: disks.tsMs,
          rows: disks.data.map((d) => ({
            device: d.device,
            name: d.name || d.vendor || '',
            type: [d.type, d.interfaceType].filter(Boolean).join(' '),
            sizeBytes: d.sizeBytes ?? null,
            smartStatus: d.smartStatus,
            temperatureCelsius: d.temperatureCelsius ?? null,
          })),
        }
      : null,
    updates: updates
      ? {
          tsMs: updates.tsMs,
          info: {
            pendingCount: updates.data.pendingCount,
            securityCount: updates.data.securityCount ?? null,
            source: updates.data.source,
            packages: updates.data.packages ?? [],
          },
        }
      : null,
    users: users
      ? { tsMs: users.tsMs, rows: users.data.map((u) => ({ user: u.user, terminal: u.terminal ?? '', host: u.host ?? '', loginAtMs: u.loginAtMs ?? null })) }
      : null,
  };
  return Object.values(view).some((v) => v !== null) ? view : null;
}
