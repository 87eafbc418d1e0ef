/** Problems worded in the report's language from what they are; English keeps the server's words. */
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../shared/i18n/index.js';
import { forecastTimeToFullMs, problemText, type ProblemFacts } from '../../server/billing/problem-text.js';

const nl = createTranslator('nl');
const en = createTranslator('en');
const p = (over: Partial<ProblemFacts>): ProblemFacts => ({ ruleKind: 'threshold', metric: null, labels: {}, value: null, summary: 'English words', ...over });

describe('problem words for the client report', () => {
  it.each([
    [{ ruleKind: 'offline' }, 'Niet bereikbaar (offline)'],
    [{ metric: 'cpu.loadPct', value: 97.4 }, 'CPU-belasting hoog: 97%'],
    [{ metric: 'cpu.loadPct' }, 'CPU-belasting hoog'],
    [{ metric: 'fs.usedPct', labels: { mount: 'C:' }, value: 93 }, 'Schijf C: bijna vol: 93% in gebruik'],
    [{ metric: 'printer.tonerPct', labels: { supply: 'cyan' }, value: 8 }, 'Toner cyan bijna op: nog 8%'],
    [{ metric: 'tls.certDaysLeft', labels: { check: 'cert' }, value: 5 }, 'Certificaat verloopt binnenkort: nog 5 dagen'],
    [{ metric: 'if.isUp', labels: { interface: 'Gi1/0/7' }, value: 0 }, 'Netwerkpoort Gi1/0/7 is uitgevallen'],
    [{ ruleKind: 'service-down', labels: { service: 'Spooler' } }, 'Service Spooler draait niet'],
    [{ ruleKind: 'forecast', labels: { mount: 'D:' } }, 'Schijf D: raakt binnenkort vol'],
    [{ metric: 'net.rxBytesPerSec', value: 1e6 }, 'English words'],
    [{ ruleKind: null }, 'English words'],
  ])('%j → %s', (over, want) => {
    expect(
      problemText(nl, p(over as Partial<ProblemFacts>))
        .replace(/\u00a0/g, ' ')
        .replace(' %', '%'),
    ).toBe(want);
  });

  it('an English report keeps the words the technician saw', () => {
    expect(problemText(en, p({ ruleKind: 'offline', summary: 'jansen-srv01 is offline' }))).toBe('jansen-srv01 is offline');
  });
});

describe('forecastTimeToFullMs', () => {
  it.each([
    ['Disk C: at 91 % used, full in about 3 days', 3 * 86_400_000],
    ['Disk / at 97 % used, full in about 1 hour', 3_600_000],
    ['Disk / at 99 % used, full in about 40 minutes', 40 * 60_000],
    ['Disk / at 99.9 % used, full in less than a minute', 0],
    ['Disk / at 80 % used, full in an unknown time', null],
    ['Schijf vol', null],
  ])('%s → %s', (summary, ms) => {
    expect(forecastTimeToFullMs(summary)).toBe(ms);
  });
});

// Counted words in the client-facing catalogues take their ICU plural forms, in both languages.
const pluralSummary = { count: 3, critical: 2, proactive: 0, isMonthly: 'yes' };

describe('plurals in the report and advisor texts', () => {
  it('counts warnings in the problems summary', () => {
    expect(en('advisor.problemsSummary', { ...pluralSummary, warning: 1 })).toContain('(2 critical, 1 warning)');
    expect(en('advisor.problemsSummary', { ...pluralSummary, warning: 2 })).toContain('(2 critical, 2 warnings)');
    expect(nl('advisor.problemsSummary', { ...pluralSummary, warning: 1 })).toContain('(2 kritiek, 1 waarschuwing)');
    expect(nl('advisor.problemsSummary', { ...pluralSummary, warning: 0 })).toContain('(2 kritiek, 0 waarschuwingen)');
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
