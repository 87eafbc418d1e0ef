/**
 * The monthly report, status links and the all-clients month in a real browser (Dutch): a
 * technician adds a report contact and a cost rate on the client's page, sends last month's report
 * now — it reaches a real SMTP server on loopback with the PDF attached and lands in the archive —
 * makes a status link without host names, opens it signed out, revokes it and sees it gone; the
 * billing page shows the client's profit from that cost rate and offers the CSV exports.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('client report, status link and all clients in a real browser', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let smtp: SmtpReceiver;
  let dev: Awaited<ReturnType<typeof enrollTestDevice>>;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = await startTestServer({ reportSchedule: false, branding: { mspName: 'Quarkpulse IT' } });
    api = new ApiClient(t.url);
    await api.login();
    const mail = await api.post('/api/channels', {
      type: 'email',
      name: 'Mail relay',
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'Quarkpulse <rapport@example.com>' },
    });
    expect(mail.status, mail.text).toBe(201);
    dev = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', hostname: 'devries-kassa', machineId: 'devries-kassa' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('sends the report, makes and revokes a status link, and shows the profit', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-NL' });
    const [name, value] = api.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/#/clients/${dev.clientId}`);
    await page.waitForSelector('[data-testid=report-settings]');
    expect(await page.textContent('[data-testid=report-panel]')).toContain('Geen rapportcontacten');

    // A custom period: the last day picked is included, so the link's `to` is the day after.
    expect(await page.getAttribute('[data-testid=report-preview]', 'href')).toMatch(/&month=\d{4}-\d{2}&format=html$/);
    await page.click('[data-testid=report-kind-custom]');
    await page.fill('[data-testid=report-from]', '2026-03-01');
    await page.fill('[data-testid=report-to]', '2026-03-31');
    expect(await page.getAttribute('[data-testid=report-pdf]', 'href')).toBe(
      `/api/reports/client-report?client=${dev.clientId}&from=2026-03-01&to=2026-04-01&format=pdf`,
    );
    expect(await page.textContent('[data-testid=report-panel]')).toContain('Laatste dag (telt mee)');
    await page.fill('[data-testid=report-to]', '2026-02-01');
    expect(await page.textContent('[data-testid=report-period-problem]')).toBe('De laatste dag ligt vóór de eerste dag.');
    expect(await page.getAttribute('[data-testid=report-pdf]', 'href')).toBeNull();
    await page.click('[data-testid=report-kind-month]');

    await page.fill('[data-testid=report-contacts]', 'directie@bakkerijdevries.nl');
    await page.fill('[data-testid=report-cost-rate]', '40');
    await page.click('[data-testid=report-save]');
    await page.waitForSelector('[data-testid=report-saved]');
    await page.click('[data-testid=report-send]');
    await page.waitForSelector('[data-testid=report-send-result]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=report-send-result]')).toBe('Verstuurd naar 1 contactpersoon.');
    await smtp.waitFor(1, 20_000);
    expect(smtp.mails[0]!.to).toContain('directie@bakkerijdevries.nl');
    expect(smtp.mails[0]!.raw).toContain('application/pdf');
    await page.waitForSelector('[data-testid=archive-row][data-delivery=sent]');
    expect(await page.textContent('[data-testid=archive-row]')).toContain('verstuurd');
    // The server stores "queued for …" in English; the Dutch dashboard words it again.
    expect(await page.textContent('[data-testid=archive-row]')).toContain('in de wachtrij voor directie@bakkerijdevries.nl');

    // A status link without host names: shown once, opens signed out, gone once revoked.
    await page.click('[data-testid=status-link-hostnames]');
    await page.fill('[data-testid=status-link-label]', 'Scherm in de winkel');
    await page.click('[data-testid=status-link-create]');
    await page.waitForSelector('[data-testid=status-link-url] code');
    const url = (await page.textContent('[data-testid=status-link-url] code'))!.trim();
    expect(url).toMatch(/^https?:\/\/\S+\/status\/qps_[A-Za-z0-9_-]{43}$/);
    const publicPage = await (await browser.newContext()).newPage();
    await publicPage.goto(url);
    expect(await publicPage.textContent('h1')).toBe('Status van Bakkerij de Vries');
    expect(await publicPage.textContent('body')).toContain('Computer 1');
    expect(await publicPage.textContent('body')).not.toContain('devries-kassa');
    expect(await page.textContent('[data-testid=status-link-row]')).toContain('zonder hostnamen');
    await page.click('[data-testid=status-link-revoke]');
    await page.waitForSelector('[data-testid=status-link-row][data-revoked=true]');
    expect((await publicPage.goto(url))!.status()).toBe(404);
    await publicPage.context().close();

    // Billing: the profit uses the cost rate (no booked time: 500 − 0), and the exports are offered.
    await page.goto(`${t.url}/#/billing?client=${dev.clientId}`);
    await page.waitForSelector('[data-testid=billing-all-row]');
    const row = await page.textContent('[data-testid=billing-all-row]');
    expect(row).toContain('Bakkerij de Vries');
    expect(row).toMatch(/€\s?500,00.*€\s?500,00/);
    expect(await page.getAttribute('[data-testid=billing-csv]', 'href')).toContain(`/api/reports/billing.csv?client=${dev.clientId}`);
    const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), await page.getAttribute('[data-testid=time-csv]', 'href'));
    expect(csv.split('\r\n')[0]).toBe('date,on,id,technician,minutes,note');
    await context.close();
  });
});
