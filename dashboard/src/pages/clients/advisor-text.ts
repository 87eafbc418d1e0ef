/** Words for the contract advisor's figures: the break-fix amount, as a range when effort is estimated. */
import type { ContractAdvice } from '../../../../shared/alert-types.js';
import { formatMinutes, formatMoney } from '../../lib/format.js';
import { activeT } from '../../lib/i18n/index.js';

/** What the break-fix figure shows: one amount, or (effort partly estimated) `€ low – € high` with why. */
export interface BreakFixFigure {
  amount: string;
  /** Set when part of the effort is estimated: says so in words, with the middle amount. */
  note: string | null;
  isEstimated: boolean;
}

export function breakFixFigure(advice: Pick<ContractAdvice, 'breakFix' | 'currency'>): BreakFixFigure {
  const t = activeT();
  const { breakFix: b, currency } = advice;
  const money = (v: number) => formatMoney(v, currency);
  if (!b.range) return { amount: money(b.amount), note: null, isEstimated: false };
  return {
    amount: t('advisor.amountRange', { low: money(b.range.low), high: money(b.range.high) }),
    note: t('advisor.rangeNote', { amount: money(b.amount), time: formatMinutes(b.estimatedMinutes) }),
    isEstimated: true,
  };
}
