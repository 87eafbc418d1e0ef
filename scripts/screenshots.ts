/**
 * Screenshots of every main dashboard page at desktop (1280×800) and phone (390×844) width, in
 * light theme (plus the fleet, device and on-call pages in dark), into docs/screenshots/; the
 * `-nl` shots show the dashboard in Dutch (a browser whose language is nl-NL). A real
 * server with seeded demo data (scripts/demo/seed.ts, then seed-oncall.ts) and Debian's
 * chromium; the dashboard must be built (npm run screenshots builds it first).
 *
 *   npm run screenshots [-- --only fleet,device]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createServer } from '../server/index.js';
import { launchBrowser } from '../tests/e2e/browser.js';
import { seedDemo, session, type DemoHandles } from './demo/seed.js';
import { createAgent } from '../agent/index.js';
import { SNMPD, printerValues, startSnmpd, upsValues } from '../tests/probe/snmpd.js';
import { seedOnCall } from './demo/seed-oncall.js';

const ADMIN_PASSWORD = 'demo-admin-password';
const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(repoDir, 'docs', 'screenshots');

interface Shot {
  name: string;
  hash: (h: DemoHandles) => string;
  /** Selector that shows the page is ready. */
  ready: string;
  /** Extra wait for charts to draw, ms. */
  settleMs?: number;
  /** Capture the whole page, not just the viewport. */
  isFullPage?: boolean;
  /** Run before the capture (open a menu, expand a form). */
  prepare?: (page: Page) => Promise<void>;
  themes?: ('light' | 'dark')[];
  viewports?: ('desktop' | 'phone')[];
  /** Taken signed out (the login page). */
  isSignedOut?: boolean;
  /** The browser's language: `nl` shows the dashboard in Dutch (the name then ends in `-nl`). */
  lang?: 'nl';
  /** Answers for API paths, for states the demo server is not in (single sign-on needs a provider). */
  fakeApi?: Record<string, unknown>;
}

/** Shots of the site probe: they need Debian's snmpd to play the printer. */
const SITE_PROBE_SHOTS = ['client-discovery', 'printer', 'client-discovery-nl', 'printer-nl'];

/** Scrolls a section's heading to the top, just under the sticky top bar, and lets it settle. */
async function scrollToHeading(page: Page, headingId: string): Promise<void> {
  await page.evaluate(`document.getElementById('${headingId}').scrollIntoView({ block: 'start' }); window.scrollBy(0, -72)`);
  await page.waitForTimeout(400);
}

