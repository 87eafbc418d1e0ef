/**
 * Alert latency from the source with the real agent, with and without the watch (config.watch),
 * in the same run: a real server (temp dir, port 0) and 2 × N real agents (agent/index.ts
 * createAgent, in this process) reporting every 10 s, the product's default. Half the agents
 * have a memory collector that can watch (`watchable: ['mem.usedPct']`); the other half have
 * the same collector without watch(), so they can only tell the server at their next regular
 * report — what every agent did before the watch. Each agent's value is a knob the bench sets:
 * at a random moment it goes from 40 % to 95 % (the clock starts), the alert on the server's
 * rule (above 70 %, no hold time) opens (the clock stops when the engine reports the committed
 * alert, and again when the signed webhook of its page arrives at a receiver on loopback — the
 * same end point as Prometheus + Alertmanager's in alert-peers.ts), then the value goes back to
 * 40 % and the alert resolves before the next crossing.
 *
 * A second part measures what the watch costs on the agent: the CPU time of one watch() round
 * of the real built-in collectors (cpu, memory, filesystems) on this machine — the watch runs one
 * round per second while the server names thresholds.
 *
 *   tsx scripts/bench/watch-latency.ts [--agents 20] [--crossings 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { defaultCollectors } from '../../agent/collectors/index.js';
import type { Collector } from '../../agent/collectors/types.js';
import { createAgent, type Agent } from '../../agent/index.js';
import type { EngineChange } from '../../server/alerting/engine/engine.js';
import { FLAP_DAMPING } from '../../server/alerting/policy/condition.js';
import { createServer } from '../../server/index.js';
import { httpJson, numberFlag, pageWebhookAtOnce, startSignedReceiver, summarize } from './trigger-fleet.js';

/** Latency figures of one mode. */
export interface WatchModeResult {
  crossings: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Crossings whose alert did not open within the wait. */
  missed: number;
}

/** Figures of one run. */
export interface WatchLatencyResult {
  agentsPerMode: number;
  intervalMs: number;
  withWatch: WatchModeResult;
  withoutWatch: WatchModeResult;
  /** From the crossing to the signed webhook received on loopback (the page), watch on / off. */
  pageWithWatch: WatchModeResult;
  pageWithoutWatch: WatchModeResult;
  /** Webhooks whose signature did not verify (must be 0). */
  badSignatures: number;
  /** Early reports the watching agents sent (one per crossing and one per clear expected). */
  earlyReports: number;
  /** CPU time of one watch() round of the built-in cpu, memory and filesystem collectors, ms. */
  watchRoundCpuMs: number;
  /** The same as a share of one core at one round per second, %. */
  watchCpuPct: number;
}

const ADMIN_PASSWORD = 'bench-admin-password';
const SECRET = 'bench-webhook-secret-0123456789';
const INTERVAL_MS = 10_000;
/** A crossing whose alert has not opened after this long counts as missed. */
const WAIT_MS = 3 * INTERVAL_MS;

