/** Alert and incident words in a Dutch dashboard, from the problem's fields; English keeps the server's words. */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../server/alerting/policy/defaults.js';
import { setActiveLocale } from '../../dashboard/src/lib/i18n/index.js';
import { DEFAULT_RULE_NAMES, alertWords, incidentTitle, incidentTitleText, problemSummary, ruleTitle } from '../../dashboard/src/lib/problem-text.js';

const nbsp = (s: string) => s.replace(/\u00a0|\u202f/g, ' ');
const base = { ruleName: null, labels: {}, value: null, metric: null };

describe('problem words', () => {
  afterEach(() => setActiveLocale('en'));

  it('knows every default rule by its name and metric', () => {
    for (const r of DEFAULT_RULES) {
      expect(DEFAULT_RULE_NAMES[r.name], r.name).toBeDefined();
      expect(DEFAULT_RULE_NAMES[r.name]!.metric).toBe('metric' in r.params ? r.params.metric : null);
    }
    expect(Object.keys(DEFAULT_RULE_NAMES)).toHaveLength(DEFAULT_RULES.length);
  });

  it('keeps the server’s words in English and a rule the technician named', () => {
    setActiveLocale('en');
    const a = {
      ruleName: 'Device offline',
      ruleKind: 'offline' as const,
      metric: null,
      labels: {},
      value: null,
      summary: 'Offline: no report for 16 s (one expected every 5 s)',
    };
    expect(alertWords(a)).toEqual({ title: 'Device offline', summary: a.summary });
    setActiveLocale('nl');
    expect(ruleTitle('Jansen: back-up schijf')).toBe('Jansen: back-up schijf');
  });

  it('words an offline alert in Dutch, with how long it was silent', () => {
    setActiveLocale('nl');
    const a = {
      ruleName: 'Device offline',
      ruleKind: 'offline' as const,
      metric: null,
      labels: {},
      value: null,
      summary: 'Offline: no report for 1 h 5 min (one expected every 30 s)',
    };
    expect(alertWords(a)).toEqual({ title: 'Apparaat offline', summary: 'Offline: geen rapport sinds 1 u 5 min (elke 30 s verwacht)' });
    expect(problemSummary({ ...base, ruleKind: 'offline', summary: 'something else' })).toBe('Offline: er komen geen rapporten binnen');
  });

  it('words readings, states, services and forecasts', () => {
    setActiveLocale('nl');
    expect(
      nbsp(problemSummary({ ...base, ruleKind: 'threshold', metric: 'fs.usedPct', labels: { mount: '/data' }, value: 97, summary: 'Disk /data at 97 %' })),
    ).toBe('Schijf /data 97 % in gebruik');
    expect(problemSummary({ ...base, ruleName: 'CPU load high', ruleKind: 'threshold', value: 97, summary: 'CPU load at 97 % for 5 min' })).toMatch(
      /^CPU-belasting 97\s?% gedurende 5 min$/,
    );
    expect(
      nbsp(problemSummary({ ...base, ruleKind: 'threshold', metric: 'printer.tonerPct', labels: { supply: 'cyan' }, value: 8, summary: 'Toner cyan at 8 %' })),
    ).toBe('Toner cyan bijna op: nog 8 %');
    expect(problemSummary({ ...base, ruleKind: 'threshold', metric: 'ups.isOnBattery', value: 1, summary: 'UPS on battery' })).toBe(
      'De UPS draait op de batterij',
    );
    expect(problemSummary({ ...base, ruleKind: 'service-down', labels: { service: 'Spooler' }, summary: 'Service Spooler is not running' })).toBe(
      'Dienst Spooler draait niet',
    );
    expect(
      problemSummary({
        ...base,
        ruleKind: 'forecast',
        metric: 'fs.usedBytes',
        labels: { mount: '/' },
        value: 1,
        summary: 'Disk / at 80 %, full in about 3 days',
      }),
    ).toBe('Schijf / vol over ongeveer 3 dagen');
    // A threshold the table does not know keeps the English words.
    expect(problemSummary({ ...base, ruleKind: 'threshold', metric: 'custom.thing', value: 3, summary: 'custom.thing at 3' })).toBe('custom.thing at 3');
  });

  it('words a rule incident’s title in both parts, and leaves a called-in one as typed', () => {
    setActiveLocale('nl');
    expect(
      incidentTitle({
        source: 'rule',
        ruleName: 'Device offline',
        ruleKind: 'offline',
        labels: {},
        value: null,
        title: 'Device offline: Offline: no report for 20 s',
      }),
    ).toBe('Apparaat offline: Offline: geen rapport sinds 20 s');
    expect(incidentTitle({ source: 'manual', ruleName: null, ruleKind: null, labels: {}, value: null, title: 'Kassa doet het niet' })).toBe(
      'Kassa doet het niet',
    );
  });

  it('words the rule name of an incident title known only as text', () => {
    setActiveLocale('nl');
    expect(incidentTitleText('Filesystem almost full: C: 95 % full')).toBe('Bestandssysteem bijna vol: C: 95 % full');
    expect(incidentTitleText('Kassa: start niet')).toBe('Kassa: start niet');
  });
});