const SHOTS: Shot[] = [
  { name: 'login', hash: () => '#/login', ready: '[data-testid=login-form]', isSignedOut: true },
  {
    // Single sign-on on, passwords only for break-glass admins.
    name: 'login-sso',
    hash: () => '#/login',
    ready: '[data-testid=login-sso]',
    isSignedOut: true,
    fakeApi: { '/api/sign-in-methods': { password: 'break-glass', sso: { displayName: 'Microsoft', startUrl: '/auth/sso/start' } } },
  },
  { name: 'fleet', hash: () => '#/', ready: '[data-testid=device-row]', themes: ['light', 'dark'] },
  {
    name: 'device',
    hash: (h) => `#/devices/${h.deviceIds['jansen-srv01']}`,
    ready: '[data-testid=chart][data-points]:not([data-points="0"])',
    settleMs: 600,
    isFullPage: true,
    themes: ['light', 'dark'],
  },
  {
    // The device's maintenance: a health check and an update scan a technician ran.
    name: 'device-jobs',
    hash: (h) => `#/devices/${h.deviceIds['jansen-srv01']}`,
    ready: '[data-testid=job-row][data-state=done]',
    prepare: (page) => scrollToHeading(page, 'device-jobs-title'),
  },
  {
    // A monthly client's scheduled maintenance, in its patch night, in two rings.
    name: 'client-maintenance',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=policy-row]',
    prepare: (page) => scrollToHeading(page, 'client-policies-title'),
  },
  {
    // A client's patch compliance, from the jobs' results.
    name: 'client-compliance',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=compliance-row]',
    prepare: (page) => scrollToHeading(page, 'client-compliance-title'),
  },
  {
    // Network discovery on a client's page: a finished scan, the printer monitored, the UPS not yet.
    name: 'client-discovery',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=found-device-link]',
    prepare: (page) => scrollToHeading(page, 'client-discovery'),
  },
  {
    // A network printer found by discovery: toner per colour, paper, page count, its SNMP check.
    name: 'printer',
    hash: (h) => `#/devices/${h.deviceIds['printer-reception']}`,
    ready: '[data-testid=toner-level][data-supply=cyan]',
    settleMs: 400,
    isFullPage: true,
  },
  {
    // The client's monthly report: preview, send now, settings, and the archive with last month's.
    name: 'client-report',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=archive-row]',
    prepare: (page) => scrollToHeading(page, 'client-report'),
  },
  {
    // Its read-only status links, one without host names for the shop screen.
    name: 'client-status-links',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=status-link-row]',
    prepare: (page) => scrollToHeading(page, 'client-status-links'),
  },
  {
    // What the client sees at the status link: no login, no host names.
    name: 'status-page',
    hash: (h) => h.statusPath!,
    ready: '[data-testid=status-summary]',
    isSignedOut: true,
    isFullPage: true,
  },
  {
    // Install the agent: a fresh enrollment token and the one line per OS.
    name: 'client-enroll',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=create-token]',
    prepare: async (page) => {
      await page.click('[data-testid=create-token]');
      await page.waitForSelector('[data-testid=token-result]');
      await scrollToHeading(page, 'client-enroll');
    },
    isFullPage: false,
  },
  { name: 'alerts', hash: () => '#/alerts', ready: '[data-testid=alert-row]', isFullPage: true },
  { name: 'alert', hash: (h) => `#/alerts/${h.acknowledgedAlertId}`, ready: '[data-testid=timeline]', isFullPage: true },
  // One page per outage: the dentist's line dropped, three devices offline, one group.
  {
    name: 'alerts-grouped',
    hash: () => '#/alerts',
    ready: '[data-testid=grouped]',
    isFullPage: true,
    prepare: async (page) => {
      await page.fill('input[placeholder^="Search device"]', 'Tandarts');
      await page.waitForTimeout(200);
    },
  },
  {
    // The server's own health failing (answers as GET /api/system/checks gives them).
    name: 'self-check-banner',
    hash: () => '#/maintenance',
    ready: '[data-testid=self-check-banner]',
    fakeApi: {
      '/api/system/checks': {
        isEnabled: true,
        checks: [
          {
            id: 'disk',
            status: 'critical',
            summary: 'Disk nearly full: 4.1 GB free of 100 GB (4.1 %) under /var/lib/quarkpulse (limit 10 % free)',
            sinceMs: Date.now() - 720_000,
          },
          { id: 'backup', status: 'warning', summary: 'Backup old: the newest in /backup/quarkpulse is 3 d old (limit 2 d)', sinceMs: Date.now() - 3_600_000 },
          { id: 'ingest', status: 'ok', summary: 'Reports are stored as they come', sinceMs: Date.now() - 86_400_000 },
        ],
      },
    },
  },
  { name: 'incidents', hash: () => '#/incidents', ready: '[data-testid=incident-row]', isFullPage: true },
  { name: 'incident', hash: (h) => `#/incidents/${h.openIncidentId}`, ready: '[data-testid=snapshot]', isFullPage: true },
  { name: 'billing', hash: (h) => `#/billing?client=${h.clientIds['Bakkerij de Vries']}`, ready: '[data-testid=billing-table]', isFullPage: true },
  { name: 'clients', hash: () => '#/clients', ready: '[data-testid=client-row]', isFullPage: true },
  {
    name: 'client-advisor',
    hash: (h) => `#/clients/${h.clientIds['Bakkerij de Vries']}`,
    ready: '[data-testid=advisor-chart]',
    settleMs: 400,
    isFullPage: true,
  },
  { name: 'rules', hash: () => '#/rules', ready: '[data-testid=rule-row]', isFullPage: true },
  { name: 'maintenance', hash: () => '#/maintenance', ready: '[data-testid=maintenance-row]', isFullPage: true },
  { name: 'oncall', hash: () => '#/oncall', ready: '[data-testid=override-row]', isFullPage: true, themes: ['light', 'dark'] },
  {
    name: 'oncall-override',
    hash: () => '#/oncall',
    ready: '[data-testid=override-row]',
    viewports: ['phone'],
    prepare: async (page) => {
      await page.click('[data-testid=override-add]');
      await page.locator('[data-testid=override-form]').scrollIntoViewIfNeeded();
    },
  },
  {
    // A standby rotation that starts next Saturday, for one client: a gap until then.
    name: 'oncall-gaps',
    hash: () => '#/oncall',
    ready: '[data-testid=gaps-panel]',
    isFullPage: true,
    prepare: async (page) => {
      await page.evaluate(CREATE_GAP_DEMO);
      await page.reload();
      await page.waitForSelector('[data-testid=gap-banner]', { timeout: 15_000 });
      await page.waitForSelector('[data-testid=gap]', { timeout: 15_000 });
    },
  },
  { name: 'channels', hash: () => '#/channels', ready: '[data-testid=channel-row]', isFullPage: true },
  { name: 'users', hash: () => '#/users', ready: '[data-testid=user-row]', isFullPage: true },
  {
    // The single sign-on panel filled in for Microsoft Entra ID (not saved: the demo has no provider).
    name: 'users-sso',
    hash: () => '#/users',
    ready: '[data-testid=user-row]',
    isFullPage: true,
    prepare: async (page) => {
      await page.click('[data-testid=sso-panel] > summary');
      await page.check('[data-testid=sso-enabled]');
      await page.fill('[data-testid=sso-name]', 'Microsoft');
      await page.fill('[data-testid=sso-issuer]', 'https://login.microsoftonline.com/4d7e2c1a-93b5-4f0e-8a61-2b9c7d3e5f10/v2.0');
      await page.fill('[data-testid=sso-client-id]', '8c1f5a2e-6b47-4d93-b0e8-71a4c9d2f356');
      await page.fill('[data-testid=sso-client-secret]', 'example-secret');
      await page.fill('[data-testid=sso-role-claim]', 'roles');
      await page.fill('[data-testid=sso-admin-groups]', 'Quarkpulse.Admin');
      await page.fill('[data-testid=sso-technician-groups]', 'Quarkpulse.Technician');
      await page.fill('[data-testid=sso-viewer-groups]', 'Quarkpulse.Viewer');
      await page.selectOption('[data-testid=sso-password-sign-in]', 'break-glass');
      await page.fill('[data-testid=sso-break-glass]', 'admin');
      await page.evaluate('document.activeElement.blur(); window.scrollTo(0, 0)');
    },
  },
  { name: 'account', hash: () => '#/account', ready: '[data-testid=password-form]' },
  {
    name: 'menu',
    hash: () => '#/alerts',
    ready: '[data-testid=alert-row]',
    viewports: ['phone'],
    prepare: async (page) => {
      await page.click('[data-testid=menu-toggle]');
      await page.waitForTimeout(250);
    },
  },
  // The dashboard in Dutch: a browser whose first language is nl-NL, nothing chosen on the account page.
  { name: 'login-nl', lang: 'nl', hash: () => '#/login', ready: '[data-testid=login-form]', isSignedOut: true },
  { name: 'fleet-nl', lang: 'nl', hash: () => '#/', ready: '[data-testid=device-row]' },
  {
    name: 'device-nl',
    lang: 'nl',
    hash: (h) => `#/devices/${h.deviceIds['jansen-srv01']}`,
    ready: '[data-testid=chart][data-points]:not([data-points="0"])',
    settleMs: 600,
    isFullPage: true,
  },
  { name: 'alerts-nl', lang: 'nl', hash: () => '#/alerts', ready: '[data-testid=alert-row]', isFullPage: true },
  { name: 'incident-nl', lang: 'nl', hash: (h) => `#/incidents/${h.openIncidentId}`, ready: '[data-testid=snapshot]', isFullPage: true },
  {
    name: 'client-nl',
    lang: 'nl',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=advisor-chart]',
    settleMs: 400,
    isFullPage: true,
  },
  {
    // The alert page in Dutch: its words from the rule, and effort booked on it (not billed).
    name: 'alert-time-nl',
    lang: 'nl',
    hash: (h) => `#/alerts/${h.acknowledgedAlertId}`,
    ready: '[data-testid=alert-time]',
    prepare: async (page) => {
      await page.evaluate(bookAlertTime(page.url().split('/').pop()!));
      await page.reload();
      await page.waitForSelector('[data-testid=alert-time] [data-testid=time-entry]');
      await scrollToHeading(page, 'alert-time-title');
    },
  },
  {
    name: 'billing-nl',
    lang: 'nl',
    hash: (h) => `#/billing?client=${h.clientIds['Bakkerij de Vries']}`,
    ready: '[data-testid=billing-table]',
    isFullPage: true,
  },
  {
    name: 'client-report-nl',
    lang: 'nl',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=archive-row]',
    prepare: (page) => scrollToHeading(page, 'client-report'),
  },
  { name: 'oncall-nl', lang: 'nl', hash: () => '#/oncall', ready: '[data-testid=override-row]', isFullPage: true },
  {
    name: 'client-discovery-nl',
    lang: 'nl',
    hash: (h) => `#/clients/${h.clientIds['Jansen Accountants']}`,
    ready: '[data-testid=found-device-link]',
    prepare: (page) => scrollToHeading(page, 'client-discovery'),
  },
  {
    name: 'printer-nl',
    lang: 'nl',
    hash: (h) => `#/devices/${h.deviceIds['printer-reception']}`,
    ready: '[data-testid=toner-level][data-supply=cyan]',
    settleMs: 400,
    isFullPage: true,
  },
  { name: 'account-nl', lang: 'nl', hash: () => '#/account', ready: '[data-testid=password-form]', isFullPage: true },
  {
    name: 'menu-nl',
    lang: 'nl',
    hash: () => '#/alerts',
    ready: '[data-testid=alert-row]',
    viewports: ['phone'],
    prepare: async (page) => {
      await page.click('[data-testid=menu-toggle]');
      await page.waitForTimeout(250);
    },
  },
];

