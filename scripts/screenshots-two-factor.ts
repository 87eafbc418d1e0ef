/**
 * Screenshots of two-factor login (docs/screenshots/two-factor-*.png, desktop and 390 px phone):
 * the set-up page a user whose role requires it sees after the password (QR code and the key),
 * the recovery codes shown once, and the second sign-in step. Run after `npm run build:dashboard`:
 *   npx tsx scripts/screenshots-two-factor.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'otplib';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { createServer } from '../server/index.js';
import { launchBrowser } from '../tests/e2e/browser.js';

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
const PASSWORD = 'screenshot-password-1';
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

async function signInWithPassword(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.fill('[data-testid=login-username]', username);
  await page.fill('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-shots-2fa-'));
  const server = await createServer({ dataDir, adminPassword: PASSWORD, logger: pino({ level: 'warn' }) });
  await server.listen(0, '127.0.0.1');
  const baseUrl = server.url();
  const browser = await launchBrowser();
  const written: string[] = [];
  try {
    // Admins must use it (as on a server with a public URL); one user per viewport.
    server.ctx.twoFactor.setPolicy(['admin'], 'screenshots');
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const username = `anna-${name}`;
      const admin = await import('../server/lib/secrets.js').then((m) => m.hashPassword(PASSWORD));
      server.ctx.users.create({ username, passwordHash: admin, role: 'admin' }, Date.now());
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: 'light', timezoneId: 'Europe/Amsterdam', locale: 'en-GB' });
      const page = await context.newPage();
      const shot = async (what: string) => {
        const file = path.join(outDir, `two-factor-${what}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
      };
      await signInWithPassword(page, baseUrl, username);
      await page.click('[data-testid=two-factor-start]');
      await page.waitForSelector('[data-testid=two-factor-qr] svg');
      await page.click('[data-testid=two-factor-show-secret]');
      await shot('setup');
      const secret = (await page.textContent('[data-testid=two-factor-secret]'))!.replace(/\s/g, '');
      await page.fill('[data-testid=two-factor-code]', await generate({ secret }));
      await page.click('[data-testid=two-factor-confirm]');
      await page.waitForSelector('[data-testid=recovery-codes]');
      await shot('recovery-codes');
      await page.click('[data-testid=recovery-codes-saved]');
      await page.waitForSelector('[data-testid=side-nav]', { state: 'attached' });
      await page.evaluate(() => fetch('/api/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
      await signInWithPassword(page, baseUrl, username);
      await page.waitForSelector('[data-testid=second-factor-form]');
      await shot('login');
      await context.close();
    }
    console.log(`wrote ${written.length} screenshots:\n  ${written.join('\n  ')}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
