/**
 * What a metric is called where people read it: the dashboard's chart legends and snapshot
 * tables, and the server's alert titles and bodies. One table, so a page says "C: 93 % full"
 * and the chart beside it says "C: used". Metric ids (`fs.usedPct`) stay in details sections.
 */
import { formatBitRate, formatBytes, formatCelsius, formatDuration, formatNumber, formatPct, formatRate } from './format.js';
import { findMetric } from './metrics.js';

type Labels = Readonly<Record<string, string>>;

interface MetricText {
  /** Legend or table label: `CPU load`, `C: used`, `eth0 ↓ in`. */
  label(labels: Labels): string;
  /** A reading in a sentence: `CPU at 97 %`, `C: 93 % full`. Default: `<label> at <value>`. */
  reading?(labels: Labels, value: string): string;
}

const at = (subject: string) => (_l: Labels, v: string) => `${subject} at ${v}`;

const texts: Record<string, MetricText> = {
  'cpu.loadPct': { label: () => 'CPU load', reading: at('CPU') },
  'cpu.coreLoadPct': { label: (l) => `CPU core ${l.core ?? '?'} load` },
  'load.avg1': { label: () => 'Load average (1 min)' },
  'load.avg5': { label: () => 'Load average (5 min)' },
  'load.avg15': { label: () => 'Load average (15 min)' },
  'mem.totalBytes': { label: () => 'Memory installed' },
  'mem.usedBytes': { label: () => 'Memory used', reading: at('Memory use') },
  'mem.availableBytes': { label: () => 'Memory available' },
  'mem.usedPct': { label: () => 'Memory used', reading: at('Memory') },
  'swap.totalBytes': { label: () => 'Swap size' },
  'swap.usedBytes': { label: () => 'Swap used' },
  'fs.sizeBytes': { label: (l) => `${l.mount ?? '?'} size` },
  'fs.usedBytes': { label: (l) => `${l.mount ?? '?'} used`, reading: (l, v) => `${l.mount ?? '?'} ${v} used` },
  'fs.usedPct': { label: (l) => `${l.mount ?? '?'} used`, reading: (l, v) => `${l.mount ?? '?'} ${v} full` },
  'net.rxBytesPerSec': { label: (l) => `${l.iface ?? '?'} ↓ in`, reading: (l, v) => `${l.iface ?? '?'} receiving ${v}` },
  'net.txBytesPerSec': { label: (l) => `${l.iface ?? '?'} ↑ out`, reading: (l, v) => `${l.iface ?? '?'} sending ${v}` },
  'system.uptimeSec': { label: () => 'Uptime', reading: (_l, v) => `Up for ${v}` },
  'proc.count': { label: () => 'Processes', reading: (_l, v) => `${v} processes` },
  'temp.cpuCelsius': { label: () => 'CPU temperature' },
  'battery.chargePct': { label: () => 'Battery charge', reading: at('Battery') },
  'battery.isCharging': { label: () => 'Battery charging' },
  'service.isRunning': { label: (l) => `Service ${l.service ?? '?'} running` },
  'printer.hasError': { label: (l) => `Printer ${l.printer ?? '?'} error` },
  'smart.isFailing': { label: (l) => `Disk ${l.disk ?? '?'} SMART failing` },
  'updates.pendingCount': { label: () => 'Updates pending', reading: (_l, v) => `${v} updates pending` },
  'users.loggedInCount': { label: () => 'Users logged in', reading: (_l, v) => `${v} users logged in` },
  'agent.droppedReports': { label: () => 'Reports dropped by the agent', reading: (_l, v) => `${v} reports dropped by the agent` },
  // Site probe (agentless checks and SNMP).
  'check.isUp': { label: (l) => `Check ${l.check ?? '?'} up` },
  'maintenance.failed': {
    label: (l) => `Maintenance task ${l.task ?? '?'} failing`,
    reading: (l, v) => (v === 'yes' ? `Maintenance task ${l.task ?? '?'} failed` : `Maintenance task ${l.task ?? '?'} succeeds again`),
  },
  'check.latencyMs': { label: (l) => `Check ${l.check ?? '?'} response time` },
  'ping.rttMs': { label: (l) => `Ping ${l.check ?? '?'} round trip` },
  'ping.lossPct': { label: (l) => `Ping ${l.check ?? '?'} loss`, reading: (l, v) => `Ping ${l.check ?? '?'} loses ${v}` },
  'ping.isTcpFallback': { label: (l) => `Ping ${l.check ?? '?'} by TCP connect` },
  'http.statusCode': { label: (l) => `HTTP ${l.check ?? '?'} status` },
  'http.redirectCount': { label: (l) => `HTTP ${l.check ?? '?'} redirects` },
  'http.hasKeyword': { label: (l) => `HTTP ${l.check ?? '?'} keyword found` },
  'tls.certDaysLeft': { label: (l) => `Certificate ${l.check ?? '?'} days left`, reading: (l, v) => `Certificate ${l.check ?? '?'} expires in ${v} days` },
  'tls.isChainValid': { label: (l) => `Certificate ${l.check ?? '?'} trusted` },
  'printer.tonerPct': { label: (l) => `Toner ${l.supply ?? '?'}`, reading: (l, v) => `Toner ${l.supply ?? '?'} at ${v}` },
  'printer.paperLevelPct': { label: (l) => `Paper tray ${l.tray ?? '?'}`, reading: (l, v) => `Paper tray ${l.tray ?? '?'} at ${v}` },
  'printer.pageCount': { label: () => 'Pages printed' },
  'ups.isOnBattery': { label: () => 'UPS on battery' },
  'ups.chargePct': { label: () => 'UPS battery charge', reading: at('UPS battery') },
  'ups.runtimeSec': { label: () => 'UPS runtime left' },
  'ups.isBatteryLow': { label: () => 'UPS battery low' },
  'dns.answerCount': { label: (l) => `DNS ${l.check ?? '?'} answers` },
  'if.isUp': {
    label: (l) => `Interface ${l.interface ?? '?'} up`,
    reading: (l, v) => `Interface ${l.interface ?? '?'} ${v === 'yes' ? 'up' : 'down'}`,
  },
  'if.inBps': { label: (l) => `${l.interface ?? '?'} ↓ in`, reading: (l, v) => `${l.interface ?? '?'} receiving ${v}` },
  'if.outBps': { label: (l) => `${l.interface ?? '?'} ↑ out`, reading: (l, v) => `${l.interface ?? '?'} sending ${v}` },
  'if.errorsPerMin': { label: (l) => `${l.interface ?? '?'} errors per minute`, reading: (l, v) => `${l.interface ?? '?'} ${v} errors per minute` },
  'snmp.uptimeSec': { label: () => 'Device uptime', reading: (_l, v) => `Up for ${v}` },
  'snmp.rebooted': {
    label: () => 'Device restarted',
    reading: (_l, v) => (v === 'yes' ? 'The device restarted (its uptime went back)' : 'No restart since the last poll'),
  },
  'snmp.value': { label: (l) => `SNMP ${l.oid ?? '?'}` },
};

