/**
 * Reading a device's inventory (services, processes, printers, disks, updates, sessions) as the
 * agent-lifecycle module sends it in DeviceDetail.inventory: `{ [section]: { tsMs, data } }`.
 * That field is optional and newer than this dashboard's types, so everything here reads
 * `unknown` defensively: a missing or odd section yields nothing rather than an error.
 */

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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean => v === true;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function section(inv: Obj, name: string): { tsMs: number; data: unknown } | null {
  const s = inv[name];
  if (!isObj(s) || !('data' in s)) return null;
  return { tsMs: num(s.tsMs) ?? 0, data: s.data };
}

const toProcess = (p: Obj): ProcessRow => ({ pid: num(p.pid) ?? 0, name: str(p.name, '?'), cpuPct: num(p.cpuPct) ?? 0, memBytes: num(p.memBytes) ?? 0, user: str(p.user) });

/** The inventory of a device detail, or null when the server sent none. */
export function readInventory(detail: unknown): InventoryView | null {
  const inv = isObj(detail) ? detail.inventory : undefined;
  if (!isObj(inv) || Object.keys(inv).length === 0) return null;
  const services = section(inv, 'services');
  const processes = section(inv, 'processes');
  const printers = section(inv, 'printers');
  const disks = section(inv, 'disks');
  const updates = section(inv, 'updates');
  const users = section(inv, 'users');
  const view: InventoryView = {
    services: services && {
      tsMs: services.tsMs,
      rows: list(services.data).map((s) => ({ name: str(s.name, '?'), isRunning: bool(s.isRunning), state: str(s.state), startMode: str(s.startMode) })),
    },
    processes:
      processes && isObj(processes.data)
        ? { tsMs: processes.tsMs, byCpu: list(processes.data.byCpu).map(toProcess), byMem: list(processes.data.byMem).map(toProcess) }
        : null,
    printers: printers && {
      tsMs: printers.tsMs,
      rows: list(printers.data).map((p) => ({ name: str(p.name, '?'), status: str(p.status, 'unknown'), hasError: bool(p.hasError), isDefault: bool(p.isDefault), model: str(p.model) })),
    },
    disks: disks && {
      tsMs: disks.tsMs,
      rows: list(disks.data).map((d) => ({
        device: str(d.device, '?'),
        name: str(d.name) || str(d.vendor),
        type: [str(d.type), str(d.interfaceType)].filter(Boolean).join(' '),
        sizeBytes: num(d.sizeBytes),
        smartStatus: d.smartStatus === 'ok' || d.smartStatus === 'failing' ? d.smartStatus : 'unknown',
        temperatureCelsius: num(d.temperatureCelsius),
      })),
    },
    updates:
      updates && isObj(updates.data)
        ? {
            tsMs: updates.tsMs,
            info: {
              pendingCount: num(updates.data.pendingCount) ?? 0,
              securityCount: num(updates.data.securityCount),
              source: str(updates.data.source),
              packages: Array.isArray(updates.data.packages) ? updates.data.packages.filter((p): p is string => typeof p === 'string') : [],
            },
          }
        : null,
    users: users && {
      tsMs: users.tsMs,
      rows: list(users.data).map((u) => ({ user: str(u.user, '?'), terminal: str(u.terminal), host: str(u.host), loginAtMs: num(u.loginAtMs) })),
    },
  };
  return Object.values(view).some((v) => v !== null) ? view : null;
}
