/** The facts block of a device page: what the agent told us about the machine. */
import type { DeviceDetail } from '../../../../shared/api-types.js';
import { formatBytes, formatDayMonthTime, formatDuration } from '../../lib/format.js';
import { activeT, type DashKey } from '../../lib/i18n/index.js';

const factOrder = ['distro', 'release', 'platform', 'arch', 'kernel', 'cpuModel', 'cpuCores', 'memTotalBytes', 'manufacturer', 'model', 'serial'];

function formatFact(key: string, value: string | number): string {
  if (key === 'memTotalBytes' && typeof value === 'number') return formatBytes(value);
  return String(value);
}

const PROBED_KINDS: string[] = ['printer', 'ups', 'switch', 'firewall', 'nas', 'website'];

/** Facts in a fixed order (known ones first), plus uptime, agent version and enrolment time. */
export function factRows(device: DeviceDetail): [label: string, value: string][] {
  const keys = Object.keys(device.facts).sort((a, b) => {
    const ia = factOrder.indexOf(a);
    const ib = factOrder.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const t = activeT();
  const rows: [string, string][] = keys.map((k) => [factOrder.includes(k) ? t(`fact.${k}` as DashKey) : k, formatFact(k, device.facts[k]!)]);
  const uptimeSec = device.latest['system.uptimeSec'];
  if (uptimeSec !== undefined) rows.push([t('fact.uptime'), formatDuration(uptimeSec * 1000)]);
  if (device.kind !== undefined && device.kind !== 'agent') {
    // A probed device runs no agent: what it is, and how often its probe checks it.
    rows.push([t('fact.kind'), PROBED_KINDS.includes(device.kind) ? t(`fact.kind.${device.kind}` as DashKey) : device.kind]);
    rows.push([t('fact.checkedEvery'), formatDuration(device.intervalMs)]);
    rows.push([t('fact.added'), formatDayMonthTime(device.enrolledAtMs)]);
    return rows;
  }
  rows.push([t('fact.agent'), device.agentVersion ?? t('fact.unknown')]);
  rows.push([t('fact.interval'), formatDuration(device.intervalMs)]);
  rows.push([t('fact.enrolled'), formatDayMonthTime(device.enrolledAtMs)]);
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
