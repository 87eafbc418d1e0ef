/**
 * Scheduled maintenance in a real browser: on a monthly client's page a technician-or-admin with
 * two-factor login schedules a health check in the client's maintenance window (one that is on
 * now), confirming with the authenticator's code; at the policy's next tick the job runs on a real
 * agent (real journal, real task) and its result shows on the device page without a reload.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/index.js';
import { enrolSecondFactor, signedInPage, startJobAgent } from '../helpers/job-agent.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe.runIf(hasBrowser())('maintenance policies in a real browser', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let agent: Agent;
  let dir: string;
  let secret: string;
  let dev: Awaited<ReturnType<typeof enrollTestDevice>>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-e2e-policies-'));
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
    secret = await enrolSecondFactor(api);
    dev = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01', machineId: 'jansen-srv01' });
    // The client's patch window is on now (the client's zone is UTC).
    const w = await api.post('/api/maintenance', {
      kind: 'recurring',
      name: 'Patch window',
      scope: { type: 'client', clientId: dev.clientId },
      daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      startTime: hhmm(Date.now() - 3_600_000),
      endTime: hhmm(Date.now() + 2 * 3_600_000),
    });
    expect(w.status, w.text).toBe(201);
    agent = await startJobAgent(t.url, dev, dir);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('schedules a health check on the client page; it runs in the window and its result shows on the device page', async () => {
    const page = await signedInPage(browser, api, t.url, `#/clients/${dev.clientId}`);
    const context = page.context();
    await page.waitForSelector('[data-testid=client-policies]');
    await page.fill('[data-testid=policy-name]', 'Nightly health check');
    await page.selectOption('[data-testid=policy-task]', 'health.check');
    // The enrolment used this time step's code; the next one is accepted (±30 s).
    await page.fill('[data-testid=policy-code]', await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.click('[data-testid=policy-create]');
    await page.waitForSelector('[data-testid=policy-row]');
    expect(await page.textContent('[data-testid=policy-row]')).toContain(
      'Nightly health check: Health check (disks, memory, failed services) in “Patch window”, all machines at once',
    );

    // The device page is open when the policy's tick comes.
    const devicePage = await context.newPage();
    await devicePage.goto(`${t.url}/#/devices/${dev.deviceId}`);
    await devicePage.waitForSelector('[data-testid=jobs-empty]');
    t.server.ctx.policies.tick();
    await devicePage.waitForSelector('[data-testid=job-row][data-state=done]', { timeout: 20_000 });
    expect(await devicePage.textContent('[data-testid=job-row]')).toContain('by policy "Nightly health check"');
    await context.close();
  });
});
