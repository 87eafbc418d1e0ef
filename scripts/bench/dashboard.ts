/**
 * Dashboard benchmark: how fast the fleet page is usable with 15,000 devices, and how fast a
 * 30-day device chart is ready, in Debian's chromium against a real server.
 *
 *   npm run bench:dashboard [-- --devices 15000 --days 30 --runs 3]
 *
 * Seeding goes straight through the stores (enrolling 15,000 agents over HTTP would measure
 * enrollment): clients of both contracts, devices with latest values, open alerts and incidents
 * on some of them (so the health colours cost what they would), and one device with `days` of
 * samples every 10 s for its charts. No agents are connected, so every device shows offline;
 * the list renders the same either way.
 *
 * Figures (median of `runs` fresh browser contexts, cold cache):
 *   fleet: first device row on screen after navigation; then a search typed into the box until
 *          the filtered list is on screen (the page answers input: it is usable)
 *   chart: device page with the 30-day range until every chart has drawn its points
 *   server: GET /api/devices and the 30-day metrics queries, timed in this process
 *   baseline: the account page (no data), same browser and bundle; the ratios divide by it
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createServer, type QuarkpulseServer } from '../../server/index.js';
import { generateId, generateToken } from '../../server/lib/secrets.js';
import { formatSeriesKey } from '../../shared/metrics.js';
import { launchBrowser } from '../../tests/e2e/browser.js';

const ADMIN_PASSWORD = 'bench-admin-password';
const DAY = 86_400_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** Clients, devices with latest values, and open alerts/incidents on every 25th device. */
function seedFleet(server: QuarkpulseServer, deviceCount: number, nowMs: number): { chartDeviceId: string } {
  const { clients, devices, alerting, db } = server.ctx;
  const perClient = 50;
  let chartDeviceId = '';
  db.transaction(() => {
    for (let c = 0; c * perClient < deviceCount; c++) {
      const contract = c % 3 === 0 ? 'break-fix' : 'monthly';
      const client = clients.create({ name: `Client ${String(c).padStart(4, '0')}`, contract, monthlyFee: 400, hourlyRate: 80 }, nowMs - 400 * DAY);
      for (let i = 0; i < perClient && c * perClient + i < deviceCount; i++) {
        const n = c * perClient + i;
        const { device } = devices.enroll(
          { clientId: client.id, hostname: `host-${String(n).padStart(5, '0')}`, machineId: `bench-${n}`, deviceToken: generateToken('qpd') },
          nowMs - 30 * DAY,
        );
        const disk = 30 + ((n * 7) % 65);
        devices.recordLatest(device.id, nowMs - (n % 600) * 1000, {
          'cpu.loadPct': (n * 13) % 100,
          'mem.usedPct': 20 + ((n * 11) % 75),
          [formatSeriesKey('fs.usedPct', { mount: '/' })]: disk,
        });
        if (!chartDeviceId) chartDeviceId = device.id;
        if (n % 25 !== 0) continue;
        const common = {
          ruleId: 'default-filesystem-full',
          ruleName: 'Filesystem almost full',
          ruleKind: 'threshold' as const,
          severity: n % 50 === 0 ? ('critical' as const) : ('warning' as const),
          deviceId: device.id,
          clientId: client.id,
          labelsJson: '{"mount":"/"}',
          value: disk,
          isInMaintenance: false,
          isFlapping: false,
          openedAtMs: nowMs - n * 1000,
        };
        if (contract === 'monthly') alerting.alerts.insert({ ...common, id: generateId(), summary: `fs.usedPct mount=/ is ${disk} %`, isNotified: true });
        else
          alerting.incidents.insert({ ...common, id: generateId(), source: 'rule', title: `Filesystem almost full: ${disk} %`, snapshot: {}, openedBy: null });
      }
    }
  })();
  return { chartDeviceId };
}

