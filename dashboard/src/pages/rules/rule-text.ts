/** Plain-language descriptions of rules for the rules page. */
import type { Rule, RuleScope } from '../../../../shared/alert-types.js';
import { findMetric } from '../../../../shared/metrics.js';
import { formatRuleDuration } from '../../lib/format.js';

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

/** What makes the rule fire and clear, e.g. `cpu.loadPct above 90% for 5 min; clears at 80%`. */
export function describeCondition(r: Rule): string {
  switch (r.kind) {
    case 'threshold': {
      const u = unitSuffix(r.metric);
      const clear = r.clearThreshold === r.threshold ? '' : `; clears at ${r.clearThreshold}${u}`;
      const hold = r.clearForMs > 0 ? ` (held ${formatRuleDuration(r.clearForMs)})` : '';
      return `${r.metric}${labelText(r.labels)} ${r.op} ${r.threshold}${u} ${r.forMs > 0 ? `for ${formatRuleDuration(r.forMs)}` : 'at once'}${clear}${hold}`;
    }
    case 'offline':
      return `no report for ${r.missedIntervals} report interval${r.missedIntervals === 1 ? '' : 's'}`;
    case 'forecast':
      return `${r.metric}${labelText(r.labels)} predicted full within ${formatRuleDuration(r.horizonMs)} (trend over ${formatRuleDuration(r.windowMs)}); clears beyond ${formatRuleDuration(r.clearHorizonMs)}`;
    case 'service-down':
      return `a watched service${labelText(r.labels)} not running ${r.forMs > 0 ? `for ${formatRuleDuration(r.forMs)}` : 'at once'}`;
    case 'printer-error':
      return `a printer${labelText(r.labels)} reporting an error ${r.forMs > 0 ? `for ${formatRuleDuration(r.forMs)}` : 'at once'}`;
    case 'smart-failing':
      return `a disk${labelText(r.labels)} failing its SMART check ${r.forMs > 0 ? `for ${formatRuleDuration(r.forMs)}` : 'at once'}`;
  }
}

/** A stable key for grouping rules by scope. */
export function scopeKey(s: RuleScope): string {
  return s.type === 'global' ? 'global' : s.type === 'client' ? `client:${s.clientId}` : `device:${s.deviceId}`;
}
