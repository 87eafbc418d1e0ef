/**
 * The server's own health in a real browser: a failing self-check (the real database file over
 * a limit set below it) shows as a banner above every page for admins, not for technicians, and
 * goes away once the check is ok again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/oncall-setup.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('self-check banner in a real browser', () => {
  let t: TestServer;
  let admin: ApiClient;
  let tech: ApiClient;
  let browser: Browser;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-e2e-selfcheck-'));

  beforeAll(async () => {
    t = await startTestServer({ dataDir, selfChecks: { intervalMs: 3_600_000, limits: { databaseMaxBytes: 1 } } });
    admin = new ApiClient(t.url);
    await admin.login();
    await createUser(admin, 'piet', 'technician', 'piet@example.com');
    tech = new ApiClient(t.url);
    await tech.login('piet', 'piet-password-1');
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function pageAt(who: ApiClient, hash: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const [name, value] = who.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/${hash}`);
    return page;
  }

  it('shows a failing check to admins on every page, not to technicians, and clears', async () => {
    expect((await admin.post('/api/system/checks/run', {})).status).toBe(200);
    const page = await pageAt(admin, '#/alerts');
    const banner = page.locator('[data-testid=self-check-banner]');
    await banner.waitFor();
    expect(await banner.locator('[data-testid=self-check][data-check=database]').textContent()).toMatch(
      /^Database large: .+ \(limit 1 B\); check metric retention \(docs\/STORAGE\.md\) \(since .+\)$/,
    );
    await page.goto(`${t.url}/#/oncall`);
    await page.locator('[data-testid=self-check-banner]').waitFor();

    const techPage = await pageAt(tech, '#/alerts');
    await techPage.locator('[data-testid=alert-tabs], h1').first().waitFor();
    await techPage.waitForTimeout(300);
    expect(await techPage.locator('[data-testid=self-check-banner]').count()).toBe(0);

    // The same database, restarted with the default limit (20 GB): the next run clears the banner.
    await t.close();
    t = await startTestServer({ dataDir, selfChecks: { intervalMs: 3_600_000 } });
    admin = new ApiClient(t.url);
    await admin.login();
    expect((await admin.post('/api/system/checks/run', {})).json.checks.find((c: { id: string }) => c.id === 'database').status).toBe('ok');
    const after = await pageAt(admin, '#/alerts');
    await after.locator('h1').first().waitFor();
    await after.waitForTimeout(300);
    expect(await after.locator('[data-testid=self-check-banner]').count()).toBe(0);
  });
});