/** `days` of samples every 10 s for the chart device: 5 series. */
function seedHistory(server: QuarkpulseServer, deviceId: string, days: number, nowMs: number): number {
  const { metrics, db } = server.ctx;
  const stepMs = 10_000;
  let values = 0;
  let seq = 0;
  const insertDay = db.transaction((fromMs: number) => {
    for (let ts = fromMs; ts < fromMs + DAY && ts <= nowMs; ts += stepMs) {
      const t = ts / 3_600_000;
      values += metrics.insertReport(deviceId, ++seq, ts, [
        { name: 'cpu.loadPct', value: 30 + 20 * Math.sin(t / 3) + 5 * Math.sin(t * 7) },
        { name: 'mem.usedPct', value: 60 + 10 * Math.sin(t / 11) },
        { name: 'fs.usedPct', labels: { mount: '/' }, value: 50 + ((ts - (nowMs - days * DAY)) / (days * DAY)) * 30 },
        { name: 'net.rxBytesPerSec', labels: { iface: 'eth0' }, value: 1e6 * (1 + Math.sin(t)) },
        { name: 'net.txBytesPerSec', labels: { iface: 'eth0' }, value: 4e5 * (1 + Math.cos(t)) },
      ]);
    }
  });
  for (let d = days; d > 0; d--) insertDay(nowMs - d * DAY);
  // Closed hours become compressed blocks and rollups, as the server's upkeep would do over time.
  server.compactor.compactAll();
  return values;
}

async function timeHttp(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} → ${res.status}`);
  return { ms: performance.now() - started, bytes: text.length };
}

async function newPage(browser: Browser, baseUrl: string, cookie: string, range?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl }]);
  if (range) await context.addInitScript(`localStorage.setItem('qp.range', '${range}');`);
  return context.newPage();
}

async function measureFleet(browser: Browser, baseUrl: string, cookie: string, deviceCount: number) {
  const page = await newPage(browser, baseUrl, cookie);
  const started = performance.now();
  await page.goto(`${baseUrl}/#/`);
  await page.waitForSelector('[data-testid=device-row]', { timeout: 60_000 });
  const firstRowMs = performance.now() - started;
  const rows = Number(await page.getAttribute('[data-testid=fleet-list]', 'data-rows'));
  // Usable = it answers input: type a search and wait for the list to show its result.
  const typed = performance.now();
  await page.fill('[data-testid=fleet-search]', 'host-14999');
  await page.waitForFunction("document.querySelectorAll('[data-testid=device-row]').length === 1", undefined, { timeout: 30_000 });
  const searchMs = performance.now() - typed;
  const heapMb = Number(await page.evaluate('performance.memory ? performance.memory.usedJSHeapSize / 1e6 : 0'));
  await page.context().close();
  if (rows < deviceCount) throw new Error(`fleet list has ${rows} rows for ${deviceCount} devices`);
  return { firstRowMs, searchMs, usableMs: firstRowMs + searchMs, heapMb };
}

async function measureChart(browser: Browser, baseUrl: string, cookie: string, deviceId: string) {
  const page = await newPage(browser, baseUrl, cookie, '30d');
  const started = performance.now();
  await page.goto(`${baseUrl}/#/devices/${deviceId}`);
  await page.waitForSelector('[data-testid=chart]', { timeout: 60_000 });
  // Every chart (CPU, memory, filesystems, network) has drawn its points.
  await page.waitForFunction(
    "[...document.querySelectorAll('[data-testid=chart]')].length >= 4 && [...document.querySelectorAll('[data-testid=chart]')].every((c) => Number(c.getAttribute('data-points')) > 0)",
    undefined,
    { timeout: 60_000 },
  );
  const readyMs = performance.now() - started;
  const points = Number(await page.getAttribute('[data-testid=chart][data-metric="cpu.loadPct"]', 'data-points'));
  await page.context().close();
  return { readyMs, points };
}

