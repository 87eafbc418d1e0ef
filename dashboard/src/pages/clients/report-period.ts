/** The period of a report the user picks on the client page: a month, or first and last day. */
import { MAX_REPORT_DAYS, type ReportPeriod } from '../../lib/api-reports.js';
import { addDays, daysBetween } from '../../lib/format.js';

/**
 * The period of a custom report from the first and the last day the user picked (both
 * included, as people say "1 to 31 March"): the API's `to` is the day after the last one.
 */
export function customPeriod(first: string, last: string): { period: ReportPeriod } | { problem: 'missing' | 'order' | 'tooLong' } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(first) || !/^\d{4}-\d{2}-\d{2}$/.test(last)) return { problem: 'missing' };
  if (last < first) return { problem: 'order' };
  const to = addDays(last, 1);
  if (daysBetween(first, to) > MAX_REPORT_DAYS) return { problem: 'tooLong' };
  return { period: { from: first, to } };
}
