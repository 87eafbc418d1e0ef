/**
 * A problem in the client's own language for the monthly report. The server words an alert or
 * incident in English when it opens ("CPU load at 97 % for 5 min"); a Dutch report words it again
 * from what the problem is — its rule kind, metric, labels and the value that opened it — so the
 * client reads "CPU-belasting 97 %" instead. What this table does not know keeps the server's
 * English words; an English report always keeps them (they are the words the technician saw).
 */
import type { Translator } from '../../shared/i18n/index.js';
import type { MessageKey } from '../../shared/i18n/messages-en.js';

/** What the report knows about one problem. */
export interface ProblemFacts {
  ruleKind: string | null;
  metric: string | null;
  labels: Readonly<Record<string, string>>;
  value: number | null;
  /** The server's English words, kept where nothing better is known. */
  summary: string;
}

type Format = 'percent' | 'number' | 'none';

/** Threshold metrics of the default rules: the key of their words and how the value is shown. */
const METRICS: Record<string, { key: MessageKey; format: Format }> = {
  'cpu.loadPct': { key: 'report.problem.cpu', format: 'percent' },
  'mem.usedPct': { key: 'report.problem.memory', format: 'percent' },
  'fs.usedPct': { key: 'report.problem.disk', format: 'percent' },
  'fs.usedBytes': { key: 'report.problem.diskFilling', format: 'none' },
  'temp.cpuCelsius': { key: 'report.problem.temperature', format: 'number' },
  'printer.tonerPct': { key: 'report.problem.toner', format: 'percent' },
  'ups.isOnBattery': { key: 'report.problem.onBattery', format: 'none' },
  'ups.chargePct': { key: 'report.problem.upsCharge', format: 'percent' },
  'check.isUp': { key: 'report.problem.checkFailing', format: 'none' },
  'tls.certDaysLeft': { key: 'report.problem.certExpiring', format: 'number' },
  'tls.isChainValid': { key: 'report.problem.certUntrusted', format: 'none' },
  'maintenance.failed': { key: 'report.problem.maintenanceFailed', format: 'none' },
  'if.isUp': { key: 'report.problem.interfaceDown', format: 'none' },
  'snmp.rebooted': { key: 'report.problem.rebooted', format: 'none' },
};

/** The problem's words for the report in `t`'s language. */
export function problemText(t: Translator, p: ProblemFacts): string {
  if (t.locale === 'en') return p.summary;
  const l = p.labels;
  switch (p.ruleKind) {
    case 'offline':
      return t('report.problem.offline');
    case 'service-down':
      return t('report.problem.serviceDown', { service: l.service ?? '' });
    case 'printer-error':
      return t('report.problem.printerError', { printer: l.printer ?? '' });
    case 'smart-failing':
      return t('report.problem.smartFailing', { disk: l.disk ?? '' });
    case 'forecast':
      return t('report.problem.diskFilling', { mount: l.mount ?? '' });
    case 'threshold': {
      const m = p.metric ? METRICS[p.metric] : undefined;
      if (!m) return p.summary;
      const value = p.value === null ? '' : m.format === 'percent' ? t.percent(p.value, 0) : m.format === 'number' ? t.number(p.value, 0) : '';
      // Every label a message may name, so a rule without that label still reads.
      const blanks = { mount: '', supply: '', check: '', task: '', interface: '' };
      return t(m.key, { ...blanks, ...l, value, hasValue: value === '' ? 'no' : 'yes' });
    }
    default:
      return p.summary;
  }
}

/**
 * How long a disk-full forecast gave the disk when it opened, from the words the server wrote
 * then (shared/format.ts formatApproxDuration: "…, full in about 3 days", "full in less than a
 * minute"); null when it does not say (an unknown time, an older wording).
 */
export function forecastTimeToFullMs(summary: string): number | null {
  if (/full in less than a minute/.test(summary)) return 0;
  const m = /full in about (\d+) (minute|hour|day)s?\b/.exec(summary);
  if (!m) return null;
  return Number(m[1]) * { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[m[2] as 'minute' | 'hour' | 'day'];
}