async function measureBaseline(browser: Browser, baseUrl: string, cookie: string) {
  const page = await newPage(browser, baseUrl, cookie);
  const started = performance.now();
  await page.goto(`${baseUrl}/#/account`);
  await page.waitForSelector('[data-testid=password-form]', { timeout: 30_000 });
  const ms = performance.now() - started;
  await page.context().close();
  return ms;
}

async function main(): Promise<void> {
  const deviceCount = arg('devices', 15_000);
  const days = arg('days', 30);
  const runs = arg('runs', 3);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-dashboard-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'warn' }) });
  await server.listen(0, '127.0.0.1');
  const baseUrl = server.url();
  let browser: Browser | undefined;
  try {
    const nowMs = Date.now();
    let t0 = performance.now();
    const { chartDeviceId } = seedFleet(server, deviceCount, nowMs);
    const seedFleetMs = performance.now() - t0;
    t0 = performance.now();
    const values = seedHistory(server, chartDeviceId, days, nowMs);
    const seedHistoryMs = performance.now() - t0;
    console.log(`seeded ${deviceCount} devices in ${Math.round(seedFleetMs)} ms, ${values} values of ${days} days in ${Math.round(seedHistoryMs)} ms`);

    const login = await fetch(`${baseUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

    // Server side, in this process (warm: a second call each).
    const health: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      server.ctx.deviceHealth.openByDevice();
      health.push(performance.now() - s);
    }
    const fleetApi: { ms: number; bytes: number }[] = [];
    for (let i = 0; i < 3; i++) fleetApi.push(await timeHttp(`${baseUrl}/api/devices`, cookie));
    const metricQuery: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (const name of ['cpu.loadPct', 'mem.usedPct', 'fs.usedPct', 'net.rxBytesPerSec', 'net.txBytesPerSec']) {
        metricQuery.push(
          (await timeHttp(`${baseUrl}/api/devices/${chartDeviceId}/metrics?name=${name}&from=${nowMs - days * DAY}&to=${nowMs}&points=560`, cookie)).ms,
        );
      }
    }

    browser = await launchBrowser();
    const baseline: number[] = [];
    const fleet: Awaited<ReturnType<typeof measureFleet>>[] = [];
    const chart: Awaited<ReturnType<typeof measureChart>>[] = [];
    for (let r = 0; r < runs; r++) {
      baseline.push(await measureBaseline(browser, baseUrl, cookie));
      fleet.push(await measureFleet(browser, baseUrl, cookie, deviceCount));
      chart.push(await measureChart(browser, baseUrl, cookie, chartDeviceId));
    }

    const result = {
      devices: deviceCount,
      days,
      runs,
      server: {
        deviceHealthQueryMs: round(median(health)),
        fleetApiMs: round(median(fleetApi.map((x) => x.ms))),
        fleetApiMb: round(fleetApi[0]!.bytes / 1e6),
        metrics30dQueryMsMedian: round(median(metricQuery)),
        metrics30dQueryMsMax: round(Math.max(...metricQuery)),
      },
      browser: {
        baselineMs: round(median(baseline)),
        fleetFirstRowMs: round(median(fleet.map((f) => f.firstRowMs))),
        fleetSearchMs: round(median(fleet.map((f) => f.searchMs))),
        fleetUsableMs: round(median(fleet.map((f) => f.usableMs))),
        fleetHeapMb: round(median(fleet.map((f) => f.heapMb))),
        chart30dReadyMs: round(median(chart.map((c) => c.readyMs))),
        chart30dPoints: chart[0]!.points,
      },
      ratios: {
        fleetUsableVsBaseline: round(median(fleet.map((f) => f.usableMs)) / median(baseline)),
        chart30dVsBaseline: round(median(chart.map((c) => c.readyMs)) / median(baseline)),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync('.bench', { recursive: true });
    writeFileSync(path.join('.bench', 'dashboard.json'), JSON.stringify(result, null, 2));
  } finally {
    await browser?.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
