/**
 * No silent gaps in a real browser: a schedule made with the form's defaults has someone on
 * call now; a policy whose schedule starts later today shows the gap in the banner and on the
 * on-call page, and an alert in the gap pages the fallback (real SMTP on loopback) and reads
 * "unrouted" in the alert list; "Page me now" on the account page reaches the contact point.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, fireDiskAlert } from '../helpers/oncall-setup.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('on-call gaps in a real browser', () => {
  let t: TestServer;
  let smtp: SmtpReceiver;
  let admin: ApiClient;
  let browser: Browser;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = await startTestServer();
    admin = new ApiClient(t.url);
    await admin.login();
    browser = await launchBrowser();
    const me = (await admin.get('/api/me')).json as { id: string };
    expect((await admin.request('PATCH', `/api/users/${me.id}`, { email: 'admin@example.com' })).status).toBe(200);
    expect(
      (
        await admin.post('/api/channels', {
          type: 'email',
          name: 'Mail',
          config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'alerts@example.com' },
        })
      ).status,
    ).toBe(201);
    await createUser(admin, 'piet', 'technician', 'piet@example.com');
  }, 60_000);
  afterAll(async () => {
    agent?.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  async function pageAt(hash: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Amsterdam', locale: 'en-GB' });
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/${hash}`);
    return page;
  }

  it('a schedule made with the form defaults has someone on call now', async () => {
    const page = await pageAt('#/oncall');
    await page.click('[data-testid=schedule-new]');
    await page.fill('[data-testid=schedule-name]', 'Primary');
    expect(await page.inputValue('[data-testid=layer-start-date]')).toBe('');
    await page.selectOption('[data-testid=layer-add-member]', { label: 'piet' });
    await page.click('[data-testid=schedule-save]');
    await expect.poll(() => page.locator('[data-testid=oncall-now-person]').first().textContent(), { timeout: 10_000 }).toBe('piet');
    const now = (await admin.get('/api/oncall/now')).json;
    expect(now.schedules[0].current).toMatchObject({ username: 'piet', source: 'layer' });
    await page.context().close();
  });

  it('a gap shows as a banner and on the on-call page; an alert in it pages the fallback and reads "unrouted"', async () => {
    // A schedule whose first handoff is tomorrow: nobody until then.
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' });
    const piet = (await admin.get('/api/users')).json.find((u: { username: string }) => u.username === 'piet');
    const s = await admin.post('/api/oncall/schedules', {
      name: 'Later',
      timezone: 'Europe/Amsterdam',
      layers: [{ name: 'Weekly', userIds: [piet.id], startDate: tomorrow }],
    });
    expect(s.status, s.text).toBe(201);
    const p = await admin.post('/api/escalation-policies', {
      name: 'Standard',
      isDefault: true,
      levels: [{ afterMs: 0, targets: [{ type: 'schedule', scheduleId: s.json.id }] }],
    });
    expect(p.status, p.text).toBe(201);

    const page = await pageAt('#/oncall');
    const banner = page.locator('[data-testid=gap-banner]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toMatch(
      /^On-call gap: Standard pages nobody \w{3} \d\d:\d\d–\w{3} 09:00 \(nobody is on call on schedule "Later"\)\. Alerts then go to the fallback\. Fix on the on-call page$/,
    );
    const gap = page.locator('[data-testid=gap-policy] [data-testid=gap]');
    await expect.poll(() => gap.count()).toBe(1);
    expect(await gap.textContent()).toMatch(/^\w{3} \d\d:\d\d–\w{3} 09:00: nobody — nobody is on call on schedule "Later"$/);

    const fired = await fireDiskAlert(t, admin, { clientName: 'Jansen Accountants', hostname: 'jansen-srv' });
    agent = fired.agent;
    await expect.poll(() => smtp.mails.map((m) => m.to.join(',')), { timeout: 15_000 }).toEqual(['admin@example.com']);
    await page.goto(`${t.url}/#/alerts`);
    const row = page.locator(`[data-testid=alert-row][data-alert-id="${fired.alert!.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('[data-testid=unrouted]').textContent()).toBe('unrouted');
    await page.context().close();
  });

  it('"Page me now" on the account page sends a real page and shows the receiver\'s answer', async () => {
    const before = smtp.mails.length;
    const page = await pageAt('#/account');
    await page.click('[data-testid=test-page-button]');
    const results = page.locator('[data-testid=test-page-results]');
    await results.waitFor({ timeout: 15_000 });
    expect(await results.textContent()).toMatch(/^Sent — Mail → admin <admin@example\.com> \(250 /);
    expect(smtp.mails.slice(before).map((m) => [m.to.join(','), m.subject])).toEqual([['admin@example.com', '[TEST PAGE] Quarkpulse can reach admin (Mail)']]);
    await page.context().close();
  });
});
