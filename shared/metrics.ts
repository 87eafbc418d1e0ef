/**
 * The metric names agents may report, as one typed list. Every name carries its unit in the
 * name (`…Pct`, `…Bytes`, `…BytesPerSec`, `…Sec`, `…Celsius`) and says which label keys a
 * sample of it must carry (a filesystem sample needs `mount`, a network sample needs `iface`).
 *
 * The server rejects samples whose name is not in this list, so agents and the server can never
 * disagree silently about what a number means. Add names here (never rename one) to extend.
 */

/** How a metric's value is shown and checked. */
export type MetricUnit = 'percent' | 'bytes' | 'bytesPerSec' | 'bitsPerSec' | 'seconds' | 'celsius' | 'count' | 'boolean' | 'ratio' | 'milliseconds' | 'days';

/** Static description of one metric name. */
export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  /** Label keys every sample of this metric must carry, and no others. */
  readonly labelKeys: readonly string[];
  readonly description: string;
}

const defs = [
  { name: 'cpu.loadPct', unit: 'percent', labelKeys: [], description: 'CPU load over all cores, 0–100' },
  { name: 'cpu.coreLoadPct', unit: 'percent', labelKeys: ['core'], description: 'CPU load of one core, 0–100' },
  { name: 'load.avg1', unit: 'ratio', labelKeys: [], description: '1-minute load average' },
  { name: 'load.avg5', unit: 'ratio', labelKeys: [], description: '5-minute load average' },
  { name: 'load.avg15', unit: 'ratio', labelKeys: [], description: '15-minute load average' },
  { name: 'mem.totalBytes', unit: 'bytes', labelKeys: [], description: 'Physical memory installed' },
  { name: 'mem.usedBytes', unit: 'bytes', labelKeys: [], description: 'Memory in use (total − available)' },
  { name: 'mem.availableBytes', unit: 'bytes', labelKeys: [], description: 'Memory available to new programs' },
  { name: 'mem.usedPct', unit: 'percent', labelKeys: [], description: 'Memory in use, 0–100' },
  { name: 'swap.totalBytes', unit: 'bytes', labelKeys: [], description: 'Swap space configured' },
  { name: 'swap.usedBytes', unit: 'bytes', labelKeys: [], description: 'Swap space in use' },
  { name: 'fs.sizeBytes', unit: 'bytes', labelKeys: ['mount'], description: 'Filesystem size' },
  { name: 'fs.usedBytes', unit: 'bytes', labelKeys: ['mount'], description: 'Filesystem space used' },
  { name: 'fs.usedPct', unit: 'percent', labelKeys: ['mount'], description: 'Filesystem space used, 0–100' },
  { name: 'net.rxBytesPerSec', unit: 'bytesPerSec', labelKeys: ['iface'], description: 'Bytes received per second' },
  { name: 'net.txBytesPerSec', unit: 'bytesPerSec', labelKeys: ['iface'], description: 'Bytes sent per second' },
  { name: 'system.uptimeSec', unit: 'seconds', labelKeys: [], description: 'Seconds since boot' },
  { name: 'proc.count', unit: 'count', labelKeys: [], description: 'Number of processes' },
  { name: 'temp.cpuCelsius', unit: 'celsius', labelKeys: [], description: 'CPU package temperature' },
  { name: 'battery.chargePct', unit: 'percent', labelKeys: [], description: 'Battery charge, 0–100' },
  { name: 'battery.isCharging', unit: 'boolean', labelKeys: [], description: '1 while charging, else 0' },
  { name: 'service.isRunning', unit: 'boolean', labelKeys: ['service'], description: '1 while a watched service runs, else 0' },
  { name: 'printer.hasError', unit: 'boolean', labelKeys: ['printer'], description: '1 while a printer reports an error (jam, no paper, offline), else 0' },
  { name: 'smart.isFailing', unit: 'boolean', labelKeys: ['disk'], description: "1 when a disk's SMART self-assessment fails, else 0" },
  { name: 'updates.pendingCount', unit: 'count', labelKeys: [], description: 'OS updates waiting to be installed' },
  { name: 'users.loggedInCount', unit: 'count', labelKeys: [], description: 'Users logged in' },
  { name: 'agent.droppedReports', unit: 'count', labelKeys: [], description: 'Reports the agent dropped because its spool was full (since install)' },
  // Set by the server from maintenance job results (docs/MAINTENANCE.md), not reported by agents.
  {
    name: 'maintenance.failed',
    unit: 'boolean',
    labelKeys: ['task'],
    description: '1 after a maintenance task failed or was refused on the device, 0 once it succeeds again',
  },
  // Site probe: agentless checks of a probed device (printer, UPS, switch, website …), one series per check.
  { name: 'check.isUp', unit: 'boolean', labelKeys: ['check'], description: '1 while an agentless check succeeds, else 0 (probed devices)' },
  { name: 'check.latencyMs', unit: 'milliseconds', labelKeys: ['check'], description: 'Time an agentless check took to get its answer' },
  { name: 'ping.rttMs', unit: 'milliseconds', labelKeys: ['check'], description: 'Average ping round trip (ICMP, or TCP connect where ICMP is not allowed)' },
  { name: 'ping.lossPct', unit: 'percent', labelKeys: ['check'], description: 'Ping packets lost, 0–100' },
  { name: 'ping.isTcpFallback', unit: 'boolean', labelKeys: ['check'], description: '1 when the probe may not send ICMP and measured a TCP connect instead' },
  { name: 'http.statusCode', unit: 'count', labelKeys: ['check'], description: 'HTTP status of the final answer' },
  { name: 'http.redirectCount', unit: 'count', labelKeys: ['check'], description: 'Redirects followed to reach the final answer' },
  { name: 'http.hasKeyword', unit: 'boolean', labelKeys: ['check'], description: '1 when the answer contains the expected keyword, else 0' },
  { name: 'tls.certDaysLeft', unit: 'days', labelKeys: ['check'], description: "Days until the server certificate's expiry (negative: expired)" },
  { name: 'tls.isChainValid', unit: 'boolean', labelKeys: ['check'], description: '1 when the certificate chain verifies for the host name, else 0' },
  { name: 'printer.tonerPct', unit: 'percent', labelKeys: ['supply'], description: 'Toner or ink left per supply (black, cyan, …), 0–100 (SNMP Printer-MIB)' },
  { name: 'printer.paperLevelPct', unit: 'percent', labelKeys: ['tray'], description: 'Paper left per input tray, 0–100 (SNMP Printer-MIB)' },
  { name: 'printer.pageCount', unit: 'count', labelKeys: [], description: 'Pages printed over the life of the printer (SNMP Printer-MIB)' },
  { name: 'ups.isOnBattery', unit: 'boolean', labelKeys: [], description: '1 while the UPS runs on its battery (SNMP UPS-MIB)' },
  { name: 'ups.chargePct', unit: 'percent', labelKeys: [], description: 'UPS battery charge, 0–100 (SNMP UPS-MIB)' },
  { name: 'ups.runtimeSec', unit: 'seconds', labelKeys: [], description: 'UPS runtime left on battery (SNMP UPS-MIB)' },
  { name: 'ups.isBatteryLow', unit: 'boolean', labelKeys: [], description: '1 while the UPS reports its battery low or depleted (SNMP UPS-MIB)' },
  { name: 'dns.answerCount', unit: 'count', labelKeys: ['check'], description: 'Addresses the name resolved to' },
  // SNMP `network` template (IF-MIB, SNMPv2-MIB): switches, firewalls, routers; one series per interface.
  {
    name: 'if.isUp',
    unit: 'boolean',
    labelKeys: ['interface'],
    description: '1 while an administratively up interface is up (ifOperStatus), else 0; once 1 when a down port is shut down (SNMP IF-MIB)',
  },
  {
    name: 'if.inBps',
    unit: 'bitsPerSec',
    labelKeys: ['interface'],
    description: 'Bits per second received on an interface, from its octet counters (SNMP IF-MIB)',
  },
  {
    name: 'if.outBps',
    unit: 'bitsPerSec',
    labelKeys: ['interface'],
    description: 'Bits per second sent on an interface, from its octet counters (SNMP IF-MIB)',
  },
  { name: 'if.errorsPerMin', unit: 'ratio', labelKeys: ['interface'], description: 'Receive plus transmit errors per minute on an interface (SNMP IF-MIB)' },
  { name: 'snmp.uptimeSec', unit: 'seconds', labelKeys: [], description: "Seconds since the device's SNMP agent started (sysUpTime)" },
  { name: 'snmp.rebooted', unit: 'boolean', labelKeys: [], description: '1 on the poll where sysUpTime went back (the device restarted), else 0' },
  // SNMP `oids` template: any numeric OID, named by the technician.
  { name: 'snmp.value', unit: 'count', labelKeys: ['oid'], description: 'A numeric SNMP value read by the oids template; `oid` is the name given to the OID' },
] as const satisfies readonly MetricDefinition[];

