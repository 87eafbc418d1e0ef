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

/** Facts in a fixed order (known ones first), plus uptime, agent version and enrolment time. */
export function factRows(device: DeviceDetail): [label: string, value: string][] {
  const keys = Object.keys(device.facts).sort((a, b) => {
    const ia = factOrder.indexOf(a);
    const ib = factOrder.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const rows: [string, string][] = keys.map((k) => [factLabels[k] ?? k, formatFact(k, device.facts[k]!)]);
  const uptimeSec = device.latest['system.uptimeSec'];
  if (uptimeSec !== undefined) rows.push(['Uptime', formatDuration(uptimeSec)]);
  rows.push(['Agent', device.agentVersion ?? 'unknown']);
  rows.push(['Report interval', formatDuration(device.intervalMs / 1000)]);
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