/** Runs in the page (signed in): 25 minutes of effort on the alert, once. A string, as CREATE_GAP_DEMO below. */
const bookAlertTime = (alertId: string) => `(async () => {
  const url = '/api/alerts/${alertId}/time-entries';
  const headers = { accept: 'application/json', 'content-type': 'application/json' };
  const entries = await (await fetch(url, { headers })).json();
  if (entries.length > 0) return;
  await fetch(url, { method: 'POST', headers, body: JSON.stringify({ minutes: 25, note: 'Oude back-ups van D: naar de NAS verplaatst' }) });
})()`;

/**
 * Runs in the page (signed in): a schedule starting next Saturday and a client policy paging it.
 * Idempotent. A string, because tsx would wrap a function in helpers the page does not have.
 */
const CREATE_GAP_DEMO = `(async () => {
  const json = async (method, url, body) => {
    const r = await fetch(url, { method, headers: { accept: 'application/json', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return r.json();
  };
  const schedules = await json('GET', '/api/oncall/schedules');
  if (schedules.some((s) => s.name === 'Weekend standby')) return;
  const d = new Date();
  d.setDate(d.getDate() + ((6 - d.getDay() + 7) % 7 || 7));
  const saturday = d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
  const userIds = schedules[0].layers[0].userIds.slice(0, 2);
  const s = await json('POST', '/api/oncall/schedules', { name: 'Weekend standby', timezone: 'Europe/Amsterdam', layers: [{ name: 'Weekends', userIds, startDate: saturday, handoffTime: '09:00' }] });
  const clients = await json('GET', '/api/clients');
  const client = clients.find((c) => c.contract === 'monthly');
  await json('POST', '/api/escalation-policies', { name: client.name + ' standby', clientIds: [client.id], levels: [{ afterMs: 0, targets: [{ type: 'schedule', scheduleId: s.id }] }] });
})()`;

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.fill('[data-testid=login-username]', 'admin');
  await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=side-nav]', { state: 'attached' });
}

