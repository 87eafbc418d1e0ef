/**
 * The dashboard's catalogues: every message parses as ICU, the Dutch text of a key uses the same
 * arguments as the English one (a dropped {count} would go unnoticed otherwise), every Dutch
 * text formats with sample values, and a key missing at run time renders as "[key]".
 */
import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGUES, type DashKey } from '../../dashboard/src/lib/i18n/catalogue.js';
import { translatorFor } from '../../dashboard/src/lib/i18n/index.js';
import { formatDuration, formatPct } from '../../dashboard/src/lib/format.js';
import { setActiveLocale } from '../../dashboard/src/lib/i18n/index.js';

/** Argument names (and tag names) used anywhere in a message. */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    out.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) for (const o of Object.values(el.options)) argumentsOf(o.value, out);
    if (el.type === TYPE.tag) argumentsOf(el.children, out);
  }
  return out;
}

describe('dashboard catalogues', () => {
  const keys = Object.keys(CATALOGUES.en) as DashKey[];

  it('has the same keys in Dutch as in English', () => {
    expect(Object.keys(CATALOGUES.nl).sort()).toEqual([...keys].sort());
  });

  it('parses every message and uses the same arguments in both languages', () => {
    const problems: string[] = [];
    for (const key of keys) {
      try {
        const en = argumentsOf(parse(CATALOGUES.en[key]));
        const nl = argumentsOf(parse(CATALOGUES.nl[key]));
        const diff = [...new Set([...en, ...nl])].filter((a) => en.has(a) !== nl.has(a));
        // Dutch may leave out an argument English needs only for its grammar (rare), never add one.
        if ([...nl].some((a) => !en.has(a))) problems.push(`${key}: Dutch has ${diff.join(', ')} that English has not`);
        new IntlMessageFormat(CATALOGUES.nl[key], 'nl-NL');
      } catch (err) {
        problems.push(`${key}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('renders plurals in Dutch and a missing key as the key in brackets', () => {
    const nl = translatorFor('nl');
    expect(nl('fleet.countDevices', { count: 1 })).toBe('1 apparaat');
    expect(nl('fleet.countDevices', { count: 1200 })).toBe('1.200 apparaten');
    expect(translatorFor('en')('fleet.countDevices', { count: 3 })).toBe('3 devices');
    expect(nl('no.such.key' as DashKey)).toBe('[no.such.key]');
  });

  it('formats numbers with units in the active language', () => {
    setActiveLocale('nl');
    expect(formatPct(9.5)).toBe('9,5 %');
    expect(formatDuration(5_400_000)).toBe('1 u 30 min');
    setActiveLocale('en');
    expect(formatPct(9.5)).toBe('9.5 %');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
  });
});
