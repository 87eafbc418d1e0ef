/**
 * First start in a real browser (chromium): a fresh server without QP_ADMIN_PASSWORD sends
 * every visitor to the setup page, which needs the one-time code the server printed. The page
 * sets the admin password, the public URL (with the server's warning for a loopback one), the
 * time zone, the first client and the e-mail server (a real test mail through smtp-server on
 * loopback). The alert mail that follows carries links to that public URL, and they work.
 * Afterwards the page and the API say setup is done.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackLinkIn, fireDiskAlert } from '../helpers/oncall-setup.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser, watchPage } from './browser.js';

const PASSWORD = 'a-long-setup-password';

describe.runIf(hasBrowser())('first-start setup in a real browser', () => {
  let t: TestServer;
  let smtp: SmtpReceiver;
  let browser: Browser;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = await startTestServer({ adminPassword: undefined });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    agent?.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('still leads to setup when the first question to the server is lost', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let dropped = 0;
    // The real server, one lost answer: the first GET /api/setup never arrives.
    await page.route('**/api/setup', (route) => (route.request().method() === 'GET' && dropped++ === 0 ? route.abort('connectionreset') : route.continue()));
    await page.goto(`${t.url}/#/alerts`);
    await watchPage(page).waitFor('[data-testid=setup-form]');
    expect(dropped).toBeGreaterThanOrEqual(2);
    expect(new URL(page.url()).hash).toBe('#/setup');
    await context.close();
  });

  it('sets the password, public URL, time zone, first client and mail server; alert links use the URL and work', { timeout: 90_000 }, async () => {
    const code = t.server.setupCode!;
    expect(code).toMatch(/^[\w-]{20,}$/);
    expect(t.server.setupUrl()).toBe(`${t.url}/#/setup?code=${code}`);
    const port = new URL(t.url).port;
    const publicUrl = `http://localhost:${port}`;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
    const page = await context.newPage();
    const watched = watchPage(page);
    // Any address of a fresh server leads to setup; without the code the page asks for it.
    await page.goto(`${t.url}/#/clients`);
    await watched.waitFor('[data-testid=setup-form]');
    expect(new URL(page.url()).hash).toBe('#/setup');
    await page.fill('[data-testid=setup-code]', 'not-the-code');
    await page.waitForSelector('[data-testid=setup-url-error]');
    expect(await page.textContent('[data-testid=setup-url-error]')).toContain('the setup code is wrong');

    await page.goto(`${t.url}/#/setup?code=${encodeURIComponent(code)}`);
    await page.reload();
    await watched.waitFor('[data-testid=setup-form]');
    expect(await page.locator('[data-testid=setup-code]').count()).toBe(0);
    await page.fill('[data-testid=setup-password]', PASSWORD);
    await page.fill('[data-testid=setup-password-repeat]', PASSWORD);
    await page.fill('[data-testid=setup-admin-email]', 'admin@example.com');
    // Pre-filled with the browser's address; the server warns about a loopback one.
    expect(await page.inputValue('[data-testid=setup-public-url]')).toBe(t.url);
    await page.fill('[data-testid=setup-public-url]', publicUrl);
    // The pre-filled address has its own loopback warning: wait for the one about the typed URL.
    await page.locator('[data-testid=setup-url-warning]', { hasText: 'localhost is' }).waitFor();
    expect(await page.textContent('[data-testid=setup-url-warning]')).toBe(
      'localhost is this machine only (loopback): links in alert mails and install commands will not open on a phone or another PC',
    );
    await page.selectOption('[data-testid=setup-timezone]', 'Europe/Amsterdam');
    await page.fill('[data-testid=setup-client-name]', 'Jansen Accountants');
    await page.fill('[data-testid=setup-smtp-host]', '127.0.0.1');
    await page.fill('[data-testid=setup-smtp-port]', String(smtp.port));
    await page.selectOption('[data-testid=setup-smtp-security]', 'none');
    await page.fill('[data-testid=setup-smtp-from]', 'Quarkpulse <alerts@example.com>');
    await page.click('[data-testid=setup-smtp-test]');
    await page.waitForSelector('[data-testid=setup-smtp-result]');
    expect(await page.getAttribute('[data-testid=setup-smtp-result]', 'data-ok')).toBe('true');
    await smtp.waitFor(1);
    expect(smtp.to('admin@example.com').map((m) => m.subject)).toEqual(['Quarkpulse test message (new Email (SMTP) channel)']);

    await page.click('[data-testid=setup-submit]');
    // Signed in as the new admin, on the dashboard; the loopback URL shows its banner now that a channel exists.
    await page.waitForSelector('[data-testid=side-nav]');
    await page.waitForSelector('[data-testid=public-url-banner]');
    expect(await page.textContent('[data-testid=public-url-banner]')).toContain(`Links in notifications point at ${publicUrl}`);

    const api = new ApiClient(t.url);
    await api.login('admin', PASSWORD);
    expect((await api.get('/api/setup')).json).toEqual({ isNeeded: false, publicUrlOverride: null });
    const again = await new ApiClient(t.url).post('/api/setup', {
      code,
      admin: { password: 'another-password-1' },
      publicUrl: 'https://evil.example.com',
      timezone: 'UTC',
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('SETUP_DONE');
    expect((await api.get('/api/settings/public-url')).json).toMatchObject({ publicUrl, source: 'setup', isLoopback: true, hasChannels: true });
    const client = ((await api.get('/api/clients')).json as { name: string; timezone: string; contract: string }[]).find(
      (c) => c.name === 'Jansen Accountants',
    );
    expect(client).toMatchObject({ timezone: 'Europe/Amsterdam', contract: 'monthly' });
    const audit = (await api.get('/api/audit?limit=20')).json.entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['user.create', 'server.setup', 'client.create', 'channel.create']));

    // Install commands shown in the dashboard start with the public URL, not the browser's origin.
    const clientId = ((await api.get('/api/clients')).json as { id: string; name: string }[]).find((c) => c.name === 'Jansen Accountants')!.id;
    const clientPage = await context.newPage();
    await clientPage.goto(`${t.url}/#/clients/${clientId}`);
    await clientPage.click('[data-testid=create-token]');
    await clientPage.waitForSelector('[data-testid=token-result]');
    const commands = await clientPage.textContent('[data-testid=token-result]');
    expect(commands).toContain(`curl -fsSL ${publicUrl}/install.sh`);
    expect(commands).toContain(`irm '${publicUrl}/install.ps1' | iex`);
    expect(commands).not.toContain(t.url);

    // An alert of the client set up: the mail to the admin links to the public URL, and the link works.
    const fired = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    agent = fired.agent;
    await t.server.ctx.notify.tick();
    await smtp.waitFor(2);
    const page1 = smtp.to('admin@example.com').at(-1)!;
    expect(page1.subject).toMatch(/^\[CRITICAL\] /);
    const ack = ackLinkIn(page1.text);
    expect(ack.startsWith(`${publicUrl}/ack/`)).toBe(true);
    expect(page1.text).toContain(`${publicUrl}/#/devices/${fired.dev.deviceId}`);
    const acked = await fetch(ack, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(acked.status).toBe(200);
    expect((await api.get(`/api/alerts/${fired.alert!.id}`)).json.state).toBe('acknowledged');

    // The setup page now only says it is done.
    const later = await browser.newContext();
    const p2 = await later.newPage();
    await p2.goto(`${t.url}/#/setup?code=${encodeURIComponent(code)}`);
    await p2.waitForSelector('[data-testid=setup-done]');
    await later.close();
    await context.close();
  });
});
