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