async function capture(browser: Browser, baseUrl: string, handles: DemoHandles, only: Set<string> | null): Promise<string[]> {
  const written: string[] = [];
  for (const [viewportName, viewport] of Object.entries(VIEWPORTS) as [keyof typeof VIEWPORTS, (typeof VIEWPORTS)[keyof typeof VIEWPORTS]][]) {
    for (const [theme, lang] of [
      ['light', 'en'],
      ['dark', 'en'],
      ['light', 'nl'],
    ] as const) {
      const shots = SHOTS.filter(
        (s) =>
          (s.lang ?? 'en') === lang &&
          (s.themes ?? ['light']).includes(theme) &&
          (s.viewports ?? ['desktop', 'phone']).includes(viewportName) &&
          (!only || only.has(s.name)) &&
          (SNMPD !== undefined || !SITE_PROBE_SHOTS.includes(s.name)),
      );
      if (shots.length === 0) continue;
      const locale = lang === 'nl' ? 'nl-NL' : 'en-GB';
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: theme, timezoneId: 'Europe/Amsterdam', locale });
      // Runs in the page: the chosen theme and the 24 h chart range, as if the user had picked them.
      await context.addInitScript(`localStorage.setItem('qp.theme', '${theme}'); localStorage.setItem('qp.range', '24h');`);
      const page = await context.newPage();
      page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
      page.on('console', (msg) => msg.type() === 'error' && console.error(`console: ${msg.text()}`));
      for (const shot of shots) {
        if (shot.isSignedOut) {
          await page.goto(`${baseUrl}/#/login`);
          await page.evaluate(`fetch('/api/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })`);
        } else if (!(await page.$('[data-testid=side-nav]'))) {
          await signIn(page, baseUrl);
        }
        for (const [apiPath, json] of Object.entries(shot.fakeApi ?? {})) await page.route(`${baseUrl}${apiPath}`, (route) => route.fulfill({ json }));
        await page.goto(`${baseUrl}/${shot.hash(handles)}`);
        await page.waitForSelector(shot.ready, { timeout: 15_000 });
        await page.waitForTimeout(shot.settleMs ?? 150);
        await shot.prepare?.(page);
        const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
        if (scrollWidth > viewport.width) console.warn(`warning: ${shot.name} is ${scrollWidth} px wide at ${viewport.width} px (horizontal scrolling)`);
        const file = path.join(outDir, `${shot.name}-${viewportName}${theme === 'dark' ? '-dark' : ''}.png`);
        await page.screenshot({ path: file, fullPage: shot.isFullPage ?? false });
        written.push(path.relative(repoDir, file));
        if (shot.fakeApi) {
          await page.unrouteAll();
          await page.reload();
        }
        if (shot.isSignedOut) await signIn(page, baseUrl);
      }
      await context.close();
    }
  }
  return written;
}

