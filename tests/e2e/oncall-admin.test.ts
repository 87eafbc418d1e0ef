/**
 * Browser end-to-end on the set-up pages: a technician creates a signed webhook channel through
 * the form (the server's field error first, then a good config) and sends a test message to a
 * real HTTP receiver on loopback; takes a night on a schedule with an override; disables a
 * device from its page (its agent is disconnected). A viewer finds none of those buttons. The
 * audit log endpoint is built on another branch: its page is checked against the shared shape
 * (shared/audit-types.ts) and a 404 with stubbed answers.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '../../shared/audit-types.js';
import { hashPassword } from '../../server/lib/secrets.js';
import { signWebhook } from '../../server/notify/channels/webhook.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';
import { createUser } from '../helpers/oncall-setup.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser } from './browser.js';

const SECRET = 'hook-secret-0123456789';

describe.runIf(hasBrowser())('channels, on-call and device management in a real browser', () => {
  let t: TestServer;
  let http: HttpReceiver;
  let admin: ApiClient;
  let viewer: ApiClient;
  let browser: Browser;
  let agent: TestAgent;
  let deviceId: string;
  let scheduleId: string;
  let piet: { id: string };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    http = await startHttpReceiver();
    t = await startTestServer();
    admin = new ApiClient(t.url);
    await admin.login();
    t.server.ctx.users.create({ username: 'vera', passwordHash: await hashPassword('vera-password-123'), role: 'viewer' }, Date.now());
    viewer = new ApiClient(t.url);
    await viewer.login('vera', 'vera-password-123');
    piet = await createUser(admin, 'piet', 'technician', 'piet@example.com');
    const me = (await admin.get('/api/me')).json as { id: string };
    const schedule = await admin.post('/api/oncall/schedules', {
      name: 'Primary',
      timezone: 'Europe/Amsterdam',
      layers: [{ name: 'Weekly', userIds: [me.id], rotationDays: 7, startDate: '2025-01-06', handoffTime: '09:00' }],
    });
    scheduleId = schedule.json.id;
    const dev = await enrollTestDevice(admin, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01' });
    deviceId = dev.deviceId;
    agent = await startTestAgent(t.url, dev.deviceToken, { hostname: 'jansen-srv01' });
    await agent.report([{ name: 'cpu.loadPct', value: 12 }]);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    agent?.close();
    await browser?.close();
    await t?.close();
    await http?.close();
  });

  async function pageAs(api: ApiClient): Promise<Page> {
    // UTC: no daylight-saving night can make the default 18:00–08:00 override 13 or 15 hours.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
    contexts.push(context);
    const [name, value] = api.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  it('creates a webhook channel from the form and sends a signed test to a real receiver', async () => {
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/channels`);
    // No channels yet: the empty state explains, and the new-channel form is already open.
    await page.waitForSelector('[data-testid=channels-empty]');
    await page.selectOption('[data-testid=channel-type]', 'webhook');
    await page.fill('[data-testid=channel-name]', 'Ticketing');
    await page.fill('[data-testid=channel-config-url]', http.url('/hook'));
    await page.fill('[data-testid=channel-config-secret]', 'too-short');
    await page.click('[data-testid=channel-save]');
    // The server's exact message, and the field it names marked.
    await expect.poll(() => page.textContent('[data-testid=channel-form-error]')).toBe('config.secret: secret must be at least 16 characters');
    expect(await page.getAttribute('[data-testid=channel-config-secret]', 'aria-invalid')).toBe('true');

    await page.fill('[data-testid=channel-config-secret]', SECRET);
    await page.click('[data-testid=channel-save]');
    const card = page.locator('[data-testid=channel-row][data-channel-name=Ticketing]');
    await card.waitFor();
    // The secret is never shown; the API answers it masked.
    expect(await card.textContent()).not.toContain(SECRET);

    await card.locator('[data-testid=channel-test]').click();
    await expect.poll(() => card.locator('[data-testid=channel-test-result]').textContent()).toBe('Delivered — HTTP 200: ok');
    const [received] = http.accepted('/hook');
    expect(received).toBeDefined();
    const body = JSON.parse(received!.body) as { event: string };
    expect(body.event).toBe('test');
    const ts = Number(received!.headers['x-quarkpulse-timestamp']);
    expect(received!.headers['x-quarkpulse-signature']).toBe(signWebhook(SECRET, ts, received!.body));
  });

  it('adds an override: piet takes the next night', async () => {
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/oncall`);
    const card = page.locator(`[data-testid=schedule-row][data-schedule-id="${scheduleId}"]`);
    await card.locator('[data-testid=overrides-empty]').waitFor();
    await card.locator('[data-testid=override-add]').click();
    await card.locator('[data-testid=override-user]').selectOption({ label: 'piet' });
    await card.locator('[data-testid=override-note]').fill('swap for the dentist');
    await card.locator('[data-testid=override-save]').click();
    await card.locator('[data-testid=override-row]').waitFor();
    expect(await card.locator('[data-testid=override-row]').textContent()).toContain('piet');

    const overrides = (await admin.get(`/api/oncall/schedules/${scheduleId}/overrides`)).json as {
      userId: string;
      startsAtMs: number;
      endsAtMs: number;
      note: string;
    }[];
    expect(overrides).toHaveLength(1);
    expect(overrides[0]).toMatchObject({ userId: piet.id, note: 'swap for the dentist' });
    // The form's default: 18:00 to 08:00 the next morning, 14 h (in the browser's zone).
    expect(overrides[0]!.endsAtMs - overrides[0]!.startsAtMs).toBe(14 * 3_600_000);
  });

  it('disables a device from its page, which disconnects its agent', async () => {
    const page = await pageAs(admin);
    await page.goto(`${t.url}/#/devices/${deviceId}`);
    await page.click('[data-testid=device-disable]');
    await expect.poll(() => page.textContent('[data-testid=device-status]')).toBe('Disabled');
    await page.waitForSelector('[data-testid=device-enable]');
    expect((await admin.get(`/api/devices/${deviceId}`)).json.isDisabled).toBe(true);
    expect((await agent.ws.closed).code).toBe(4003);
  });

  it('shows a viewer the same pages without a single action button', async () => {
    const page = await pageAs(viewer);
    await page.goto(`${t.url}/#/channels`);
    await page.waitForSelector('[data-testid=channel-row]');
    for (const id of ['channel-new', 'channel-test', 'channel-edit', 'channel-delete', 'channel-enabled'])
      expect(await page.locator(`[data-testid=${id}]`).count(), id).toBe(0);

    await page.goto(`${t.url}/#/oncall`);
    await page.waitForSelector('[data-testid=override-row]');
    for (const id of ['schedule-new', 'override-add', 'override-remove', 'schedule-edit', 'schedule-delete', 'policy-new'])
      expect(await page.locator(`[data-testid=${id}]`).count(), id).toBe(0);

    await page.goto(`${t.url}/#/devices/${deviceId}`);
    await page.waitForSelector('[data-testid=agent-effective]');
    for (const id of ['device-admin', 'device-enable', 'device-disable', 'device-rotate', 'agent-save'])
      expect(await page.locator(`[data-testid=${id}]`).count(), id).toBe(0);
    expect(await page.locator('[data-testid=nav-audit]').count()).toBe(0);
  });

  it('pages through the audit log with filters, and says when the server has none', async () => {
    const page = await pageAs(admin);
    // A server without the audit module answers its generic 404 (stubbed, so this holds once it has one).
    await page.route('**/api/audit?*', (route) =>
      route.fulfill({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'no route for GET /api/audit' } } }),
    );
    await page.goto(`${t.url}/#/audit`);
    await page.waitForSelector('[data-testid=audit-missing]');
    expect(await page.textContent('[data-testid=audit-missing]')).toContain('Audit log not available on this server');

    await page.unroute('**/api/audit?*');
    const asked: URLSearchParams[] = [];
    const entry = (n: number): AuditPage['entries'][number] => ({
      id: 100 - n,
      atMs: Date.now() - n * 60_000,
      actorId: null,
      actorName: 'admin',
      action: 'device.disable',
      entityType: 'device',
      entityId: deviceId,
      summary: `change ${n}`,
      detail: n === 1 ? { reason: 'stolen laptop' } : {},
    });
    await page.route('**/api/audit?*', async (route) => {
      const q = new URL(route.request().url()).searchParams;
      asked.push(q);
      const body: AuditPage = q.get('before') ? { entries: [entry(3)], nextBefore: null } : { entries: [entry(1), entry(2)], nextBefore: 98 };
      await route.fulfill({ json: body });
    });
    await page.goto(`${t.url}/#/audit?entityType=device&entityId=${deviceId}`);
    await expect.poll(() => page.locator('[data-testid=audit-row]').count()).toBe(2);
    await page.click('[data-testid=audit-more]');
    await expect.poll(() => page.locator('[data-testid=audit-row]').count()).toBe(3);
    expect(await page.locator('[data-testid=audit-more]').count()).toBe(0);
    expect(await page.textContent('[data-testid=audit-list]')).toContain('stolen laptop');
    expect(asked.map((q) => [q.get('entityType'), q.get('entityId'), q.get('before')])).toEqual([
      ['device', deviceId, null],
      ['device', deviceId, '98'],
    ]);
  });
});
