/**
 * Two languages, one mechanism: ICU message format (FormatJS intl-messageformat) over typed
 * catalogues, numbers, money and dates through Intl. Used by the server for client-facing texts
 * (reports, client e-mails) and by the dashboard.
 *
 *   const t = createTranslator('nl');
 *   t('report.devices', { count: 3 })   → "3 apparaten"
 *   t.money(1234.5, 'EUR')              → "€ 1.234,50"
 *   t.month('2026-12')                  → "december 2026"
 *
 * The Dutch catalogue must have every key of the English one (a type error otherwise), and a
 * key missing at run time renders as the key in brackets so a test walking the pages finds it.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './messages-en.js';
import { nl } from './messages-nl.js';

export type { MessageKey } from './messages-en.js';

/** The languages texts exist in. */
export const LOCALES = ['en', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, nl };
/** BCP 47 tags for Intl: Dutch as written in the Netherlands. */
const INTL_TAG: Record<Locale, string> = { en: 'en-GB', nl: 'nl-NL' };

/** True when `s` names a supported language. */
export function isLocale(s: unknown): s is Locale {
  return typeof s === 'string' && (LOCALES as readonly string[]).includes(s);
}

/** The best supported language for an Accept-Language header or navigator.languages list. */
export function pickLocale(preferred: readonly string[] | string | undefined, fallback: Locale = 'en'): Locale {
  const list = typeof preferred === 'string' ? preferred.split(',').map((p) => p.split(';')[0]!.trim()) : (preferred ?? []);
  for (const tag of list) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return fallback;
}

export type MessageValues = Record<string, string | number | Date>;

/** A translator for one language: call it with a key, and format numbers, money and dates. */
export interface Translator<K extends string = MessageKey> {
  (key: K, values?: MessageValues): string;
  readonly locale: Locale;
  /** The BCP 47 tag Intl formats with ("nl-NL", "en-GB"). */
  readonly intlTag: string;
  /** Money with the currency's symbol and thousands separators ("€ 1.234,50", "€1,234.50"). */
  money(amount: number, currency: string): string;
  /** A plain number with thousands separators and at most `digits` decimals. */
  number(n: number, digits?: number): string;
  /** A percentage of 0–100 with `digits` decimals ("99,95 %" / "99.95%"). */
  percent(pct: number, digits?: number): string;
  /** A month that cannot be misread: "December 2026" / "december 2026". */
  month(yyyyMm: string): string;
  /** A short month label for charts: "Dec 2026" / "dec 2026". */
  monthShort(yyyyMm: string): string;
  /** A calendar date in the given time zone: "2 Dec 2026" / "2 dec 2026". */
  date(ms: number, timeZone: string): string;
  /** Date and time in the given time zone. */
  dateTime(ms: number, timeZone: string): string;
  /** A duration in words: "45 minutes", "2 h 5 min", "3 days" (needs the duration.* keys). */
  duration(ms: number): string;
}

const cache = new Map<string, IntlMessageFormat>();

/** Builds (and caches) the translator for `locale` over the client-facing catalogues. */
export function createTranslator(locale: Locale): Translator {
  return createCatalogueTranslator<MessageKey>(locale, CATALOGUES, 'reports');
}

/**
 * A translator over any pair of typed catalogues (the dashboard has its own). `name` keeps the
 * compiled-message cache of one set apart from another's; `intlTag` overrides the BCP 47 tag
 * (the dashboard in English follows the browser's region, e.g. en-US).
 */
export function createCatalogueTranslator<K extends string>(
  locale: Locale,
  catalogues: Record<Locale, Record<K, string>>,
  name: string,
  intlTag?: string,
): Translator<K> {
  const tag = intlTag ?? INTL_TAG[locale];
  const catalogue = catalogues[locale];
  const t = ((key: K, values?: MessageValues): string => {
    const source = catalogue[key] ?? catalogues.en[key];
    if (source === undefined) return `[${key}]`;
    const cacheKey = `${name}\u0000${tag}\u0000${locale}\u0000${key}`;
    let fmt = cache.get(cacheKey);
    if (!fmt) {
      fmt = new IntlMessageFormat(source, tag);
      cache.set(cacheKey, fmt);
    }
    return String(fmt.format(values));
  }) as Translator<K>;
  const tr = t as unknown as (key: string, values?: MessageValues) => string;
  const monthDate = (yyyyMm: string) => {
    const [y, m] = yyyyMm.split('-').map(Number) as [number, number];
    return new Date(Date.UTC(y, m - 1, 15));
  };
  Object.assign(t, {
    locale,
    intlTag: tag,
    money: (amount: number, currency: string) =>
      new Intl.NumberFormat(tag, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount),
    number: (n: number, digits = 0) => new Intl.NumberFormat(tag, { maximumFractionDigits: digits }).format(n),
    percent: (pct: number, digits = 1) =>
      new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(pct / 100),
    month: (yyyyMm: string) => new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(monthDate(yyyyMm)),
    monthShort: (yyyyMm: string) =>
      new Intl.DateTimeFormat(tag, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(monthDate(yyyyMm)).replace('.', ''),
    date: (ms: number, timeZone: string) => new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(ms),
    duration: (ms: number) => {
      if (ms > 0 && ms < 60_000) return tr('duration.underMinute');
      const minutes = Math.round(ms / 60_000);
      if (minutes < 60) return tr('duration.minutes', { n: minutes });
      if (minutes < 48 * 60) return tr('duration.hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
      return tr('duration.days', { n: Math.round(minutes / 1440) });
    },
    dateTime: (ms: number, timeZone: string) =>
      new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone }).format(ms),
  });
  return t;
}
