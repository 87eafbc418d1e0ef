/**
 * The billing page in a real browser (Dutch): a break-fix client bills each time entry rounded up
 * to 15 minutes and at least 30 minutes per incident. The page shows booked and billed time side
 * by side, says the rounding rule in words and lists each incident's entry notes; on a phone the
 * table still fits the screen.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('billing page in a real browser', () => {
  let t: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let clientId: string;
  let longId: string;
  let shortId: string;

  beforeAll(async () => {
    t = await startTestServer({ reportSchedule: false });
    api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-kassa' });
    clientId = dev.clientId;
    const settings = await api.put(`/api/reports/client-settings/${clientId}`, {
      language: 'nl',
      reportContacts: [],
      roundingIncrementMin: 15,
      minimumChargeMin: 30,
      internalCostRate: 0,
    });
    expect(settings.status, settings.text).toBe(200);
    const open = async (title: string) => {
      const r = await api.post('/api/incidents', { clientId, deviceId: dev.deviceId, title });
      expect(r.status, r.text).toBe(201);
      return r.json.id as string;
    };
    const book = async (id: string, minutes: number, note: string) => {
      const r = await api.post(`/api/incidents/${id}/time-entries`, { minutes, note });
      expect(r.status, r.text).toBe(201);
    };
    longId = await open('Kassa start niet op');
    await book(longId, 5, 'Klant teruggebeld');
    await book(longId, 50, 'Voeding van de kassa vervangen');
    shortId = await open('Bonprinter geeft papierstoring');
    await book(shortId, 10, 'Papier opnieuw geladen');
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function page(viewport: { width: number; height: number }) {
    const context: BrowserContext = await browser.newContext({ viewport, locale: 'nl-NL' });
    const [name, value] = api.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.url }]);
    const p = await context.newPage();
    await p.goto(`${t.url}/#/billing?client=${clientId}`);
    await p.waitForSelector('[data-testid=billing-row]');
    return p;
  }

  it('shows booked and billed time, the rounding rule and the entry notes', async () => {
    const p = await page({ width: 1280, height: 900 });
    const row = (id: string) => `[data-testid=billing-row][data-incident-id="${id}"]`;
    // 5 → 15 and 50 → 60 minutes: 55 min booked, 1 u 15 min billed (€ 112,50 at € 90 per hour).
    expect(await p.textContent(`${row(longId)} [data-testid=billing-booked]`)).toBe('55 min');
    expect(await p.textContent(`${row(longId)} [data-testid=billing-billed]`)).toBe('1 u 15 min');
    expect((await p.textContent(row(longId)))!.replace(/\s/g, ' ')).toContain('€ 112,50');
    // 10 → 15, then the minimum of 30 minutes per incident.
    expect(await p.textContent(`${row(shortId)} [data-testid=billing-billed]`)).toBe('30 min');
    expect(await p.textContent('[data-testid=billing-billed-total]')).toBe('1 u 45 min');
    expect(await p.locator(`${row(longId)} [data-testid=billing-notes] li`).allTextContents()).toEqual(['Klant teruggebeld', 'Voeding van de kassa vervangen']);
    expect(await p.textContent('[data-testid=billing-rounding]')).toBe(
      'Gefactureerde tijd: elke boeking naar boven afgerond op 15 min, minimaal 30 min per storing; het bedrag is gefactureerde tijd × het uurtarief.',
    );
    expect(await p.textContent('[data-testid=billing-table] thead')).toContain('Gefactureerd');
    await p.context().close();
  });

  it('fits a phone screen', async () => {
    const p = await page({ width: 390, height: 844 });
    expect(await p.isVisible(`[data-testid=billing-row][data-incident-id="${longId}"] [data-testid=billing-billed]`)).toBe(true);
    expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // The table itself fits too (its wrapper would scroll): the amount is not cut off.
    const table = (await p.locator('[data-testid=billing-table]').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(390);
    await p.context().close();
  });
});