/** The monthly client report of this month (Dutch and English) printed to PDF, first page as PNG (pdftoppm). */
async function captureReport(server: Awaited<ReturnType<typeof createServer>>, handles: DemoHandles): Promise<string[]> {
  const month = new Date().toISOString().slice(0, 7);
  const out: string[] = [];
  for (const lang of ['nl', 'en'] as const) {
    const { pdf } = await server.ctx.billing.clientReports.pdf(handles.clientIds['Jansen Accountants']!, month, lang);
    const pdfFile = path.join(tmpdir(), `qp-report-${lang}.pdf`);
    writeFileSync(pdfFile, pdf);
    const base = path.join(outDir, `report-${lang}-page1`);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdfFile, base]);
    rmSync(pdfFile);
    out.push(path.relative(repoDir, `${base}.png`));
  }
  return out;
}

/**
 * Two finished jobs on jansen-srv01. The demo's agents are raw protocol clients that do not run
 * tasks, so their statuses are handed to the job service as an agent would send them.
 */
/**
 * Last month's report of Jansen Accountants sent (rendered, archived, queued to its contact), and
 * a status link without host names for its shop screen.
 */
async function seedReports(server: Awaited<ReturnType<typeof createServer>>, h: DemoHandles): Promise<void> {
  const actor = { id: null, name: 'tina' };
  const clientId = h.clientIds['Jansen Accountants']!;
  const client = server.ctx.clients.findById(clientId)!;
  const person = { id: 'demo', username: 'tina' };
  const { clientId: _id, ...settings } = server.ctx.billing.clientReportStore.settings(clientId);
  server.ctx.billing.reportService.saveSettings(person, client, { ...settings, reportContacts: ['directie@jansen-accountants.nl'], internalCostRate: 45 });
  const now = new Date();
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  await server.ctx.billing.reportService.send(person, client, last);
  // The break-fix client bills each entry rounded up to 15 minutes, at least 30 per incident.
  const bakkerij = server.ctx.clients.findById(h.clientIds['Bakkerij de Vries']!)!;
  const { clientId: _b, ...bakkerijSettings } = server.ctx.billing.clientReportStore.settings(bakkerij.id);
  server.ctx.billing.reportService.saveSettings(person, bakkerij, { ...bakkerijSettings, roundingIncrementMin: 15, minimumChargeMin: 30 });

  const { token } = server.ctx.billing.statusLinks.create(actor, clientId, { showHostnames: false, label: 'Scherm bij de receptie' });
  h.statusPath = `status/${token}`;
}

