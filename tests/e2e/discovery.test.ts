/**
 * Discovery in a real browser: on a client's page a technician has the client's probe (a real
 * agent) scan loopback addresses where Debian's snmpd plays a network printer, sees it listed with
 * its sysDescr, monitors it in one click, and finds its toner levels on its device page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/index.js';
import { signedInPage, startJobAgent } from '../helpers/job-agent.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { SNMPD, printerValues, startSnmpd, type TestSnmpd } from '../probe/snmpd.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser() && SNMPD)('network discovery in a real browser', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let agent: Agent;
  let snmpd: TestSnmpd;
  let dir: string;
  let dev: Awaited<ReturnType<typeof enrollTestDevice>>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-e2e-discovery-'));
    snmpd = await startSnmpd(path.join(dir, 'printer'), printerValues({ blackPct: 40, cyanPct: 8 }), {
      address: '127.0.0.2',
      sysDescr: 'HP LaserJet Pro M404dn',
      sysName: 'printer-reception',
    });
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
    dev = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01', machineId: 'jansen-srv01' });
    agent = await startJobAgent(t.url, dev, dir);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await t?.close();
    await snmpd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scans, lists the printer with its sysDescr, monitors it in one click and shows its toner levels', async () => {
    const page = await signedInPage(browser, api, t.url, `#/clients/${dev.clientId}`);
    await page.waitForSelector('[data-testid=discovery-form]');
    // A public range is refused with the reason, and nothing starts.
    await page.fill('[data-testid=discovery-ranges]', '8.8.8.0/24');
    await page.fill('[data-testid=discovery-community]', 'public');
    await page.click('[data-testid=discovery-start]');
    await page.waitForSelector('[data-testid=discovery-error]');
    expect(await page.textContent('[data-testid=discovery-error]')).toContain('8.8.8.0/24 is not inside a private or loopback network');

    await page.fill('[data-testid=discovery-ranges]', '127.0.0.1, 127.0.0.2');
    await page.fill('[data-testid=discovery-port]', String(snmpd.port));
    await page.click('[data-testid=discovery-start]');
    await page.waitForSelector('[data-testid=discovery-scan][data-state=done]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=discovery-status]')).toContain('Done: 2 addresses scanned, 1 device found');
    const row = page.locator('[data-testid=found-row][data-address="127.0.0.2"]');
    expect(await row.textContent()).toContain('HP LaserJet Pro M404dn');
    expect(await row.locator('select').inputValue()).toBe('printer');
    // The community is not shown anywhere once sent.
    expect(await page.textContent('[data-testid=discovery-panel]')).not.toContain('public');

    await row.locator('[data-testid=found-adopt]').click();
    await page.waitForSelector('[data-testid=found-device-link]');
    expect(await page.textContent('[data-testid=found-device-link]')).toBe('Monitored as printer-reception');
    await page.click('[data-testid=found-device-link]');

    await page.waitForSelector('[data-testid=toner-level][data-supply=black]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=device-hostname]')).toContain('printer-reception');
    expect(await page.textContent('[data-testid=toner-level][data-supply=black]')).toContain('40');
    const cyan = page.locator('[data-testid=toner-level][data-supply=cyan] .usage');
    expect(await cyan.getAttribute('data-level')).toBe('crit');
    expect(await page.textContent('[data-testid=page-count]')).toContain('12,345 pages');
    await page.waitForSelector('[data-testid=probe-check][data-state=ok]');
    expect(await page.textContent('[data-testid=probe-check]')).toContain('printer at 127.0.0.2');
    const printerId = (await page.getAttribute('[data-testid=device-page]', 'data-device-id'))!;
    // It runs no agent: no credential to rotate, and it stays with its probe's client.
    await page.waitForSelector('[data-testid=device-disable]');
    expect(await page.locator('[data-testid=device-rotate]').count()).toBe(0);
    expect(await page.locator('[data-testid=device-move-client]').count()).toBe(0);

    // In the fleet: its kind where an agent has CPU, memory and disk bars.
    await page.goto(`${t.url}/#/`);
    const fleetRow = page.locator(`[data-testid=device-row][data-device-id="${printerId}"]`);
    await page.waitForSelector(`[data-testid=device-row][data-device-id="${printerId}"][data-state=online]`);
    expect(await fleetRow.locator('[data-testid=device-kind]').textContent()).toBe('Printer');
    expect(await fleetRow.locator('.usage').count()).toBe(0);
    expect(await page.locator('[data-testid=count-unknown]').count()).toBe(0);

    // The probe goes away: the printer is unknown (grey, said in words), not offline, and counted apart.
    await agent.stop();
    await page.waitForSelector(`[data-testid=device-row][data-device-id="${printerId}"][data-state=unknown]`, { timeout: 20_000 });
    expect(await fleetRow.locator('.status-dot').getAttribute('aria-label')).toBe('status unknown: its probe is offline');
    expect(await fleetRow.locator('[data-testid=device-kind]').textContent()).toBe('Printerprobe offline');
    expect(await page.textContent('[data-testid=count-unknown]')).toBe('1 unknown (probe offline)');
    expect(await page.textContent('[data-testid=fleet-counts]')).toContain('1 offline'); // the probe itself
    await page.click('[data-testid=filter-unknown]');
    expect(await page.locator('[data-testid=device-row]').count()).toBe(1);
    await page.click('[data-testid=filter-offline]');
    expect(await page.locator(`[data-testid=device-row][data-device-id="${printerId}"]`).count()).toBe(0);
    await page.goto(`${t.url}/#/devices/${printerId}`);
    await page.waitForSelector('[data-testid=device-status][data-state=unknown]');
    expect(await page.getAttribute('[data-testid=device-hostname] .status-dot', 'data-state')).toBe('unknown');
    await page.context().close();
  });
});
