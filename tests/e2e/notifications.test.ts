/**
 * Browser end-to-end: a page that could not be delivered shows up as a dead letter on the
 * Notifications page, and a technician retries it from there once the receiver is fixed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';
import { fireDiskAlert } from '../helpers/oncall-setup.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('dead letters in the dashboard', () => {
  let t: TestServer;
  let http: HttpReceiver;
  let browser: Browser;
  let agent: TestAgent;

  beforeAll(async () => {
    http = await startHttpReceiver();
    http.setRespond(() => 410);
    t = await startTestServer();
    const api = new ApiClient(t.url);
    await api.login();
    const hook = await api.post('/api/channels', { type: 'webhook', name: 'Ticketing', config: { url: http.url('/hook'), secret: 'hook-secret-0123456789' } });
    await api.post('/api/escalation-policies', {
      name: 'Std',
      isDefault: true,
      levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: hook.json.id }] }],
    });
    ({ agent } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv' }));
    await t.server.ctx.notify.tick();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    agent?.close();
    await t?.close();
    await http?.close();
  });

  it('lists the dead letter with its error and retries it', async () => {
    const page = await browser.newPage();
    await page.goto(t.url);
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.click('[data-testid=nav-notifications]');
    const table = page.locator('[data-testid=notifications-table]');
    await table.waitFor({ timeout: 10_000 });
    const text = await table.textContent();
    expect(text).toContain('[CRITICAL] / 97 % full on jansen-srv (Jansen Accountants)');
    expect(text).toContain('Ticketing (webhook)');
    expect(text).toContain('HTTP 410: refused with 410 (not retryable)');

    http.setRespond(() => 200);
    await page.locator('button[data-testid^=retry-]').click();
    await page.locator('[data-testid=notifications-empty]').waitFor({ timeout: 10_000 });
    await expect.poll(() => http.accepted('/hook').length, { timeout: 10_000 }).toBe(1);
    await page.click('[data-testid=notifications-sent]');
    await expect.poll(async () => (await page.textContent('[data-testid=notifications-table]')) ?? '', { timeout: 10_000 }).toContain('sent');
    await page.close();
  });
});