/** Every metric name an agent may report. */
export type MetricName = (typeof defs)[number]['name'];

/** The metric list, in display order. */
export const METRICS: readonly MetricDefinition[] = defs;

/** The metric names, for zod enums and UI pickers. */
export const METRIC_NAMES = defs.map((d) => d.name) as [MetricName, ...MetricName[]];

const byName = new Map<string, MetricDefinition>(defs.map((d) => [d.name, d]));

/** Looks up a metric definition; undefined for names not in the list. */
export function findMetric(name: string): MetricDefinition | undefined {
  return byName.get(name);
}

/** True when `name` is a metric name agents may report. */
export function isMetricName(name: string): name is MetricName {
  return byName.has(name);
}

/**
 * Canonical series key for a metric and its labels: `fs.usedPct{mount=/}`. Label keys are
 * sorted so the same labels always give the same key.
 */
export function formatSeriesKey(name: string, labels?: Readonly<Record<string, string>>): string {
  if (!labels) return name;
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}=${labels[k]}`).join(',')}}`;
}

/** What the hot path needs of one series of a one-label metric, built once per label value. */
interface OneLabelSeries {
  /** formatSeriesKey of it: `fs.usedPct{mount=/}`. */
  key: string;
  /** Its labels as canonical JSON (sorted keys): `{"mount":"/"}`. */
  labelsJson: string;
}