function seedJobs(server: Awaited<ReturnType<typeof createServer>>, h: DemoHandles): void {
  const deviceId = h.deviceIds['jansen-srv01']!;
  const actor = { id: null, name: 'tina' };
  const at = Date.now();
  const [scan] = server.ctx.jobs.create(actor, { deviceIds: [deviceId], task: 'updates.scan', params: {}, notBeforeMs: at - 1_000 });
  const [check] = server.ctx.jobs.create(actor, { deviceIds: [deviceId], task: 'health.check', params: {}, notBeforeMs: at - 1_000 });
  const status = (jobId: string, durationMs: number, result: Record<string, unknown>) =>
    server.ctx.jobs.onStatus(deviceId, { type: 'jobStatus', v: 1, jobId, state: 'done', tsMs: Date.now(), exitCode: 0, durationMs, result });
  status(scan!.id, 8_400, { source: 'windows-update', pendingCount: 4, securityCount: 2, updates: [] });
  status(check!.id, 1_200, { problems: ['D: 93 % full'], filesystems: [] });
  // Security updates every Sunday patch night: the server first, the PCs a week later.
  const patchNight = server.ctx.alerting.maintenance.list().find((w) => w.input.name === 'Sunday patch night')!;
  server.ctx.policies.create(actor, {
    clientId: h.clientIds['Jansen Accountants']!,
    name: 'Security updates',
    task: 'updates.install',
    params: { scope: 'security' },
    windowId: patchNight.id,
    pilotDeviceIds: [deviceId],
    ringDelayDays: 7,
    excludedDeviceIds: [],
    holdOthersDays: null,
    deviceParams: {},
    isEnabled: true,
  });
}

/**
 * The site probe as it runs at a client: a real agent on a machine of Jansen Accountants is the
 * probe, Debian's snmpd plays a colour printer (127.0.0.2) and a UPS (127.0.0.3), a discovery
 * scan finds both, and the printer is adopted. Without snmpd the two shots are skipped.
 */
