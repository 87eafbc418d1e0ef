/**
 * Launches Debian's chromium through playwright-core (no browser download). In CI (CI=true) a
 * missing browser is a failure; on a developer machine without chromium the e2e suite is skipped
 * with the reason printed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.QP_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser exists; throws in CI when it does not. */
export function hasBrowser(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: .ci/run must apt-get install chromium`);
  console.warn(`skipping browser tests: ${CHROMIUM_PATH} not found (apt-get install chromium)`);
  return false;
}

/** Starts headless chromium with the flags this machine needs (see DESIGN.md §6); playwright gives it a fresh profile dir. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
