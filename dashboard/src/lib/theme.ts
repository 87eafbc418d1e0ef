/**
 * Light/dark theme: follows `prefers-color-scheme` until the user picks one with the toggle; the
 * pick is remembered in localStorage and applied as `data-theme` on <html>, which the CSS reads.
 */
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';

const storageKey = 'qp.theme';
const darkQuery = '(prefers-color-scheme: dark)';

function readStoredTheme(): Theme | null {
  try {
    const v = localStorage.getItem(storageKey);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

function systemTheme(): Theme {
  return window.matchMedia(darkQuery).matches ? 'dark' : 'light';
}

/** Applies the stored or system theme before the first render, so the page does not flash. */
export function applyInitialTheme(): void {
  document.documentElement.dataset.theme = readStoredTheme() ?? systemTheme();
}

/** The active theme and a toggle; follows the system while the user has not chosen. */
export function useTheme(): [Theme, () => void] {
  const [theme, setThemeState] = useState<Theme>(() => readStoredTheme() ?? systemTheme());
  // Set on <html> before re-rendering, so children's effects (chart colours) read the new CSS.
  const setTheme = (next: Theme) => {
    document.documentElement.dataset.theme = next;
    setThemeState(next);
  };
  useEffect(() => {
    const mq = window.matchMedia(darkQuery);
    const onChange = () => {
      if (!readStoredTheme()) setTheme(systemTheme());
    };
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  const toggle = () => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    setTheme(next);
  };
  return [theme, toggle];
}

/** Reads a CSS custom property of the current theme (for chart colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
