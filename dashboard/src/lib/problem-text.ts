/**
 * Alert and incident words in the dashboard's language. The server writes an alert's title (its
 * rule's name) and summary in English when it opens ("Device offline", "Offline: no report for
 * 16 s …"); in Dutch the dashboard words them again from what the problem is: the rule kind, the
 * metric, labels and value, and the figures of the English summary where the API gives no field
 * for them (how long a device was silent, how soon a disk is full). A rule the technician named
 * keeps its name; what this table does not know keeps the server's English words.
 */
import type { Alert, Incident } from '../../../shared/alert-types.js';
import { formatMetricValue } from '../../../shared/metric-labels.js';
import { metricLabel } from './chart-defs.js';
import { localDecimals } from './format.js';
import { activeT, type DashKey } from './i18n/index.js';

/** The default rules' English names (server/alerting/policy/defaults.ts) → their Dutch name and metric. */
export const DEFAULT_RULE_NAMES: Readonly<Record<string, { key: DashKey; metric: string | null }>> = {
  'CPU load high': { key: 'problem.rule.cpuHigh', metric: 'cpu.loadPct' },
  'Memory use high': { key: 'problem.rule.memoryHigh', metric: 'mem.usedPct' },
  'Filesystem almost full': { key: 'problem.rule.diskFull', metric: 'fs.usedPct' },
  'Filesystem predicted full within 7 days': { key: 'problem.rule.diskForecast', metric: 'fs.usedBytes' },
  'Device offline': { key: 'problem.rule.offline', metric: null },
  'CPU temperature high': { key: 'problem.rule.temperature', metric: 'temp.cpuCelsius' },
  'Service not running': { key: 'problem.rule.serviceDown', metric: 'service.isRunning' },
  'Printer error': { key: 'problem.rule.printerError', metric: 'printer.hasError' },
  'Disk SMART failing': { key: 'problem.rule.smartFailing', metric: 'smart.isFailing' },
  'Maintenance failed': { key: 'problem.rule.maintenanceFailed', metric: 'maintenance.failed' },
  'Probed device check failing': { key: 'problem.rule.checkFailing', metric: 'check.isUp' },
  'Certificate expires within 21 days': { key: 'problem.rule.cert21', metric: 'tls.certDaysLeft' },
  'Certificate expires within 7 days': { key: 'problem.rule.cert7', metric: 'tls.certDaysLeft' },
  'Certificate chain does not verify': { key: 'problem.rule.certChain', metric: 'tls.isChainValid' },
  'Toner or ink low': { key: 'problem.rule.toner', metric: 'printer.tonerPct' },
  'UPS on battery': { key: 'problem.rule.onBattery', metric: 'ups.isOnBattery' },
  'Interface down': { key: 'problem.rule.interfaceDown', metric: 'if.isUp' },
  'Device rebooted': { key: 'problem.rule.rebooted', metric: 'snmp.rebooted' },
};

/** Metrics that are a yes/no state: their words say what is wrong, without the 0 or 1. */
const STATE_METRICS: Readonly<Record<string, DashKey>> = {
  'check.isUp': 'problem.state.checkFailing',
  'tls.isChainValid': 'problem.state.certChain',
  'ups.isOnBattery': 'problem.state.onBattery',
  'if.isUp': 'problem.state.interfaceDown',
  'maintenance.failed': 'problem.state.maintenanceFailed',
  'snmp.rebooted': 'problem.state.rebooted',
};

/** Readings of the default rules' metrics, worded as the client report words them. */
const READING_METRICS: Readonly<Record<string, DashKey>> = {
  'cpu.loadPct': 'problem.reading.cpu',
  'mem.usedPct': 'problem.reading.memory',
  'fs.usedPct': 'problem.reading.disk',
  'temp.cpuCelsius': 'problem.reading.temperature',
  'printer.tonerPct': 'problem.reading.toner',
  'ups.chargePct': 'problem.reading.upsCharge',
  'tls.certDaysLeft': 'problem.reading.certDays',
};

const isDutch = () => activeT().locale !== 'en';

/** An English duration of the server ("1 h 5 min", "16 s") in the dashboard's words. */
function duration(text: string): string {
  return isDutch() ? text.replace(/(\d) h\b/g, '$1 u') : text;
}

/** "about 3 days", "less than a minute", "an unknown time" (shared/format.ts) in Dutch. */
function approx(text: string): string | null {
  const t = activeT();
  if (text === 'an unknown time') return t('problem.approx', { count: 0, unit: 'unknown' });
  if (text === 'less than a minute') return t('problem.approx', { count: 0, unit: 'lessThanMinute' });
  const m = /^about (\d+) (minute|hour|day)s?$/.exec(text);
  return m ? t('problem.approx', { count: Number(m[1]), unit: m[2]! }) : null;
}

