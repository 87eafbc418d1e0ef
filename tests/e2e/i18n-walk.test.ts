/**
 * The dashboard in Dutch in a real browser: a server with the demo data (clients, devices with
 * simulated agents, alerts, incidents, on-call), chromium with a Dutch browser locale, and every
 * route of the router visited. A page fails when it shows an untranslated key ("[fleet.title]",
 * which is how lib/i18n renders a key missing from a catalogue), when it throws, or when a few
 * words it must say in Dutch are missing. Then the user switches to English on the account page
 * and the dashboard follows (and keeps that choice after a reload: it is stored on the server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type QuarkpulseServer } from '../../server/index.js';
import { seedDemo, type DemoHandles } from '../../scripts/demo/seed.js';
import { parseHash } from '../../dashboard/src/lib/router.js';
import { hasBrowser, launchBrowser } from './browser.js';

const ADMIN_PASSWORD = 'i18n-walk-admin-password';
const ROUTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard/src/lib/router.ts');

/** A key rendered instead of its text: "[some.key]". */
const UNTRANSLATED = /\[[a-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+\]/g;

/** Every route of the dashboard, with words its page (the main area, not the menu) must show in Dutch. */
function pages(h: DemoHandles): { hash: string; words: string[] }[] {
  const client = h.clientIds['Jansen Accountants']!;
  return [
    { hash: '#/', words: ['Apparaten', 'Laatst gezien', 'Geheugen', 'Met problemen'] },
    { hash: `#/devices/${h.deviceIds['jansen-srv01']}`, words: ['Meldingen en storingen', 'Agentinstellingen', 'Laatst gezien', 'CPU-belasting'] },
    { hash: '#/alerts', words: ['Meldingen', 'Actief', 'Bevestigd', 'Alle niveaus'] },
    { hash: '#/alerts?state=resolved', words: ['Opgelost'] },
    { hash: `#/alerts/${h.acknowledgedAlertId}`, words: ['Tijdlijn', 'Toegewezen aan', 'Opgeroepen'] },
    { hash: '#/incidents', words: ['Storingen', 'Telefoontje vastleggen'] },
    { hash: `#/incidents/${h.openIncidentId}`, words: ['Meetwaarden bij openen', 'Tijdlijn', 'Geboekt'] },
    { hash: `#/billing?client=${client}`, words: ['Facturatie', 'Maand'] },
    { hash: '#/clients', words: ['Klanten', 'Klant toevoegen'] },
    { hash: `#/clients/${client}`, words: ['Apparaten', 'Contractadvies', 'Agentinstellingen', 'Klant sinds'] },
    { hash: '#/rules', words: ['Regels', 'Alle apparaten'] },
    { hash: '#/maintenance', words: ['Onderhoudsvensters'] },
    { hash: '#/oncall', words: ['Dienst', 'Roosters', 'Escalatiebeleid'] },
    { hash: '#/channels', words: ['Kanalen', 'Publieke URL'] },
    { hash: '#/audit', words: ['Auditlog', 'Persoon'] },
    { hash: '#/users', words: ['Gebruikers', 'Gebruiker toevoegen'] },
    { hash: '#/account', words: ['Taal', 'Wachtwoord wijzigen', 'Tweestapsverificatie'] },
    { hash: '#/notifications', words: ['Notificaties', 'Onbestelbaar'] },
    { hash: '#/no-such-page', words: ['Pagina niet gevonden'] },
  ];
}

/** The route names the router knows (from its Route type), to prove the walk misses none. */
function routeNames(): string[] {
  const text = readFileSync(ROUTER, 'utf8');
  const union = text.slice(text.indexOf('export type Route ='), text.indexOf(';', text.indexOf('export type Route =')));
  return [...union.matchAll(/name: '([^']+)'/g)].map((m) => m[1]!);
}

/** Visible text plus the texts people hear or hover (labels, titles, placeholders). */
async function pageTexts(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attrs = Array.from(document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')).flatMap((el) =>
      ['aria-label', 'title', 'placeholder', 'alt'].map((a) => el.getAttribute(a) ?? ''),
    );
    return `${document.body.innerText}\n${attrs.join('\n')}`;
  });
}

async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), undefined, { timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(400);
}

