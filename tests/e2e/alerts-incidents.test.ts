/**
 * Browser end-to-end on the alerting pages: a real server, raw protocol agents crossing the
 * default "filesystem > 90 %" rule (an alert for the monthly client, an incident for the
 * break-fix one), and chromium. A technician acknowledges (and a second dashboard sees it move
 * live), books time on the incident and effort (not billed) on an alert; a viewer finds no
 * button and the API refuses it too. Every page is checked for Content-Security-Policy violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/lib/secrets.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('alerts and incidents in a real browser', () => {
  let t: TestServer;
  let admin: ApiClient;
  let viewer: ApiClient;
  let browser: Browser;
  const agents: TestAgent[] = [];
  const contexts: BrowserContext[] = [];
  let cspViolations: string[] = [];
  let monthly: { clientId: string; deviceId: string };
  let breakFix: { clientId: string; deviceId: string };
  let alertToAck: string;
  let alertForViewer: string;
  let incidentId: string;

  beforeAll(async () => {
    t = await startTestServer();
    admin = new ApiClient(t.url);
    await admin.login();
    t.server.ctx.users.create({ username: 'vera', passwordHash: await hashPassword('vera-password-123'), role: 'viewer' }, Date.now());
    viewer = new ApiClient(t.url);
    await viewer.login('vera', 'vera-password-123');

    const m = await enrollTestDevice(admin, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-srv' });
    const b = await enrollTestDevice(admin, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
    monthly = m;
    breakFix = b;
    const a1 = await startTestAgent(t.url, m.deviceToken, { hostname: 'jansen-srv' });
    const a2 = await startTestAgent(t.url, b.deviceToken, { hostname: 'devries-pc' });
    agents.push(a1, a2);
    await a1.report([
      { name: 'fs.usedPct', labels: { mount: '/' }, value: 96 },
      { name: 'fs.usedPct', labels: { mount: '/data' }, value: 97 },
      { name: 'cpu.loadPct', value: 12 },
    ]);
    await a2.report([
      { name: 'fs.usedPct', labels: { mount: '/' }, value: 95 },
      { name: 'cpu.loadPct', value: 30 },
    ]);
    const alerts = (await admin.get(`/api/alerts?device=${m.deviceId}&state=firing`)).json as { id: string; labels: { mount: string } }[];
    alertToAck = alerts.find((a) => a.labels.mount === '/')!.id;
    alertForViewer = alerts.find((a) => a.labels.mount === '/data')!.id;
    incidentId = (await admin.get(`/api/incidents?device=${b.deviceId}&state=open`)).json[0].id;
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    expect(cspViolations).toEqual([]);
    cspViolations = [];
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await browser?.close();
    await t?.close();
  });

  /** A page signed in with the API client's session cookie (the login form has its own test). */
  async function pageAs(api: ApiClient, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const [name, value] = api.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (/Content.Security.Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    return page;
  }

  it('colours the fleet by the worst open problem', async () => {
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/`);
    const row = (id: string) => page.locator(`[data-testid=device-row][data-device-id="${id}"]`);
    await expect.poll(() => row(monthly.deviceId).getAttribute('data-health')).toBe('critical');
    expect(await row(monthly.deviceId).locator('[data-testid=firing-count]').textContent()).toContain('2');
    expect(await row(breakFix.deviceId).locator('[data-testid=incident-count]').textContent()).toContain('1');
    await page.selectOption('[data-testid=filter-contract]', 'break-fix');
    await expect.poll(() => page.locator('[data-testid=device-row]').count()).toBe(1);
  });

  it('acknowledges a firing alert, and another dashboard sees it move live', async () => {
    const watcher = await pageAs(admin);
    await watcher.goto(`${t.url}/#/alerts`);
    const watched = watcher.locator(`[data-testid=alert-row][data-alert-id="${alertToAck}"]`);
    await watched.waitFor();
    await expect.poll(() => watcher.textContent('[data-testid=nav-count-alerts]')).toBe('2');

    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/alerts`);
    const row = page.locator(`[data-testid=alert-row][data-alert-id="${alertToAck}"]`);
    await row.locator('[data-testid=ack-button]').click();
    // It leaves the firing tab here at once (the action's answer)…
    await row.waitFor({ state: 'detached' });
    expect((await admin.get(`/api/alerts/${alertToAck}`)).json).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });
    // …and on the other dashboard through the live socket, without a reload.
    await watched.waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => watcher.textContent('[data-testid=nav-count-alerts]')).toBe('1');
    await watcher.click('[data-testid=tab-acknowledged]');
    await watcher.locator(`[data-testid=alert-row][data-alert-id="${alertToAck}"][data-state=acknowledged]`).waitFor();
  });

  it('books time on an incident, next to the metrics it opened with', async () => {
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/incidents`);
    await page.click(`[data-testid=incident-row][data-incident-id="${incidentId}"] a`);
    await page.waitForSelector('[data-testid=snapshot]');
    expect(await page.textContent('[data-testid=snapshot]')).toContain('95 %');
    await page.fill('[data-testid=book-hours]', '1');
    await page.fill('[data-testid=book-minutes]', '15');
    await page.fill('[data-testid=book-note]', 'Cleared the temp folder on site');
    await page.click('[data-testid=book-submit]');
    await page.waitForSelector('[data-testid=time-entry]');
    await expect.poll(() => page.textContent('[data-testid=booked-total]')).toBe('1 h 15 min');
    expect((await admin.get(`/api/incidents/${incidentId}`)).json).toMatchObject({
      bookedMinutes: 75,
      timeEntries: [{ minutes: 75, technician: 'admin', note: 'Cleared the temp folder on site' }],
    });
    // The form empties after a booking: a second booking of 20 min is 20 min, not 1 h 20.
    expect([await page.inputValue('[data-testid=book-hours]'), await page.inputValue('[data-testid=book-minutes]')]).toEqual(['0', '0']);
    await page.fill('[data-testid=book-minutes]', '20');
    await page.fill('[data-testid=book-note]', 'Called back');
    await page.click('[data-testid=book-submit]');
    await expect.poll(() => page.textContent('[data-testid=booked-total]')).toBe('1 h 35 min');
    expect((await admin.get(`/api/incidents/${incidentId}`)).json.timeEntries.map((e: { minutes: number }) => e.minutes)).toEqual([75, 20]);
    await page.click('a[href="#/incidents"]');
    await expect
      .poll(() => page.getAttribute(`[data-testid=incident-row][data-incident-id="${incidentId}"] [data-testid=booked-minutes]`, 'data-minutes'))
      .toBe('95');
  });

  it('books effort on an alert (not billed), lists it and removes it', async () => {
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/alerts/${alertToAck}`);
    await page.waitForSelector('[data-testid=alert-time] [data-testid=no-time]');
    expect(await page.textContent('[data-testid=alert-time-not-billed]')).toContain('not billed');
    await page.fill('[data-testid=alert-time] [data-testid=book-hours]', '0');
    await page.fill('[data-testid=alert-time] [data-testid=book-minutes]', '20');
    await page.fill('[data-testid=alert-time] [data-testid=book-note]', 'Moved old backups off the disk');
    await page.click('[data-testid=alert-time] [data-testid=book-submit]');
    await page.waitForSelector('[data-testid=alert-time] [data-testid=time-entry]');
    expect(await page.textContent('[data-testid=alert-time] [data-testid=time-entry]')).toContain('Moved old backups off the disk');
    expect(await page.textContent('[data-testid=alert-time] [data-testid=booked-total]')).toBe('20 min');
    expect((await admin.get(`/api/alerts/${alertToAck}/time-entries`)).json).toMatchObject([
      { minutes: 20, technician: 'admin', note: 'Moved old backups off the disk', alertId: alertToAck },
    ]);
    // The form starts empty again, as on an incident.
    expect([await page.inputValue('[data-testid=book-hours]'), await page.inputValue('[data-testid=book-minutes]')]).toEqual(['0', '0']);
    await page.click('[data-testid=alert-time] [data-testid=time-entry-remove]');
    await page.waitForSelector('[data-testid=alert-time] [data-testid=no-time]');
    expect((await admin.get(`/api/alerts/${alertToAck}/time-entries`)).json).toEqual([]);
  });

  it('gives a viewer no way to acknowledge, and the API refuses one anyway', async () => {
    const page = await pageAs(viewer);
    await page.goto(`${t.url}/#/alerts`);
    const row = page.locator(`[data-testid=alert-row][data-alert-id="${alertForViewer}"]`);
    await row.waitFor();
    expect(await page.locator('[data-testid=ack-button]').count()).toBe(0);
    expect(await page.locator('[data-testid=resolve-button]').count()).toBe(0);
    await row.locator('a').first().click();
    await page.waitForSelector('[data-testid=read-only-note]');
    expect(await page.locator('[data-testid=ack-button]').count()).toBe(0);
    expect(await page.locator('[data-testid=nav-users]').count()).toBe(0);

    const refused = await viewer.post(`/api/alerts/${alertForViewer}/acknowledge`, {});
    expect([refused.status, refused.json.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await admin.get(`/api/alerts/${alertForViewer}`)).json.state).toBe('firing');
  });

  it('shows the device inventory the agent sent, in the shape the server stores it', async () => {
    // A real inventory frame through the agent protocol (shared/protocol.ts), not a stub.
    agents[0]!.ws.send({
      type: 'inventory',
      v: 1,
      tsMs: Date.now(),
      sections: {
        services: [
          { name: 'Spooler', isRunning: false, state: 'stopped', startMode: 'auto' },
          { name: 'sshd', isRunning: true },
        ],
        disks: [{ device: '/dev/sda', name: 'Samsung SSD 870', sizeBytes: 500_000_000_000, smartStatus: 'failing' }],
        processes: { byCpu: [{ pid: 42, name: 'backup.exe', cpuPct: 88, memBytes: 200_000_000 }], byMem: [] },
        updates: { pendingCount: 3, securityCount: 1, source: 'apt', packages: ['openssl', 'curl', 'tzdata'] },
      },
    });
    await expect.poll(async () => Object.keys((await admin.get(`/api/devices/${monthly.deviceId}`)).json.inventory ?? {}).length).toBe(4);
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/devices/${monthly.deviceId}`);
    await page.waitForSelector('[data-testid=device-inventory]');
    expect(await page.textContent('[data-testid=inv-services]')).toContain('Spooler');
    expect(await page.textContent('[data-testid=inv-disks]')).toContain('SMART failing');
    expect(await page.textContent('[data-testid=inv-processes]')).toContain('backup.exe');
    expect(await page.textContent('[data-testid=inv-updates]')).toContain('3 pending, 1 security');
    expect(await page.locator('[data-testid=inv-printers]').count()).toBe(0);
    // The device's own alerts are listed on its page (loaded after the page; on a slow machine
    // the test agent's silence can also open an offline alert, so the two disk alerts are named).
    for (const id of [alertToAck, alertForViewer]) {
      await page.waitForSelector(`[data-testid=device-problems] [data-testid=alert-row][data-alert-id="${id}"]`, { timeout: 20_000 });
    }
  });

  it('works on a phone: the menu opens and closes from the keyboard', async () => {
    const page = await pageAs(admin, { width: 390, height: 844 });
    await page.goto(`${t.url}/#/`);
    await page.waitForSelector('[data-testid=device-row]');
    const nav = page.locator('[data-testid=side-nav]');
    expect(await nav.isVisible()).toBe(false);
    await page.focus('[data-testid=menu-toggle]');
    await page.keyboard.press('Enter');
    await expect.poll(() => nav.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('nav-fleet');
    await page.keyboard.press('Escape');
    await expect.poll(() => nav.isVisible()).toBe(false);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  });
});
