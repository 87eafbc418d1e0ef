/**
 * The dashboard's languages: English and Dutch over typed catalogues (ICU message format through
 * shared/i18n), numbers and dates through Intl in the same language.
 *
 *   const t = useT();
 *   t('fleet.deviceCount', { count: 3 })   → "3 devices" / "3 apparaten"
 *   t.number(1234.5, 1)                    → "1,234.5" / "1.234,5"
 *
 * Which language: the user's choice on the account page (GET /api/me `locale`), else the last
 * choice made in this browser (before login), else the browser's languages (pickLocale). The app
 * shell calls setActiveLocale() before rendering, so the formatters of lib/format.ts follow too;
 * the page is re-mounted when the language changes. A key missing from a catalogue at run time
 * renders as "[the.key]" — tests/e2e/i18n-walk.test.ts walks every page looking for that.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { createCatalogueTranslator, pickLocale, isLocale, type Locale, type Translator } from '../../../../shared/i18n/index.js';
import { CATALOGUES, type DashKey } from './catalogue.js';

export type { DashKey } from './catalogue.js';
export type { Locale } from '../../../../shared/i18n/index.js';
export { LOCALES, isLocale } from '../../../../shared/i18n/index.js';

/** The dashboard's translator: t(key, values) plus Intl numbers, money and dates. */
export type T = Translator<DashKey>;

const STORAGE_KEY = 'quarkpulse.locale';

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** The language the browser asks for (nl or en). */
export function browserLocale(): Locale {
  return pickLocale(browserLanguages());
}

/** The last language chosen in this browser (shown before login), if any. */
export function storedLocale(): Locale | null {
  try {
    const v = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
    return isLocale(v) ? v : null;
  } catch {
    return null;
  }
}

/** Remembers (or forgets, null) the choice in this browser for the login screen. */
export function storeLocale(locale: Locale | null): void {
  try {
    if (locale) localStorage.setItem(STORAGE_KEY, locale);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // private mode: the server still has the choice
  }
}

/**
 * The Intl tag for a language: English keeps the browser's own English region (en-US dates for
 * an American browser, en-GB otherwise), Dutch is nl-NL.
 */
export function intlTagOf(locale: Locale): string {
  if (locale === 'nl') return 'nl-NL';
  const own = browserLanguages().find((l) => l.toLowerCase().startsWith('en'));
  return own ?? 'en-GB';
}

const translators = new Map<Locale, T>();

/** The (cached) translator for a language. */
export function translatorFor(locale: Locale): T {
  let t = translators.get(locale);
  if (!t) {
    t = createCatalogueTranslator<DashKey>(locale, CATALOGUES, 'dashboard', intlTagOf(locale));
    translators.set(locale, t);
  }
  return t;
}

let active: T | null = null;

/** Sets the language the formatters of lib/format.ts use (the shell does, before rendering). */
export function setActiveLocale(locale: Locale): void {
  active = translatorFor(locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** The active translator, for code outside components (formatters, chart labels). */
export function activeT(): T {
  return active ?? translatorFor('en');
}

export const I18nContext = createContext<T | null>(null);

/** The translator of the current language (re-renders when it changes). */
export function useT(): T {
  return useContext(I18nContext) ?? activeT();
}
