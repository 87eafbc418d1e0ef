/** Counted words in the client-facing catalogues take their ICU plural forms, in both languages. */
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../shared/i18n/index.js';

const en = createTranslator('en');
const nl = createTranslator('nl');
const summary = { count: 3, critical: 2, proactive: 0, isMonthly: 'yes' };

describe('plurals in the report and advisor texts', () => {
  it('counts warnings in the problems summary', () => {
    expect(en('advisor.problemsSummary', { ...summary, warning: 1 })).toContain('(2 critical, 1 warning)');
    expect(en('advisor.problemsSummary', { ...summary, warning: 2 })).toContain('(2 critical, 2 warnings)');
    expect(nl('advisor.problemsSummary', { ...summary, warning: 1 })).toContain('(2 kritiek, 1 waarschuwing)');
    expect(nl('advisor.problemsSummary', { ...summary, warning: 0 })).toContain('(2 kritiek, 0 waarschuwingen)');
  });

  it('counts months, years and forecasts', () => {
    const months = (t: typeof en, n: number) => t('advisor.assumptionMonths', { months: t.number(n, 3), monthCount: n, from: 'a', to: 'b', fee: '€1' });
    expect([months(en, 1), months(en, 2.5)]).toEqual(['1 month from a to b; monthly amount = €1 × 1', '2.5 months from a to b; monthly amount = €1 × 2.5']);
    expect([months(nl, 1), months(nl, 0.5)]).toEqual(['1 maand van a tot b; maandbedrag = €1 × 1', '0,5 maanden van a tot b; maandbedrag = €1 × 0,5']);
    expect(en('report.coming.oldHardware', { hostname: 'pc', year: '2025', years: 1 })).toBe('pc: hardware from 2025 (1 year old); plan its replacement');
    expect(en('report.coming.oldHardware', { hostname: 'pc', year: '2018', years: 8 })).toBe('pc: hardware from 2018 (8 years old); plan its replacement');
    expect(nl('advisor.forecastsBeforeIncidents', { count: 1 })).toBe(
      '1 voorspelling van een volle schijf ging vooraf aan een later probleem op hetzelfde apparaat',
    );
    expect(nl('advisor.forecastsBeforeIncidents', { count: 2 })).toBe(
      '2 voorspellingen van een volle schijf gingen vooraf aan een later probleem op hetzelfde apparaat',
    );
  });

  it('conjugates waiting updates in Dutch', () => {
    expect(nl('report.coming.updates', { hostname: 'pc', count: 1 })).toBe('pc: 1 update wacht op installatie');
    expect(nl('report.coming.updates', { hostname: 'pc', count: 4 })).toBe('pc: 4 updates wachten op installatie');
    expect(en('report.coming.securityUpdates', { hostname: 'pc', count: 1, others: 0 })).toBe('pc: 1 security update pending');
    expect(nl('report.coming.securityUpdates', { hostname: 'pc', count: 2, others: 1 })).toBe(
      'pc: 2 beveiligingsupdates wachten op installatie, en 1 andere update',
    );
  });
});
