/** The facts block of a device page: what the agent told us about the machine. */
import type { DeviceDetail } from '../../../../shared/api-types.js';
import { formatBytes, formatDayMonthTime, formatDuration } from '../../lib/format.js';

const factLabels: Record<string, string> = {
  distro: 'OS',
  release: 'Release',
  platform: 'Platform',
  arch: 'Architecture',
  kernel: 'Kernel',
  cpuModel: 'CPU',
  cpuCores: 'Cores',
  memTotalBytes: 'Memory',
  manufacturer: 'Manufacturer',
  model: 'Model',
  serial: 'Serial',
};
const factOrder = Object.keys(factLabels);

function formatFact(key: string, value: string | number): string {
  if (key === 'memTotalBytes' && typeof value === 'number') return formatBytes(value);
  return String(value);
}

const PROBED_KIND_TEXT: Record<string, string> = {
  printer: 'Network printer',
  ups: 'UPS',
  switch: 'Switch',
  firewall: 'Firewall',
  nas: 'NAS',
  website: 'Website',
};

/** Facts in a fixed order (known ones first), plus uptime, agent version and enrolment time. */
export function factRows(device: DeviceDetail): [label: string, value: string][] {
  const keys = Object.keys(device.facts).sort((a, b) => {
    const ia = factOrder.indexOf(a);
    const ib = factOrder.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const rows: [string, string][] = keys.map((k) => [factLabels[k] ?? k, formatFact(k, device.facts[k]!)]);
  const uptimeSec = device.latest['system.uptimeSec'];
  if (uptimeSec !== undefined) rows.push(['Uptime', formatDuration(uptimeSec * 1000)]);
  if (device.kind !== undefined && device.kind !== 'agent') {
    // A probed device runs no agent: what it is, and how often its probe checks it.
    rows.push(['Kind', PROBED_KIND_TEXT[device.kind] ?? device.kind]);
    rows.push(['Checked every', formatDuration(device.intervalMs)]);
    rows.push(['Added', formatDayMonthTime(device.enrolledAtMs)]);
    return rows;
  }
  rows.push(['Agent', device.agentVersion ?? 'unknown']);
  rows.push(['Report interval', formatDuration(device.intervalMs)]);
  rows.push(['Enrolled', formatDayMonthTime(device.enrolledAtMs)]);
  return rows;
}

export function DeviceFacts({ device }: { device: DeviceDetail }) {
  return (
    <dl class="facts" data-testid="device-facts">
      {factRows(device).map(([label, value]) => (
        <div class="fact" key={label}>
          <dt>{label}</dt>
          <dd title={value}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
