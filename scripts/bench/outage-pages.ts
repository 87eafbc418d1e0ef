/**
 * One page per outage, measured: two real servers in the same run, one with grouping off
 * (window 0) and one with the default window (60 s), each paging a signed webhook on loopback.
 *
 * 1. Lone-alert latency: `--trials` clients of one device each, alternately on either server;
 *    each device sends one sample over the default "filesystem > 90 %" rule, and the clock runs
 *    from the send to the webhook's arrival. Every trigger is the first alert of its client, so
 *    with grouping on it leads a new group: the figure shows whether grouping slows the first page.
 * 2. A 10-device outage: one client's ten agents (1 s interval, offline after 3 missed) close
 *    their sockets at the same moment; pages and resolutions are counted at the receiver until
 *    quiet, then the agents come back.
 *
 *   tsx scripts/bench/outage-pages.ts [--trials 40] [--devices 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createServer, type QuarkpulseServer } from '../../server/index.js';
import { startTestAgent, type TestAgent } from '../../tests/helpers/test-agent.js';
import { httpJson, numberFlag, pageWebhookAtOnce, startSignedReceiver, summarize } from './trigger-fleet.js';

const ADMIN_PASSWORD = 'bench-admin-password';
const SECRET = 'bench-outage-webhook-secret-01234';

/** Figures of one run. */
export interface OutagePagesResult {
  trials: number;
  lone: Record<'off' | 'on', { samples: number; p50Ms: number; p95Ms: number; maxMs: number }>;
  outage: Record<'off' | 'on', { devices: number; pages: number; resolutions: number; firstPageMs: number | null }>;
}

interface Received {
  atMs: number;
  event: string;
  deviceId: string | null;
  memberCount: number | null;
}

interface Side {
  server: QuarkpulseServer;
  base: string;
  cookie: Record<string, string>;
  received: Received[];
  receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
  dataDir: string;
}

async function startSide(windowSeconds: number): Promise<Side> {
  const received: Received[] = [];
  const receiver = await startSignedReceiver(
    SECRET,
    (m: { event: string; alert: { deviceId: string } | null; group: { memberCount: number } | null }, atMs, problem) => {
      if (problem) throw new Error(`webhook signature: ${problem}`);
      received.push({ atMs, event: m.event, deviceId: m.alert?.deviceId ?? null, memberCount: m.group?.memberCount ?? null });
    },
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-outage-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }), ruleTickIntervalMs: 250 });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: ADMIN_PASSWORD });
  const cookie = { cookie: login.cookie! };
  await pageWebhookAtOnce(base, cookie, receiver.url, SECRET);
  const g = await httpJson(`${base}/api/oncall/grouping`, 'PUT', { windowSeconds }, cookie);
  if (g.status !== 200) throw new Error(`grouping: ${JSON.stringify(g.json)}`);
  return { server, base, cookie, received, receiver, dataDir };
}