/** Per one-label metric: its label key and, per label value seen, its series. */
const oneLabel = new Map<string, { labelKey: string; byValue: Map<string, OneLabelSeries> }>(
  defs.flatMap((d) => (d.labelKeys.length === 1 ? [[d.name, { labelKey: d.labelKeys[0], byValue: new Map<string, OneLabelSeries>() }] as const] : [])),
);
let oneLabelCount = 0;
/** Distinct series kept before the memo starts afresh (label values come from agents). */
const MAX_MEMO_SERIES = 200_000;

/**
 * The series of a sample the protocol accepted (its labels hold exactly its metric's label keys,
 * shared/report-check.ts) when its metric has one label key, looked up by name and label value
 * instead of built per sample (labels are null-prototype objects, slow to enumerate); undefined
 * for any other sample.
 */
function oneLabelSeriesOf(name: string, labels: Readonly<Record<string, string>>): OneLabelSeries | undefined {
  const memo = oneLabel.get(name);
  if (memo === undefined) return undefined;
  const value = labels[memo.labelKey];
  if (typeof value !== 'string') return undefined;
  let series = memo.byValue.get(value);
  if (series === undefined) {
    if (++oneLabelCount > MAX_MEMO_SERIES) {
      for (const m of oneLabel.values()) m.byValue.clear();
      oneLabelCount = 1;
    }
    series = { key: `${name}{${memo.labelKey}=${value}}`, labelsJson: JSON.stringify({ [memo.labelKey]: value }) };
    memo.byValue.set(value, series);
  }
  return series;
}

/** formatSeriesKey of a sample the protocol accepted, without building it for every sample. */
export function seriesKeyOf(name: string, labels?: Readonly<Record<string, string>>): string {
  if (!labels) return name;
  return oneLabelSeriesOf(name, labels)?.key ?? formatSeriesKey(name, labels);
}

/**
 * The canonical label JSON (sorted keys, as series.labels stores it) of a sample the protocol
 * accepted with one label; undefined for other samples (the caller formats those).
 */
export function oneLabelJsonOf(name: string, labels?: Readonly<Record<string, string>>): string | undefined {
  return labels ? oneLabelSeriesOf(name, labels)?.labelsJson : undefined;
}
