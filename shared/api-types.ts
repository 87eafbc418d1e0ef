/**
 * Shapes of REST answers shared by the server (which builds them) and the dashboard (which
 * reads them). Times are ms since the Unix epoch; units are in the key names.
 */

/** Contract models a client can have. */
export type ContractType = 'monthly' | 'break-fix';

/** The error body every failing /api call answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** One device as listed in the fleet (GET /api/devices) and pushed live. */
export interface DeviceSummary {
  id: string;
  hostname: string;
  clientId: string;
  clientName: string;
  contract: ContractType;
  /** true while the agent's socket is connected and it reported within 3 intervals. */
  isOnline: boolean;
  lastSeenMs: number | null;
  intervalMs: number;
  isDisabled: boolean;
  /** Latest values at a glance; null until the first report. */
  cpuLoadPct: number | null;
  memUsedPct: number | null;
  /** The fullest filesystem's used percentage. */
  diskUsedPct: number | null;
  enrolledAtMs: number;
}

/** GET /api/devices/:id: the summary plus facts and the series it has reported. */
export interface DeviceDetail extends DeviceSummary {
  agentVersion: string | null;
  facts: Record<string, string | number>;
  /** The series this device has, e.g. { name: 'fs.usedPct', labels: { mount: '/' } }. */
  series: { name: string; labels: Record<string, string> }[];
  /** Latest value per series key (see formatSeriesKey). */
  latest: Record<string, number>;
}

/** One bucket of a downsampled series: the bucket's time and its min/avg/max. */
export interface MetricPoint {
  tsMs: number;
  avg: number;
  min: number;
  max: number;
}

/** GET /api/devices/:id/metrics?name=&from=&to=&points= */
export interface MetricSeriesResponse {
  deviceId: string;
  name: string;
  fromMs: number;
  toMs: number;
  /** Bucket width used, ms (0 when raw points were returned). */
  stepMs: number;
  /** Resolution the buckets were built from: 0 = raw values, 60000 = 1-minute rollups, 3600000 = 1-hour rollups. */
  resolutionMs: number;
  series: { labels: Record<string, string>; points: MetricPoint[] }[];
}

/** GET /api/me and POST /api/login answer. */
export interface SessionUser {
  id: string;
  username: string;
  role: 'admin' | 'technician' | 'viewer';
}
