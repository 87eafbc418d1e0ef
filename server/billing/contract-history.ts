/**
 * The contract advisor month by month, for the dashboard's comparison chart: the last N calendar
 * months in the client's time zone (not before the month the client was created; the current
 * month ends today), each run through the same advisor as the whole period.
 */
import type { ContractHistory, ContractHistoryMonth } from '../../shared/alert-types.js';
import type { ClientStore } from '../store/clients.js';
import { HttpError } from '../lib/errors.js';
import { localDate } from '../time/zones.js';
import type { Reports } from './reports.js';
import type { Locale } from '../../shared/i18n/index.js';

/** The last `count` months up to the one containing `today` (YYYY-MM-DD), oldest first, not before `earliest`. */
export function monthRanges(today: string, earliest: string, count: number): { month: string; from: string; to: string }[] {
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  const out: { month: string; from: string; to: string }[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const index = ty * 12 + (tm - 1) - i;
    const y = Math.floor(index / 12);
    const m = (index % 12) + 1;
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month < earliest.slice(0, 7)) continue;
    const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const from = month === earliest.slice(0, 7) ? earliest : `${month}-01`;
    const to = i === 0 ? today : `${month}-${String(lastDay).padStart(2, '0')}`;
    out.push({ month, from, to });
  }
  return out;
}

/** Builds the history over the reports. */
export function createContractHistory(deps: { clients: ClientStore; reports: Reports; now: () => number }) {
  return (clientId: string, months: number, estimateMinutes: number, locale: Locale = 'en'): ContractHistory => {
    const client = deps.clients.findById(clientId);
    if (!client) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
    const nowMs = deps.now();
    const today = localDate(nowMs, client.timezone);
    const created = localDate(client.createdAtMs, client.timezone);
    const ranges = monthRanges(today, created < today ? created : today, months);
    const rows = ranges.map(({ month, from, to }): ContractHistoryMonth => {
      const a = deps.reports.contractAdvice(client.id, from, to, estimateMinutes);
      return {
        month,
        from,
        to,
        monthlyAmount: a.monthly.amount,
        breakFixAmount: a.breakFix.amount,
        bookedMinutes: a.breakFix.bookedMinutes,
        estimatedMinutes: a.breakFix.estimatedMinutes,
        problems: a.incidents.count,
      };
    });
    const advice = deps.reports.contractAdvice(client.id, ranges[0]!.from, today, estimateMinutes, locale);
    return { clientId: client.id, clientName: client.name, contract: client.contract, currency: client.currency, months: rows, advice };
  };
}