async function enroll(side: Side, clientName: string, hostnames: string[], intervalMs: number) {
  const client = await httpJson(`${side.base}/api/clients`, 'POST', { name: clientName, contract: 'monthly', monthlyFee: 500 }, side.cookie);
  if (client.status !== 201) throw new Error(`client: ${JSON.stringify(client.json)}`);
  const out: { deviceId: string; token: string; hostname: string }[] = [];
  for (const hostname of hostnames) {
    const token = (await httpJson(`${side.base}/api/clients/${client.json.id}/enrollment-tokens`, 'POST', {}, side.cookie)).json.token as string;
    const e = await httpJson(`${side.base}/api/enroll`, 'POST', { token, hostname, machineId: `${clientName}-${hostname}` });
    out.push({ deviceId: e.json.deviceId as string, token: e.json.deviceToken as string, hostname });
  }
  return Promise.all(out.map(async (d) => ({ ...d, agent: await startTestAgent(side.base, d.token, { hostname: d.hostname, intervalMs }) })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `count()` stops changing for `quietMs` (or `maxMs` passes). */
async function untilQuiet(count: () => number, quietMs: number, maxMs: number): Promise<void> {
  const end = performance.now() + maxMs;
  let last = count();
  let since = performance.now();
  while (performance.now() < end) {
    await sleep(100);
    const n = count();
    if (n !== last) {
      last = n;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) return;
  }
}

/** Runs both parts on both servers and returns the figures. */
export async function benchOutagePages(opts: { trials?: number; devices?: number } = {}): Promise<OutagePagesResult> {
  const trials = opts.trials ?? 40;
  const devices = opts.devices ?? 10;
  const sides = { off: await startSide(0), on: await startSide(60) };
  const agents: TestAgent[] = [];
  try {
    // 1. Lone alerts, alternately on either server.
    const latencies: Record<'off' | 'on', number[]> = { off: [], on: [] };
    const lone = { off: [] as Awaited<ReturnType<typeof enroll>>, on: [] as Awaited<ReturnType<typeof enroll>> };
    for (const mode of ['off', 'on'] as const) {
      for (let i = 0; i < trials / 2; i++) lone[mode].push(...(await enroll(sides[mode], `Lone ${i}`, [`lone-${i}`], 60_000)));
      for (const d of lone[mode]) agents.push(d.agent);
    }
    for (let i = 0; i < trials / 2; i++) {
      for (const mode of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const d = lone[mode][i]!;
        const side = sides[mode];
        const before = side.received.length;
        const t0 = performance.now();
        await d.agent.report([{ name: 'fs.usedPct', labels: { mount: '/' }, value: 97 }]);
        const end = t0 + 10_000;
        while (side.received.length === before && performance.now() < end) await sleep(1);
        const page = side.received.slice(before).find((r) => r.event === 'alert.firing' && r.deviceId === d.deviceId);
        if (page) latencies[mode].push(page.atMs - t0);
        await sleep(50);
      }
    }

    // 2. A 10-device outage on each server at the same moment.
    const outage: OutagePagesResult['outage'] = {
      off: { devices, pages: 0, resolutions: 0, firstPageMs: null },
      on: { devices, pages: 0, resolutions: 0, firstPageMs: null },
    };
    const sites = {
      off: await enroll(
        sides.off,
        'Site',
        Array.from({ length: devices }, (_, i) => `site-pc${i + 1}`),
        1_000,
      ),
      on: await enroll(
        sides.on,
        'Site',
        Array.from({ length: devices }, (_, i) => `site-pc${i + 1}`),
        1_000,
      ),
    };
    const beat = setInterval(() => {
      for (const mode of ['off', 'on'] as const) for (const d of sites[mode]) d.agent.report([{ name: 'cpu.loadPct', value: 10 }]).catch(() => {});
    }, 1_000);
    await sleep(3_000);
    clearInterval(beat);
    const marks = { off: sides.off.received.length, on: sides.on.received.length };
    const cutAt = performance.now();
    for (const mode of ['off', 'on'] as const) for (const d of sites[mode]) d.agent.close();
    const firings = (mode: 'off' | 'on') => sides[mode].received.slice(marks[mode]).filter((r) => r.event === 'alert.firing');
    await untilQuiet(() => firings('off').length + firings('on').length, 8_000, 60_000);
    for (const mode of ['off', 'on'] as const) {
      outage[mode].pages = firings(mode).length;
      outage[mode].firstPageMs = firings(mode)[0] ? Math.round(firings(mode)[0]!.atMs - cutAt) : null;
    }
    // The line is back: every agent reconnects and reports.
    const back = { off: sides.off.received.length, on: sides.on.received.length };
    for (const mode of ['off', 'on'] as const)
      for (const d of sites[mode]) {
        const a = await startTestAgent(sides[mode].base, d.token, { hostname: d.hostname, intervalMs: 1_000 });
        agents.push(a);
        await a.report([{ name: 'cpu.loadPct', value: 10 }]);
      }
    const resolutions = (mode: 'off' | 'on') => sides[mode].received.slice(back[mode]).filter((r) => r.event === 'alert.resolved');
    await untilQuiet(() => resolutions('off').length + resolutions('on').length, 3_000, 20_000);
    for (const mode of ['off', 'on'] as const) outage[mode].resolutions = resolutions(mode).length;

    const pick = (l: number[]) => {
      const s = summarize(l);
      return { samples: s.samples, p50Ms: s.p50Ms, p95Ms: s.p95Ms, maxMs: s.maxMs };
    };
    return { trials, lone: { off: pick(latencies.off), on: pick(latencies.on) }, outage };
  } finally {
    for (const a of agents) a.close();
    for (const side of Object.values(sides)) {
      await side.server.close();
      await side.receiver.close();
      rmSync(side.dataDir, { recursive: true, force: true });
    }
  }
}

/** Markdown rows of a result. */
export function formatOutageRows(r: OutagePagesResult): string {
  const lone = (m: 'off' | 'on') => `| lone alert, grouping ${m} | ${r.lone[m].samples} | ${r.lone[m].p50Ms} | ${r.lone[m].p95Ms} | ${r.lone[m].maxMs} |`;
  const out = (m: 'off' | 'on') =>
    `| ${r.outage[m].devices}-device outage, grouping ${m} | ${r.outage[m].pages} | ${r.outage[m].resolutions} | ${r.outage[m].firstPageMs ?? '–'} |`;
  return [
    '| case | pages measured | p50 ms | p95 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    lone('off'),
    lone('on'),
    '',
    '| case | pages | resolutions | first page after the cut, ms |',
    '|---|---:|---:|---:|',
    out('off'),
    out('on'),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchOutagePages({ trials: numberFlag('trials', 40), devices: numberFlag('devices', 10) });
  process.stdout.write(`${formatOutageRows(result)}\n`);
  process.exit(0);
}