describe.runIf(hasBrowser())('the dashboard in Dutch', () => {
  let server: QuarkpulseServer;
  let handles: DemoHandles;
  let browser: Browser;
  let context: BrowserContext;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-i18n-walk-'));
    server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }), ruleTickIntervalMs: 1_000 });
    await server.listen(0, '127.0.0.1');
    handles = await seedDemo(server, server.url(), ADMIN_PASSWORD, { historyHours: 1 });
    server.ctx.twoFactor.setPolicy([], 'admin');
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', viewport: { width: 1280, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    handles?.stop();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('walks every route in Dutch without an untranslated key or an error', async () => {
    const visited = new Set(['login']);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    // The login page follows the browser: Dutch before anyone signs in.
    await page.goto(`${server.url()}/#/login`);
    await page.waitForSelector('[data-testid=login-form]');
    const loginText = await pageTexts(page);
    expect(loginText.match(UNTRANSLATED) ?? [], 'login').toEqual([]);
    expect(loginText).toContain('Inloggen');
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=side-nav]', { state: 'attached' });
    expect(await page.getAttribute('html', 'lang')).toBe('nl');

    const problems: string[] = [];
    for (const { hash, words } of pages(handles)) {
      visited.add(parseHash(hash).name);
      errors.length = 0;
      await page.goto(`${server.url()}/${hash}`);
      await settle(page);
      const text = await pageTexts(page);
      const keys = [...new Set(text.match(UNTRANSLATED) ?? [])];
      if (keys.length > 0) problems.push(`${hash}: untranslated ${keys.join(', ')}`);
      const main = await page.locator('main').innerText();
      const missing = words.filter((w) => !main.toLowerCase().includes(w.toLowerCase())); // CSS may upper-case headings
      if (missing.length > 0) problems.push(`${hash}: no ${missing.map((w) => `"${w}"`).join(', ')}`);
      if (errors.length > 0) problems.push(`${hash}: threw ${errors.join('; ')}`);
      if (main.trim().length < 20) problems.push(`${hash}: empty page`);
    }
    expect(problems).toEqual([]);
    // 'setup' is the first-start page of a fresh server: the last test walks it.
    expect(routeNames().filter((n) => !visited.has(n) && n !== 'setup')).toEqual([]);
    await page.close();
  }, 180_000);

  it('switches to English on the account page and keeps it after a reload', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url()}/#/account`);
    if (
      (await page.waitForSelector('[data-testid=login-form], [data-testid=side-nav]', { state: 'attached' }).then((el) => el.getAttribute('data-testid'))) ===
      'login-form'
    ) {
      await page.fill('[data-testid=login-username]', 'admin');
      await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
      await page.click('[data-testid=login-submit]');
    }
    await page.waitForSelector('[data-testid=account-locale]');
    expect(await page.textContent('[data-testid=nav-fleet]')).toContain('Apparaten');
    await page.selectOption('[data-testid=account-locale]', 'en');
    await expect.poll(() => page.textContent('[data-testid=nav-fleet]')).toContain('Fleet');
    expect(await page.textContent('[data-testid=account-page] h1')).toBe('Account');
    expect(await page.textContent('[data-testid=password-form]')).toContain('Change password');
    await page.reload();
    await page.waitForSelector('[data-testid=side-nav]', { state: 'attached' });
    await expect.poll(() => page.textContent('[data-testid=nav-fleet]')).toContain('Fleet');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // Back to "as my browser": Dutch again.
    await page.waitForSelector('[data-testid=account-locale]');
    await page.selectOption('[data-testid=account-locale]', '');
    await expect.poll(() => page.textContent('[data-testid=nav-fleet]')).toContain('Apparaten');
    // Signed out, the login page speaks the last choice of this browser (here: the browser's own).
    await page.click('[data-testid=logout]');
    await page.waitForSelector('[data-testid=login-form]');
    expect(await page.textContent('[data-testid=login-form] h1')).toBe('Inloggen');
    await page.close();
  }, 60_000);

  it('shows the first-start setup page of a fresh server in Dutch', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-i18n-setup-'));
    const fresh = await createServer({ dataDir: dir, logger: pino({ level: 'silent' }) });
    await fresh.listen(0, '127.0.0.1');
    try {
      const page = await context.newPage();
      await page.goto(`${fresh.url()}/#/setup?code=${encodeURIComponent(fresh.setupCode!)}`);
      await page.waitForSelector('[data-testid=setup-form]');
      const text = await pageTexts(page);
      expect(text.match(UNTRANSLATED) ?? []).toEqual([]);
      for (const w of ['Quarkpulse inrichten', 'Beheerder', 'Installatie afronden']) expect(text).toContain(w);
      await page.close();
    } finally {
      await fresh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
