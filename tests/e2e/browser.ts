/**
 * Launches Debian's chromium through playwright-core (no browser download). In CI (CI=true) a
 * missing browser is a failure; on a developer machine without chromium the e2e suite is skipped
 * with the reason printed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { vi } from 'vitest';

// A browser test drives a whole page through many steps; on a busy two-core CI machine (other test
// files, other browsers) one step can take seconds. Every file that launches a browser imports this.
// Only under vitest: scripts/screenshots.ts imports launchBrowser too, and setConfig throws outside a run.
if (process.env.VITEST) vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

export const CHROMIUM_PATH = process.env.QP_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser exists; throws in CI when it does not. */
export function hasBrowser(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: .ci/run must apt-get install chromium`);
  console.warn(`skipping browser tests: ${CHROMIUM_PATH} not found (apt-get install chromium)`);
  return false;
}

/**
 * Starts headless chromium with the flags a closed network needs (without the background-networking
 * ones chromium keeps trying to reach Google's hosts); playwright gives it a fresh profile dir.
 */
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

/**
 * Collects what a page said (console errors, uncaught exceptions, failed requests) so that a wait
 * that times out can say where the page was and what it showed, not only which element was missing.
 */
export function watchPage(page: Page): { waitFor(selector: string, timeoutMs?: number): Promise<void> } {
  const said: string[] = [];
  page.on('console', (m) => m.type() === 'error' && said.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => said.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => said.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => r.status() >= 400 && said.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`));
  return {
    async waitFor(selector, timeoutMs = 30_000) {
      try {
        await page.waitForSelector(selector, { timeout: timeoutMs });
      } catch (err) {
        const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '(page gone)');
        throw new Error(
          `${(err as Error).message.split('\n')[0]}\n  at ${page.url()}\n  page shows: ${text.slice(0, 400).replace(/\s+/g, ' ')}\n  ${said.join('\n  ') || 'no errors on the page'}`,
          { cause: err },
        );
      }
    },
  };
}