/** The rule's name as shown: a default rule's name in the dashboard's language, a named rule as named. */
export function ruleTitle(ruleName: string): string {
  const known = DEFAULT_RULE_NAMES[ruleName];
  return known && isDutch() ? activeT()(known.key) : ruleName;
}

/** What the dashboard knows of a problem to word its summary. */
export interface ProblemFacts {
  ruleName: string | null;
  ruleKind: string | null;
  metric: string | null;
  labels: Readonly<Record<string, string>>;
  value: number | null;
  /** The server's English summary: kept where nothing better is known. */
  summary: string;
}

/** An alert's or incident's summary in the dashboard's language. */
export function problemSummary(p: ProblemFacts): string {
  if (!isDutch()) return p.summary;
  const t = activeT();
  const l = p.labels;
  const first = Object.values(l)[0] ?? '?';
  const metric = p.metric ?? (p.ruleName ? DEFAULT_RULE_NAMES[p.ruleName]?.metric : null) ?? null;
  switch (p.ruleKind) {
    case 'offline': {
      const m = /^Offline: no report for (.+?)(?: \(one expected every (.+)\))?$/.exec(p.summary);
      if (!m) return p.summary === 'Reporting again' ? t('problem.reportingAgain') : t('problem.offlinePlain');
      return t('problem.offline', { silent: duration(m[1]!), every: m[2] ? duration(m[2]) : 'none' });
    }
    case 'service-down':
      return t('problem.serviceDown', { service: l.service ?? first });
    case 'printer-error':
      return t('problem.printerError', { printer: l.printer ?? first });
    case 'smart-failing':
      return t('problem.smartFailing', { disk: l.disk ?? first });
    case 'forecast': {
      const m = /, full in (.+)$/.exec(p.summary);
      const when = m ? approx(m[1]!) : null;
      if (!metric || !when) return p.summary;
      if (metric.startsWith('fs.')) return t('problem.forecastDisk', { mount: l.mount ?? first, when });
      return t('problem.forecast', { what: metricLabel(metric, l), when });
    }
    case 'threshold': {
      if (!metric) return p.summary;
      const state = STATE_METRICS[metric];
      if (state) return t(state, { check: '', interface: '', task: '', ...l, name: l.interface ?? l.check ?? l.task ?? first });
      // A metric without Dutch words (a custom one) keeps the server's English words.
      const label = `metric.${metric}` as DashKey;
      if (p.value === null || (!READING_METRICS[metric] && t(label, { ...l }) === `[${label}]`)) return p.summary;
      const sustained = / for ([^,]+)$/.exec(p.summary);
      const value = localDecimals(formatMetricValue(metric, p.value));
      const known = READING_METRICS[metric];
      const reading = known
        ? t(known, { mount: '?', supply: '?', ...l, value, days: Math.round(p.value) })
        : t('problem.reading.any', { what: metricLabel(metric, l), value });
      return t('problem.reading', { reading, for: sustained ? duration(sustained[1]!) : 'none' });
    }
    default:
      return p.summary;
  }
}

/** An alert's headline and summary. */
export function alertWords(a: Pick<Alert, 'ruleName' | 'ruleKind' | 'metric' | 'labels' | 'value' | 'summary'>): { title: string; summary: string } {
  return { title: ruleTitle(a.ruleName), summary: problemSummary(a) };
}

/** An incident's title: a rule's incident is "<rule>: <summary>", both worded again; a called-in one stays as typed. */
export function incidentTitle(i: Pick<Incident, 'source' | 'ruleName' | 'ruleKind' | 'labels' | 'value' | 'title'>): string {
  if (i.source !== 'rule' || !i.ruleName || !i.title.startsWith(`${i.ruleName}: `) || !isDutch()) return i.title;
  const summary = i.title.slice(i.ruleName.length + 2);
  return `${ruleTitle(i.ruleName)}: ${problemSummary({ ruleName: i.ruleName, ruleKind: i.ruleKind, metric: null, labels: i.labels, value: i.value, summary })}`;
}

/**
 * A rule incident's title where only the text is known (the billing report): the default rule's
 * name before the colon in the dashboard's language, the rest as the server wrote it.
 */
export function incidentTitleText(title: string): string {
  if (!isDutch()) return title;
  const at = title.indexOf(': ');
  const name = at > 0 ? title.slice(0, at) : '';
  return DEFAULT_RULE_NAMES[name] ? `${ruleTitle(name)}${title.slice(at)}` : title;
}