function knobCollector(canWatch: boolean) {
  const knob = { value: 40 };
  const read = async () => [{ name: 'mem.usedPct', value: knob.value }];
  const collector: Collector = canWatch
    ? { name: 'memory', watchable: ['mem.usedPct'], init: async () => true, collect: read, watch: read }
    : { name: 'memory', init: async () => true, collect: read };
  return { knob, collector };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ms of one watch() round of the real collectors (mean over `rounds`). */
export async function measureWatchRound(rounds = 200): Promise<number> {
  const all = defaultCollectors();
  const watching = all.filter((c) => c.watch && (c.watchable?.length ?? 0) > 0);
  if (watching.length === 0) throw new Error('no built-in collector can watch: the watch cost cannot be measured');
  for (const c of watching) await c.init();
  for (const c of watching) await c.watch!(); // warm up (first reads open files, JIT)
  const start = process.cpuUsage();
  for (let i = 0; i < rounds; i++) for (const c of watching) await c.watch!();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / rounds;
}

/** Runs the benchmark once and returns its figures. */
export async function benchWatchLatency(opts: { agents?: number; crossings?: number } = {}): Promise<WatchLatencyResult> {
  const perMode = opts.agents ?? 20;
  const crossings = opts.crossings ?? 2;
  // A third open within the flap window marks the condition flapping, which holds its clear for
  // minutes: each agent crosses at most twice, so more agents give more crossings.
  if (crossings >= FLAP_DAMPING.maxOpens) throw new Error(`--crossings must be below ${FLAP_DAMPING.maxOpens} (flap damping)`);
  // The page: the first signed alert.firing webhook naming the device stops its page clock.
  const pageWaiters = new Map<string, (t: number) => void>();
  let badSignatures = 0;
  const receiver = await startSignedReceiver(SECRET, (msg: { event: string; alert: { deviceId: string } | null }, now, problem) => {
    if (problem) badSignatures++;
    if (msg.event !== 'alert.firing' || !msg.alert) return;
    const w = pageWaiters.get(msg.alert.deviceId);
    pageWaiters.delete(msg.alert.deviceId);
    w?.(now);
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-watch-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const agents: Agent[] = [];
  try {
    const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = { cookie: login.cookie! };
    await pageWebhookAtOnce(base, cookie, receiver.url, SECRET);
    // Crossings of different devices are independent problems: page each one (grouping off).
    const grouping = await httpJson(`${base}/api/oncall/grouping`, 'PUT', { windowSeconds: 0 }, cookie);
    if (grouping.status !== 200) throw new Error(`grouping: ${JSON.stringify(grouping.json)}`);
    const client = await httpJson(`${base}/api/clients`, 'POST', { name: 'Bench watch', contract: 'monthly', monthlyFee: 500, hourlyRate: 90 }, cookie);
    if (client.status !== 201) throw new Error(`client: ${JSON.stringify(client.json)}`);
    const rule = await httpJson(
      `${base}/api/rules`,
      'POST',
      {
        name: 'Memory now',
        kind: 'threshold',
        scope: { type: 'client', clientId: client.json.id },
        metric: 'mem.usedPct',
        op: 'above',
        threshold: 70,
        clearThreshold: 60,
        forMs: 0,
        clearForMs: 0,
        severity: 'warning',
      },
      cookie,
    );
    if (rule.status !== 201) throw new Error(`rule: ${JSON.stringify(rule.json)}`);

    // Each device's open/resolve moments, from the engine's committed changes.
    const alertDevice = new Map<string, string>();
    const waiters = new Map<string, { type: EngineChange['type']; resolve: (t: number) => void }>();
    const unsubscribe = server.ctx.alerting.engine.onChanges((changes: EngineChange[]) => {
      const now = performance.now();
      for (const c of changes) {
        // A resolve names the alert only: find its device from the open.
        const deviceId = c.type === 'alert.opened' ? c.deviceId : c.type === 'alert.resolved' ? alertDevice.get(c.id) : undefined;
        if (c.type === 'alert.opened') alertDevice.set(c.id, c.deviceId);
        if (deviceId === undefined) continue;
        const w = waiters.get(deviceId);
        if (w && w.type === c.type) {
          waiters.delete(deviceId);
          w.resolve(now);
        }
      }
    });
    const until = (deviceId: string, type: EngineChange['type']) =>
      new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => {
          if (waiters.get(deviceId) === waiter) waiters.delete(deviceId);
          resolve(undefined);
        }, WAIT_MS);
        const waiter = {
          type,
          resolve: (t: number) => {
            clearTimeout(timer);
            resolve(t);
          },
        };
        waiters.set(deviceId, waiter);
      });

    const logger = pino({ level: 'silent' });
    const modes = [
      {
        canWatch: true,
        latencies: [] as number[],
        pages: [] as number[],
        pagesMissed: 0,
        missed: 0,
        knobs: [] as { knob: { value: number }; deviceId: string; agent: Agent }[],
      },
      {
        canWatch: false,
        latencies: [] as number[],
        pages: [] as number[],
        pagesMissed: 0,
        missed: 0,
        knobs: [] as { knob: { value: number }; deviceId: string; agent: Agent }[],
      },
    ];
    let n = 0;
    for (const mode of modes) {
      for (let i = 0; i < perMode; i++) {
        const tok = await httpJson(`${base}/api/clients/${client.json.id}/enrollment-tokens`, 'POST', {}, cookie);
        const enrolled = await httpJson(`${base}/api/enroll`, 'POST', { token: tok.json.token, hostname: `watch-${n}`, machineId: `watch-machine-${n}` });
        if (enrolled.status !== 201) throw new Error(`enroll: ${JSON.stringify(enrolled.json)}`);
        n++;
        const configPath = path.join(dataDir, `agent-${n}`, 'agent.json');
        saveAgentConfig(configPath, { serverUrl: base, deviceId: enrolled.json.deviceId, deviceToken: enrolled.json.deviceToken, intervalMs: INTERVAL_MS });
        const { knob, collector } = knobCollector(mode.canWatch);
        const agent = createAgent({ config: loadAgentConfig(configPath), configPath, logger, collectors: [collector] });
        agents.push(agent);
        await agent.start();
        mode.knobs.push({ knob, deviceId: enrolled.json.deviceId as string, agent });
      }
    }
    // Let every agent get its welcome (and the watching ones their thresholds) and report once.
    const ready = performance.now() + 15_000;
    while (performance.now() < ready && modes[0]!.knobs.some((k) => k.agent.watch.thresholds === 0)) await sleep(200);
    if (modes[0]!.knobs.some((k) => k.agent.watch.thresholds === 0)) throw new Error('the server did not push thresholds to every watching agent');
    await sleep(INTERVAL_MS + 1000);

    await Promise.all(
      modes.flatMap((mode) =>
        mode.knobs.map(async ({ knob, deviceId }) => {
          for (let i = 0; i < crossings; i++) {
            await sleep(Math.random() * INTERVAL_MS);
            const opened = until(deviceId, 'alert.opened');
            const paged = new Promise<number | undefined>((resolve) => {
              const timer = setTimeout(() => resolve(undefined), WAIT_MS);
              pageWaiters.set(deviceId, (t) => {
                clearTimeout(timer);
                resolve(t);
              });
            });
            knob.value = 95;
            const t0 = performance.now();
            const [t1, t2] = await Promise.all([opened, paged]);
            if (t1 === undefined) mode.missed++;
            else mode.latencies.push(t1 - t0);
            if (t2 === undefined) mode.pagesMissed++;
            else mode.pages.push(t2 - t0);
            const resolved = until(deviceId, 'alert.resolved');
            knob.value = 40;
            if ((await resolved) === undefined) throw new Error(`the alert of ${deviceId} did not resolve within ${WAIT_MS / 1000} s`);
          }
        }),
      ),
    );
    unsubscribe();
    const earlyReports = modes[0]!.knobs.reduce((sum, k) => sum + k.agent.watch.earlyReports, 0);
    const figures = (latencies: number[], missed: number): WatchModeResult => {
      const s = summarize(latencies);
      return { crossings: s.samples, p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms, maxMs: s.maxMs, missed };
    };
    const watchRoundCpuMs = await measureWatchRound();
    return {
      agentsPerMode: perMode,
      intervalMs: INTERVAL_MS,
      withWatch: figures(modes[0]!.latencies, modes[0]!.missed),
      withoutWatch: figures(modes[1]!.latencies, modes[1]!.missed),
      pageWithWatch: figures(modes[0]!.pages, modes[0]!.pagesMissed),
      pageWithoutWatch: figures(modes[1]!.pages, modes[1]!.pagesMissed),
      badSignatures,
      earlyReports,
      watchRoundCpuMs: Math.round(watchRoundCpuMs * 1000) / 1000,
      watchCpuPct: Math.round((watchRoundCpuMs / 1000) * 100 * 1000) / 1000,
    };
  } finally {
    for (const a of agents) await a.stop();
    await server.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const r = await benchWatchLatency({ agents: numberFlag('agents', 20), crossings: numberFlag('crossings', 2) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
