/** The advisor's break-fix figure: one amount when all effort is booked, a range in words when part is estimated. */
import { afterEach, describe, expect, it } from 'vitest';
import { breakFixFigure } from '../../dashboard/src/pages/clients/advisor-text.js';
import { setActiveLocale } from '../../dashboard/src/lib/i18n/index.js';

const booked = { hourlyRate: 90, bookedMinutes: 120, billedMinutes: 120, estimatedMinutes: 0, amount: 180, range: null };
const estimated = { hourlyRate: 90, bookedMinutes: 0, billedMinutes: 600, estimatedMinutes: 600, amount: 900, range: { low: 450, high: 1800 } };
const nbsp = (s: string) => s.replace(/\u00a0|\u202f/g, ' ');

describe('breakFixFigure', () => {
  afterEach(() => setActiveLocale('en'));

  it('shows one amount when all time is booked', () => {
    setActiveLocale('nl');
    const f = breakFixFigure({ currency: 'EUR', breakFix: booked });
    expect({ ...f, amount: nbsp(f.amount) }).toEqual({ amount: '€ 180,00', note: null, isEstimated: false });
  });

  it('shows the range with the same money format and says it is estimated (Dutch)', () => {
    setActiveLocale('nl');
    const f = breakFixFigure({ currency: 'EUR', breakFix: estimated });
    expect(nbsp(f.amount)).toBe('€ 450,00 – € 1.800,00');
    expect(f.isEstimated).toBe(true);
    expect(nbsp(f.note!)).toBe('geschat: € 900,00 met 10 u aangenomen werk; de marge rekent met de helft tot het dubbele daarvan');
  });

  it('and in English', () => {
    setActiveLocale('en');
    const f = breakFixFigure({ currency: 'EUR', breakFix: estimated });
    const money = (v: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(v);
    expect(f.amount).toBe(`${money(450)} – ${money(1800)}`);
    expect(f.note).toMatch(/^estimated: /);
    expect(f.note).toContain(money(900));
  });
});
