/**
 * Browser end-to-end: a machine refused for a credential the server does not know (as after a
 * restore from an older backup) shows on the Fleet page under "Agents that need re-enrollment",
 * with the host name it claimed and the one line that enrolls it again; Dismiss removes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient, ADMIN_PASSWORD, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

function refusedUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/agent/ws`, { headers: { authorization: 'Bearer qpd_from_after_the_backup', ...headers } });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => undefined);
  });
}

describe.runIf(hasBrowser())('agents that need re-enrollment, in a real browser', () => {
  let t: TestServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    t = await startTestServer();
    const api = new ApiClient(t.url);
    await api.login();
    await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', hostname: 'kassa-01' });
    const status = await refusedUpgrade(t.url, {
      'x-quarkpulse-device-id': 'dev-after-backup',
      'x-quarkpulse-hostname': 'kantoor-02',
      'x-quarkpulse-platform': 'windows-x64',
    });
    expect(status).toBe(401);
    browser = await launchBrowser();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-e2e-refused-'));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the machine with its re-enroll line, and dismisses it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(t.url);
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=refused-agents]', { timeout: 10_000 });
    const text = (await page.textContent('[data-testid=refused-agents]')) ?? '';
    expect(text).toContain('Agents that need re-enrollment (1)');
    expect(text).toContain('kantoor-02');
    expect(text).toContain('Device id dev-after-backup');
    expect(text).toContain(`$env:QP_TOKEN = 'qpe_…'; & ([scriptblock]::Create((irm '${t.url}/install.ps1'))) -Reenroll`);
    await page.screenshot({ path: path.join(dir, 'refused-agents.png'), fullPage: true });
    if (process.env.QP_SCREENSHOT_DIR)
      fs.copyFileSync(path.join(dir, 'refused-agents.png'), path.join(process.env.QP_SCREENSHOT_DIR, 'refused-agents-desktop.png'));
    await page.click('[data-testid=dismiss-refused]');
    await page.waitForSelector('[data-testid=refused-agents]', { state: 'detached' });
    const api = new ApiClient(t.url);
    await api.login();
    expect((await api.get('/api/refused-agents')).json).toEqual([]);
    await page.close();
  });
});
