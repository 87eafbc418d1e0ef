/** Plain-language descriptions of rules for the rules page. */
import type { Rule, RuleScope } from '../../../../shared/alert-types.js';
import { findMetric } from '../../../../shared/metrics.js';
import { formatRuleDuration } from '../../lib/format.js';
import { activeT } from '../../lib/i18n/index.js';
import { metricLabel } from '../../lib/chart-defs.js';
import { formatNumber } from '../../lib/format.js';

/** `%`, ` °C`, ` B` … after a threshold of this metric. */
export function unitSuffix(metric: string): string {
  switch (findMetric(metric)?.unit) {
    case 'percent':
      return '%';
    case 'celsius':
      return ' °C';
    case 'bytes':
      return ' B';
    case 'bytesPerSec':
      return ' B/s';
    case 'bitsPerSec':
      return ' bit/s';
    case 'seconds':
      return ' s';
    default:
      return '';
  }
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : ` (${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

/** Labels the metric's own name shows ("C: used"), so not repeated after it. */
const NAMED_LABELS = ['mount', 'iface', 'core'];

/** What makes the rule fire and clear, e.g. `cpu.loadPct above 90% for 5 min; clears at 80%`. */
export function describeCondition(r: Rule): string {
  const t = activeT();
  const num = (n: number) => formatNumber(n, 2);
  const when = (forMs: number) => (forMs > 0 ? t('rule.for', { duration: formatRuleDuration(forMs) }) : t('rule.atOnce'));
  const own: Record<string, string> = 'labels' in r ? r.labels : {};
  const labels = labelText(Object.fromEntries(Object.entries(own).filter(([k]) => !NAMED_LABELS.includes(k))));
  const subject = (metric: string) => metricLabel(metric, { mount: t('rule.anyMount'), iface: t('rule.anyIface'), core: t('rule.anyCore'), ...own });
  switch (r.kind) {
    case 'threshold': {
      const u = unitSuffix(r.metric);
      return t('rule.threshold', {
        metric: subject(r.metric),
        labels,
        op: r.op,
        value: `${num(r.threshold)}${u}`,
        when: when(r.forMs),
        clear: r.clearThreshold === r.threshold ? '' : t('rule.clears', { value: `${num(r.clearThreshold)}${u}` }),
        hold: r.clearForMs > 0 ? t('rule.held', { duration: formatRuleDuration(r.clearForMs) }) : '',
      });
    }
    case 'offline':
      return t('rule.offline', { count: r.missedIntervals });
    case 'forecast':
      return t('rule.forecast', {
        metric: subject(r.metric),
        labels,
        horizon: formatRuleDuration(r.horizonMs),
        window: formatRuleDuration(r.windowMs),
        clear: formatRuleDuration(r.clearHorizonMs),
      });
    case 'service-down':
      return t('rule.serviceDown', { labels, when: when(r.forMs) });
    case 'printer-error':
      return t('rule.printerError', { labels, when: when(r.forMs) });
    case 'smart-failing':
      return t('rule.smartFailing', { labels, when: when(r.forMs) });
  }
}

/** A stable key for grouping rules by scope. */
export function scopeKey(s: RuleScope): string {
  return s.type === 'global' ? 'global' : s.type === 'client' ? `client:${s.clientId}` : `device:${s.deviceId}`;
}
