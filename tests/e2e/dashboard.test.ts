/**
 * Browser end-to-end: real server, real agent (collecting this machine every second), real
 * chromium. Log in, see the device, watch its CPU chart gain a point live.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../agent/index.js';
import { ApiClient, ADMIN_PASSWORD, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('dashboard in a real browser', () => {
  let t: TestServer;
  let agent: Agent;
  let browser: Browser;
  let deviceId: string;

  beforeAll(async () => {
    t = await startTestServer();
    const api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', hostname: 'e2e-host' });
    deviceId = dev.deviceId;
    agent = createAgent({
      config: {
        serverUrl: t.url,
        deviceId: dev.deviceId,
        deviceToken: dev.deviceToken,
        intervalMs: 1_000,
        stateDir: mkdtempSync(path.join(tmpdir(), 'qp-e2e-agent-')),
      },
      logger: pino({ level: 'silent' }),
    });
    await agent.start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await t?.close();
  });

  it('refuses a wrong password with the server message', async () => {
    const page = await browser.newPage();
    await page.goto(t.url);
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', 'not-the-password');
    await page.click('[data-testid=login-submit]');
    await expect.poll(() => page.textContent('[data-testid=login-error]')).toContain('unknown user or wrong password');
    await page.close();
  });

  it('logs in, shows the device, and a chart gains a point live', async () => {
    const page = await browser.newPage();
    await page.goto(t.url);
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
    await page.click('[data-testid=login-submit]');
    // The agent reports its real hostname in hello, so find the row by device id.
    const row = page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.getAttribute('data-online'), { timeout: 10_000 }).toBe('true');
    await row.click();
    // The server acknowledges the page's subscription before samples stream to it.
    await page.locator(`[data-testid=device-page][data-device-id="${deviceId}"][data-streaming=true]`).waitFor({ timeout: 10_000 });
    const cpu = page.locator('[data-testid=chart][data-metric="cpu.loadPct"]');
    await cpu.waitFor({ timeout: 10_000 });
    const pointsNow = async () => Number(await cpu.getAttribute('data-points'));
    await expect.poll(pointsNow, { timeout: 10_000 }).toBeGreaterThan(0);
    const before = await pointsNow();
    // The agent reports every second; the live socket must add points without a reload.
    await expect.poll(pointsNow, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.close();
  });
});
