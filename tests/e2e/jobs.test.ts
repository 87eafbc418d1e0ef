/**
 * Maintenance in a real browser: on the device page a technician-or-admin with two-factor login
 * runs a health check on a real agent (real journal, real task), confirming with the code of the
 * authenticator (otplib); the job's state and result appear on the page without a reload. A wrong
 * code is refused on the page and nothing runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/index.js';
import { enrolSecondFactor, signedInPage, startJobAgent } from '../helpers/job-agent.js';
import { manualClock } from '../helpers/receivers.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('maintenance jobs in a real browser', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let agent: Agent;
  let dir: string;
  let secret: string;
  let deviceId: string;
  const clock = manualClock(Date.now());

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-e2e-jobs-'));
    t = await startTestServer({ clock });
    api = new ApiClient(t.url);
    await api.login();
    secret = await enrolSecondFactor(api, clock.now());
    const dev = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01', machineId: 'jansen-srv01' });
    deviceId = dev.deviceId;
    agent = await startJobAgent(t.url, dev, dir);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a health check from the device page and shows its result live', async () => {
    const page = await signedInPage(browser, api, t.url, `#/devices/${deviceId}`);
    const context = page.context();
    await page.waitForSelector('[data-testid=device-jobs]');
    await page.waitForSelector('[data-testid=jobs-empty]');

    // A wrong code: refused on the page, nothing made.
    await page.fill('[data-testid=job-code]', '000000');
    await page.click('[data-testid=job-run]');
    await page.waitForSelector('[data-testid=job-error]');
    expect(await page.textContent('[data-testid=job-error]')).toContain('wrong code');
    expect((await api.get(`/api/jobs?device=${deviceId}`)).json).toEqual([]);

    // The next time step's code (each code is accepted once: the enrolment used this one).
    clock.advance(31_000);
    await page.selectOption('[data-testid=job-task]', 'health.check');
    await page.fill('[data-testid=job-code]', await generate({ secret, epoch: Math.floor(clock.now() / 1000) }));
    await page.click('[data-testid=job-run]');
    const row = page.locator('[data-testid=job-row][data-task="health.check"]');
    await row.waitFor();
    await page.waitForSelector('[data-testid=job-row][data-state=done]', { timeout: 20_000 });
    const stored = (await api.get(`/api/jobs?device=${deviceId}`)).json as { state: string; createdBy: string; result: { problems: string[] } }[];
    expect(stored).toMatchObject([{ state: 'done', createdBy: 'admin' }]);
    // The page says what the agent found, in words.
    const problems = stored[0]!.result.problems;
    expect(await row.locator('[data-testid=job-result]').textContent()).toBe(problems.length === 0 ? 'no problems found' : problems.join('; '));
    await context.close();
  });
});