async function seedSiteProbe(server: Awaited<ReturnType<typeof createServer>>, h: DemoHandles, dir: string): Promise<() => Promise<void>> {
  if (!SNMPD) {
    console.warn('snmpd is not installed: the discovery and printer screenshots are skipped');
    return async () => {};
  }
  const admin = await session(server.url(), 'admin', ADMIN_PASSWORD);
  const clientId = h.clientIds['Jansen Accountants']!;
  const { token } = await admin('POST', `/api/clients/${clientId}/enrollment-tokens`, { label: 'probe' });
  const probe = await admin('POST', '/api/enroll', { token, hostname: 'jansen-nuc', machineId: 'demo-jansen-nuc' });
  const printer = await startSnmpd(path.join(dir, 'printer'), printerValues({ blackPct: 62, cyanPct: 8 }), {
    address: '127.0.0.2',
    sysDescr: 'HP Color LaserJet Pro MFP M479fdw',
    sysName: 'printer-reception',
  });
  const ups = await startSnmpd(
    path.join(dir, 'ups'),
    [...upsValues({ onBattery: false, chargePct: 100 }), ['.1.3.6.1.2.1.33.1.1.2.0', 'octet_str', 'Smart-UPS 1500']],
    {
      address: '127.0.0.3',
      port: printer.port,
      sysDescr: 'APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.8.2 AN1:apc_hw05_aos_682.bin)',
      sysName: 'ups-serverroom',
    },
  );
  const agent = createAgent({
    config: { serverUrl: server.url(), deviceId: probe.deviceId, deviceToken: probe.deviceToken, intervalMs: 60_000, stateDir: path.join(dir, 'agent') },
    logger: pino({ level: 'warn' }),
    collectors: [],
  });
  await agent.start();
  const scan = await admin('POST', `/api/clients/${clientId}/discovery-scans`, {
    probeDeviceId: probe.deviceId,
    ranges: ['127.0.0.0/29'],
    port: printer.port,
    version: 'v2c',
    community: 'public',
    ratePerSec: 50,
  });
  for (let i = 0; (await admin('GET', `/api/discovery-scans/${scan.id}`)).state === 'running'; i++) {
    if (i > 100) throw new Error('the demo discovery scan did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
  const adopted = await admin('POST', `/api/discovery-scans/${scan.id}/found/127.0.0.2/adopt`, {});
  h.deviceIds['printer-reception'] = adopted.deviceId;
  return async () => {
    await agent.stop();
    await printer.stop();
    await ups.stop();
  };
}

/** The first-start setup page of a fresh server (no QP_ADMIN_PASSWORD), partly filled in, desktop and phone. */
async function captureSetup(browser: Browser): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'qp-screenshots-setup-'));
  const fresh = await createServer({ dataDir: dir, logger: pino({ level: 'warn' }) });
  await fresh.listen(0, '127.0.0.1');
  const out: string[] = [];
  try {
    for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Europe/Amsterdam', colorScheme: 'light' });
      const page = await context.newPage();
      await page.goto(`${fresh.url()}/#/setup?code=${encodeURIComponent(fresh.setupCode!)}`);
      await page.waitForSelector('[data-testid=setup-form]');
      await page.fill('[data-testid=setup-password]', 'correct-horse-battery');
      await page.fill('[data-testid=setup-password-repeat]', 'correct-horse-battery');
      await page.fill('[data-testid=setup-admin-email]', 'joost@quarkpulse.nl');
      await page.fill('[data-testid=setup-client-name]', 'Jansen Accountants');
      await page.fill('[data-testid=setup-smtp-host]', 'smtp.quarkpulse.nl');
      await page.fill('[data-testid=setup-smtp-from]', 'Quarkpulse <alerts@quarkpulse.nl>');
      // The browser's address is loopback here: the server's warning shows under the field.
      await page.waitForSelector('[data-testid=setup-url-warning]', { timeout: 15_000 });
      // Filling scrolled the page: back to the top, or the full-page capture stitches the sticky bar in.
      await page.evaluate('document.activeElement.blur(); window.scrollTo(0, 0)');
      const file = path.join(outDir, `setup-${viewportName}.png`);
      await page.screenshot({ path: file, fullPage: true });
      out.push(path.relative(repoDir, file));
      await context.close();
    }
  } finally {
    await fresh.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1]!.split(',')) : null;
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-screenshots-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'warn' }), ruleTickIntervalMs: 1_000 });
  await server.listen(0, '127.0.0.1');
  let browser: Browser | undefined;
  let handles: DemoHandles | undefined;
  let stopProbe: (() => Promise<void>) | undefined;
  try {
    const started = Date.now();
    handles = await seedDemo(server, server.url(), ADMIN_PASSWORD);
    await seedOnCall(server, server.url(), ADMIN_PASSWORD);
    console.log(`seeded demo data in ${Date.now() - started} ms`);
    // As an MSP runs it: a public URL on its own host name (set after the start, so this plain-http
    // demo keeps plain cookies), and no two-factor step for the demo admin.
    server.ctx.twoFactor.setPolicy([], 'admin');
    await server.ctx.setup.setPublicUrl('https://monitor.quarkpulse.nl', { id: 'demo', username: 'admin' });
    seedJobs(server, handles);
    await seedReports(server, handles);
    stopProbe = await seedSiteProbe(server, handles, dataDir);
    browser = await launchBrowser();
    const written = await capture(browser, server.url(), handles, only);
    if (!only || only.has('setup')) written.push(...(await captureSetup(browser)));
    if (!only || only.has('report')) written.push(...(await captureReport(server, handles)));
    console.log(`wrote ${written.length} screenshots:\n  ${written.join('\n  ')}`);
  } finally {
    await browser?.close();
    await stopProbe?.();
    handles?.stop();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