/** The label people read for metric `name` with these labels; the id itself for unknown names. */
export function labelMetric(name: string, labels: Labels = {}): string {
  return texts[name]?.label(labels) ?? name;
}

/** A value of metric `name` in its unit: `97 %`, `1.2 GB`, `3 h 5 min`, `71 °C`, `yes`. */
export function formatMetricValue(name: string, value: number): string {
  switch (findMetric(name)?.unit) {
    case 'percent':
      return formatPct(value);
    case 'bytes':
      return formatBytes(value);
    case 'bytesPerSec':
      return formatRate(value);
    case 'bitsPerSec':
      return formatBitRate(value);
    case 'seconds':
      return formatDuration(value * 1000);
    case 'celsius':
      return formatCelsius(value);
    case 'boolean':
      return value >= 0.5 ? 'yes' : 'no';
    case 'count':
      return String(Math.round(value));
    default:
      return formatNumber(value);
  }
}

/** A reading in words: `CPU at 97 %`, `C: 93 % full`, `CPU temperature at 85 °C`. */
export function describeReading(name: string, labels: Labels, value: number): string {
  const text = formatMetricValue(name, value);
  const t = texts[name];
  if (t?.reading) return t.reading(labels, text);
  if (findMetric(name)?.unit === 'boolean') return `${labelMetric(name, labels)}: ${text}`;
  return `${labelMetric(name, labels)} at ${text}`;
}

/** Splits a series key `fs.usedPct{mount=/}` into its name and labels. */
export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  const i = key.indexOf('{');
  if (i < 0) return { name: key, labels: {} };
  const labels: Record<string, string> = {};
  for (const pair of key.slice(i + 1, -1).split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { name: key.slice(0, i), labels };
}

/** One snapshot value as a labelled row, in the table order of the metric list. */
export interface LabelledValue {
  /** The series key, e.g. `fs.usedPct{mount=C:}` (for a details column). */
  key: string;
  label: string;
  value: string;
}

/**
 * A device's metrics at a moment (series key → value) as labelled values people read, in the
 * metric list's order, then by label. The dashboard's snapshot table and incident messages use it.
 */
export function labelSnapshot(snapshot: Readonly<Record<string, number>>): LabelledValue[] {
  const order = new Map<string, number>();
  let i = 0;
  for (const name of Object.keys(texts)) order.set(name, i++);
  return Object.keys(snapshot)
    .map((key) => ({ key, ...parseSeriesKey(key) }))
    .sort((a, b) => (order.get(a.name) ?? 999) - (order.get(b.name) ?? 999) || a.key.localeCompare(b.key))
    .map(({ key, name, labels }) => ({ key, label: labelMetric(name, labels), value: formatMetricValue(name, snapshot[key]!) }));
}
