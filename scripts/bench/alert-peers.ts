/**
 * Alert latency from the source of a real peer, Prometheus + Alertmanager (Debian's `prometheus`
 * and `prometheus-alertmanager`), measured like ours in watch-latency.ts: from the moment a value
 * crosses the threshold at the source to the webhook of that target's firing alert received by
 * an HTTP receiver on loopback.
 *
 *   - A knob exporter (node:http on 127.0.0.1:0) serves `qp_knob{target="tNN"} 40` in the
 *     Prometheus text format. Each simulated device is its own scrape target: one port, the device
 *     named by `?target=tNN`, set from the target list by relabelling (`__param_target`), which is
 *     the blackbox / SNMP exporter pattern an MSP runs. One target per device, not one target
 *     serving every device, because Prometheus spreads its targets' scrapes over the interval (the
 *     offset is a hash of the target's labels and URL): one single target would put every device
 *     at the same scrape phase, whose distance to the rule evaluation is then one fixed number
 *     rather than spread like a fleet's. One port is enough for that since the URL differs.
 *     Measured with defaults: one target per device, the scrape → firing evaluation gap spread
 *     over 2–58 s across 20 targets; one target (`--one-target`), 44.4 s for every device. With one
 *     target, p95 ≈ 0.95 × scrape interval + that one gap + group_wait, i.e. anywhere from ~87 s to
 *     ~147 s with defaults depending on a hash of the port: a single figure of that kind (such as
 *     an outside p95 of 103 s) is one draw of the gap, not the fleet's spread.
 *   - Prometheus (child, temp --storage.tsdb.path, 127.0.0.1:<free port>) scrapes it, evaluates
 *     one rule `qp_knob > 70` with `for: 0s` (ours: mem.usedPct above 70, forMs 0), and sends to
 *   - Alertmanager (child, temp --storage.path, 127.0.0.1:<free port>, `--cluster.listen-address=`
 *     empty so no gossip), whose one route (group_by: ['target'], so each device's alert is its own
 *     group, as our per-device pages) goes to a webhook receiver in this process, which records the
 *     arrival of each target's first firing alert (alerts[].labels.target).
 *
 * Settings:
 *   - default: what the binaries do when nothing is set. Prometheus' global scrape_interval and
 *     evaluation_interval are left out (built-in 1m and 1m; Debian's example prometheus.yml says
 *     "Default is every 1 minute" beside its own 15s), --rules.alert.resend-delay is left at its
 *     built-in 1m (`prometheus --help`); Alertmanager's route leaves group_wait, group_interval and
 *     repeat_interval out (built-in 30s, 5m, 4h; Debian's example alertmanager.yml has 30s, 5m,
 *     3h). The figures the peers actually run with are read back from their own APIs
 *     (/api/v1/status/config and /api/v1/status/flags of Prometheus, /api/v2/status of
 *     Alertmanager) and returned in `effective`, so the result says what was measured.
 *   - aggressive: what someone tuning for speed picks: scrape_interval 1s (scrape_timeout 1s),
 *     evaluation_interval 1s, group_wait 0s, group_interval 1s.
 *
 * Each target crosses once, at a moment uniform over a window of whole scrape intervals (at least
 * 10 s) that opens once Prometheus has scraped every target at least once and knows the
 * Alertmanager: the gauge jumps 40 → 90 and the clock starts. It stops at the webhook naming the
 * target; none within 4× the expected worst case (scrape + evaluation + group_wait + 2 s) is a
 * miss. The stages are given as well: to the first scrape that served 90 (seen by the exporter)
 * and to the evaluation that fired (the alert's startsAt, wall clock).
 *
 * Every process and port is on 127.0.0.1, the temp dir is removed and every child stopped in
 * `finally`; a peer that does not start, dies, or sends nothing makes the run throw with the
 * reason and what the peers said about their targets, rules and alerts.
 *
 *   tsx scripts/bench/alert-peers.ts --setting default|aggressive|both [--targets 20] [--one-target]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { freePort, requireBinary, type PeerProcess } from './peers.js';
import { numberFlag, summarize } from './trigger-fleet.js';

export type AlertPeerSetting = 'default' | 'aggressive';
export type AlertPeerLayout = 'target-per-device' | 'one-target';

/** Latency figures from the crossing, ms. */
export interface PeerLatencyFigures {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PrometheusAlertLatencyResult {
  setting: AlertPeerSetting;
  layout: AlertPeerLayout;
  /** Simulated devices (crossings): scrape targets too unless layout is one-target. */
  targets: number;
  prometheusVersion: string;
  alertmanagerVersion: string;
  /** What the peers run with, read back from their APIs (Prometheus / Alertmanager duration strings). */
  effective: {
    scrapeInterval: string;
    evaluationInterval: string;
    resendDelay: string;
    groupWait: string;
    groupInterval: string;
    repeatInterval: string;
    /** Settings not in the loaded config, so the binary's built-ins (Alertmanager prints unset route timers as nothing). */
    builtIn: string[];
  };
  /** Crossings are spread uniformly over this window, ms. */
  windowMs: number;
  /** A crossing with no webhook this long after it is missed, ms. */
  timeoutMs: number;
  /** From the crossing at the source to the webhook with the target's firing alert. */
  webhook: PeerLatencyFigures & { missed: number };
  /** Stages: to the first scrape served 90, and to the evaluation that fired (alert startsAt). */
  toScrape: PeerLatencyFigures;
  toFiringEval: PeerLatencyFigures;
  /** Each crossing's stages from the crossing, ms (null: never happened). */
  crossings: { target: string; toScrapeMs: number | null; toFiringEvalMs: number | null; webhookMs: number | null }[];
  /** Webhook requests the receiver got (one per group notification). */
  webhookRequests: number;
  /** 1-minute load average at start and end. */
  loadAvgStart: number;
  loadAvgEnd: number;
  /** Wall time of the whole run, start of the peers to the last webhook or timeout, ms. */
  wallMs: number;
}

export interface PrometheusAlertLatencyOptions {
  setting: AlertPeerSetting;
  /** Simulated devices, one scrape target each unless layout is one-target (default 20). */
  targets?: number;
  /** Override the crossing window, ms (default: whole scrape intervals, at least 10 s). */
  windowMs?: number;
  /**
   * target-per-device (default): each device its own scrape target. one-target: one target
   * serving every device's gauge, so every device has the same scrape phase (a check of how much
   * the layout moves the figures, not the comparison).
   */
  layout?: AlertPeerLayout;
  /** Stops the run (children killed, temp dir removed) and makes it throw. */
  signal?: AbortSignal;
  log?: (m: string) => void;
}

interface SettingConfig {
  /** The `global:` block of prometheus.yml, or '' to leave every built-in default. */
  promGlobal: string;
  /** Extra keys of the Alertmanager route, or '' to leave its built-in timers. */
  amRoute: string;
}

const SETTINGS: Record<AlertPeerSetting, SettingConfig> = {
  default: { promGlobal: '', amRoute: '' },
  aggressive: {
    promGlobal: ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s'].join('\n'),
    amRoute: ['  group_wait: 0s', '  group_interval: 1s'].join('\n'),
  },
};

const LOW = 40;
const HIGH = 90;

const run = promisify(execFile);

/** The version word of `<bin> --version` ("prometheus, version 2.42.0+ds (branch: …" → "2.42.0+ds"). */
async function binaryVersion(bin: string): Promise<string> {
  const { stdout, stderr } = await run(bin, ['--version']);
  const m = /version (\S+)/.exec(stdout + stderr);
  if (!m) throw new Error(`${bin} --version: no version in ${JSON.stringify((stdout + stderr).slice(0, 200))}`);
  return m[1]!;
}

/** A Prometheus duration ("1m", "30s", "1h30m", "500ms", "0s") in ms. */
export function parsePromDuration(s: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(s)) throw new Error(`not a duration: ${JSON.stringify(s)}`);
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(m[1]) * units[m[2]!]!;
  return ms;
}

/** A peer child with its recent output kept for error messages. */
interface PeerChild extends PeerProcess {
  name: string;
  /** The last lines it wrote (stdout and stderr). */
  tail(): string;
  /** Rejects when the child exits before stop() was called. */
  died: Promise<never>;
}

/** Children still running: killed when this process exits by any path the `finally` blocks miss. */
const live = new Set<ChildProcess>();
let exitHookSet = false;

function startChild(name: string, bin: string, args: string[], url: string): PeerChild {
  if (!exitHookSet) {
    exitHookSet = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 30) lines.splice(0, lines.length - 30);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const tail = () => lines.slice(-12).join('\n');
  let stopping = false;
  const died = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`${name} (${bin}) did not start: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${name} exited (code ${code}, signal ${signal}) during the run; its last output:\n${tail()}`));
    });
  });
  died.catch(() => {}); // observed by the run through Promise.race
  const stop = () =>
    new Promise<void>((resolve) => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { name, pid: child.pid ?? -1, url, child, stop, tail, died };
}

/** Rejects when the signal aborts. */
function aborted(signal: AbortSignal | undefined): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    if (!signal) return;
    const fail = () => reject(new Error(`aborted: ${String(signal.reason ?? 'signal')}`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  p.catch(() => {});
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

async function waitReady(peer: PeerChild, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (peer.child.exitCode !== null) throw new Error(`${peer.name} exited with ${peer.child.exitCode} before it was ready; its last output:\n${peer.tail()}`);
    try {
      const res = await fetch(`${peer.url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${peer.name} was not ready at ${peer.url}/-/ready within ${timeoutMs / 1000} s; its last output:\n${peer.tail()}`);
    await sleep(200);
  }
}

/** The first `key: value` in a YAML text (the peers print global / route keys before any nested one). */
function yamlValue(yaml: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}:\\s*(\\S+)\\s*$`, 'm').exec(yaml)?.[1];
}

function required(v: string | undefined, key: string, yaml: string): string {
  if (v === undefined) throw new Error(`prometheus: no ${key} in the loaded config:\n${yaml.slice(0, 600)}`);
  return v;
}

/** Alertmanager 0.25's dispatch.DefaultRouteOpts: the root route's timers when the config sets none. */
const AM_ROUTE_BUILT_IN = { group_wait: '30s', group_interval: '5m', repeat_interval: '4h' } as const;

/** What the peers say about targets, rules, alerts and notifications, for an error message. */
async function diagnose(prom: PeerChild, am: PeerChild): Promise<string> {
  const parts: string[] = [];
  const safely = async (label: string, f: () => Promise<string>) => {
    try {
      parts.push(`${label}: ${await f()}`);
    } catch (err) {
      parts.push(`${label}: (${(err as Error).message})`);
    }
  };
  await safely('prometheus targets', async () => {
    const t = await getJson(`${prom.url}/api/v1/targets`);
    const active = t.data.activeTargets as any[];
    const bad = active.filter((x) => x.health !== 'up');
    return `${active.length} active, ${bad.length} not up${bad[0] ? ` (e.g. ${bad[0].scrapeUrl}: ${bad[0].health} ${bad[0].lastError})` : ''}`;
  });
  await safely('prometheus rules', async () => {
    const r = await getJson(`${prom.url}/api/v1/rules`);
    return JSON.stringify(
      (r.data.groups as any[]).flatMap((g) => g.rules.map((x: any) => ({ name: x.name, health: x.health, lastError: x.lastError, alerts: x.alerts?.length }))),
    );
  });
  await safely('prometheus alertmanagers', async () => JSON.stringify((await getJson(`${prom.url}/api/v1/alertmanagers`)).data));
  await safely('prometheus notifications', async () => {
    const text = await (await fetch(`${prom.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => /^prometheus_notifications_(sent|errors|dropped)_total/.test(l))
      .join('; ');
  });
  await safely('alertmanager alerts', async () => `${((await getJson(`${am.url}/api/v2/alerts`)) as any[]).length}`);
  await safely('alertmanager notifications', async () => {
    const text = await (await fetch(`${am.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => /^alertmanager_notifications_(failed_)?total\{.*webhook/.test(l))
      .join('; ');
  });
  parts.push(`prometheus last output:\n${prom.tail()}`, `alertmanager last output:\n${am.tail()}`);
  return parts.join('\n');
}

interface TargetState {
  name: string;
  value: number;
  scrapes: number;
  crossedAt?: number;
  crossedWall?: number;
  scrapedHighAt?: number;
  webhookAt?: number;
  firingEvalWall?: number;
}

/** Runs one setting: exporter, Alertmanager, Prometheus and receiver, N crossings, figures. */
export async function benchPrometheusAlertLatency(opts: PrometheusAlertLatencyOptions): Promise<PrometheusAlertLatencyResult> {
  const setting = SETTINGS[opts.setting];
  if (!setting) throw new Error(`unknown setting ${JSON.stringify(opts.setting)}: default or aggressive`);
  const n = opts.targets ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error('targets must be an integer from 1 to 1000');
  const log = opts.log ?? (() => {});
  const layout = opts.layout ?? 'target-per-device';
  const oneTarget = layout === 'one-target';
  const tag = `alert peers (${opts.setting}${oneTarget ? ', one target' : ''})`;
  const promBin = requireBinary('/usr/bin/prometheus', 'prometheus');
  const amBin = requireBinary('/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager');
  const [prometheusVersion, alertmanagerVersion] = await Promise.all([binaryVersion(promBin), binaryVersion(amBin)]);
  const loadAvgStart = loadavg()[0]!;
  const t0 = performance.now();

  const targets = new Map<string, TargetState>();
  for (let i = 0; i < n; i++) {
    const name = `t${String(i).padStart(String(n - 1).length, '0')}`;
    targets.set(name, { name, value: LOW, scrapes: 0 });
  }
  const servers: Server[] = [];
  const children: PeerChild[] = [];
  const timers: NodeJS.Timeout[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'qp-bench-alertpeers-'));
  const stop = aborted(opts.signal);
  let webhookRequests = 0;
  const problems: string[] = [];
  let allArrived: (() => void) | undefined;
  const arrivedAll = new Promise<void>((r) => (allArrived = r));
  const checkAll = () => {
    if ([...targets.values()].every((t) => t.webhookAt !== undefined)) allArrived?.();
  };
  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };

  try {
    // The knob exporter: /metrics?target=tNN serves that device's gauge.
    const exporterPort = await listen(
      createHttpServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const one = targets.get(url.searchParams.get('target') ?? '');
        const served = url.pathname !== '/metrics' ? [] : oneTarget ? [...targets.values()] : one ? [one] : [];
        if (served.length === 0) return void res.writeHead(404).end('unknown target\n');
        const now = performance.now();
        for (const t of served) {
          t.scrapes++;
          if (t.value === HIGH && t.scrapedHighAt === undefined) t.scrapedHighAt = now;
        }
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(
          `# HELP qp_knob The bench's knob: a device's value.\n# TYPE qp_knob gauge\n${served.map((t) => `qp_knob{target="${t.name}"} ${t.value}\n`).join('')}`,
        );
      }),
    );

    // The webhook receiver: the first firing alert per target stops its clock.
    const receiverPort = await listen(
      createHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const now = performance.now();
          webhookRequests++;
          res.writeHead(200).end();
          let body: any;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            problems.push('a webhook body was not JSON');
            return;
          }
          for (const a of (body?.alerts ?? []) as any[]) {
            if (a?.status !== 'firing') continue;
            const t = targets.get(a.labels?.target);
            if (!t) {
              problems.push(`a webhook named an unknown target ${JSON.stringify(a.labels)}`);
              continue;
            }
            if (t.crossedAt === undefined) {
              problems.push(`a firing alert for ${t.name} arrived before it crossed`);
              continue;
            }
            if (t.webhookAt !== undefined) continue;
            t.webhookAt = now;
            const startsAt = Date.parse(a.startsAt);
            if (Number.isFinite(startsAt)) t.firingEvalWall = startsAt;
          }
          checkAll();
        });
      }),
    );

    // Alertmanager: one route to the receiver, grouped per target.
    const amPort = await freePort();
    const amConfig = path.join(dir, 'alertmanager.yml');
    writeFileSync(
      amConfig,
      [
        'route:',
        '  receiver: bench',
        "  group_by: ['target']",
        ...(setting.amRoute ? [setting.amRoute] : []),
        'receivers:',
        '  - name: bench',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${receiverPort}/hook`,
        '        send_resolved: false',
        '',
      ].join('\n'),
    );
    const am = startChild(
      'alertmanager',
      amBin,
      [
        `--config.file=${amConfig}`,
        `--storage.path=${path.join(dir, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
        '--log.level=info',
      ],
      `http://127.0.0.1:${amPort}`,
    );
    children.push(am);
    await Promise.race([waitReady(am), am.died, stop]);

    // Prometheus: one job, one target per device, one rule, the Alertmanager above.
    const promPort = await freePort();
    const rules = path.join(dir, 'rules.yml');
    writeFileSync(
      rules,
      ['groups:', '  - name: qp', '    rules:', '      - alert: QpKnobHigh', '        expr: qp_knob > 70', '        for: 0s', ''].join('\n'),
    );
    const promConfig = path.join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      [
        ...(setting.promGlobal ? [setting.promGlobal] : []),
        'rule_files:',
        `  - ${rules}`,
        'alerting:',
        '  alertmanagers:',
        '    - static_configs:',
        `        - targets: ['127.0.0.1:${amPort}']`,
        'scrape_configs:',
        '  - job_name: qp',
        '    metrics_path: /metrics',
        '    static_configs:',
        ...(oneTarget
          ? [`      - targets: ['127.0.0.1:${exporterPort}']`]
          : [
              `      - targets: [${[...targets.keys()].map((t) => `'${t}'`).join(', ')}]`,
              '    relabel_configs:',
              '      - source_labels: [__address__]',
              '        target_label: __param_target',
              '      - source_labels: [__param_target]',
              '        target_label: instance',
              '      - target_label: __address__',
              `        replacement: 127.0.0.1:${exporterPort}`,
            ]),
        '',
      ].join('\n'),
    );
    const prom = startChild(
      'prometheus',
      promBin,
      [`--config.file=${promConfig}`, `--storage.tsdb.path=${path.join(dir, 'prometheus')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=info'],
      `http://127.0.0.1:${promPort}`,
    );
    children.push(prom);
    const fatal = Promise.race([am.died, prom.died, stop]);
    await Promise.race([waitReady(prom), fatal]);

    // What they run with, from their own APIs.
    const promYaml = ((await getJson(`${prom.url}/api/v1/status/config`)) as any).data.yaml as string;
    const flags = ((await getJson(`${prom.url}/api/v1/status/flags`)) as any).data as Record<string, string>;
    const amYaml = ((await getJson(`${am.url}/api/v2/status`)) as any).config.original as string;
    // Alertmanager prints only the route timers that were set; an unset one is its built-in.
    const builtIn: string[] = [];
    const amTimer = (key: keyof typeof AM_ROUTE_BUILT_IN) => {
      const v = yamlValue(amYaml, key);
      if (v !== undefined) return v;
      builtIn.push(`alertmanager ${key}`);
      return AM_ROUTE_BUILT_IN[key];
    };
    const resendDelay = flags['rules.alert.resend-delay'];
    if (!resendDelay) throw new Error(`prometheus: no rules.alert.resend-delay in /api/v1/status/flags: ${JSON.stringify(flags).slice(0, 300)}`);
    const effective = {
      scrapeInterval: required(yamlValue(promYaml, 'scrape_interval'), 'scrape_interval', promYaml),
      evaluationInterval: required(yamlValue(promYaml, 'evaluation_interval'), 'evaluation_interval', promYaml),
      resendDelay,
      groupWait: amTimer('group_wait'),
      groupInterval: amTimer('group_interval'),
      repeatInterval: amTimer('repeat_interval'),
      builtIn,
    };
    const scrapeMs = parsePromDuration(effective.scrapeInterval);
    const evalMs = parsePromDuration(effective.evaluationInterval);
    const groupWaitMs = parsePromDuration(effective.groupWait);
    const windowMs = opts.windowMs ?? scrapeMs * Math.max(1, Math.ceil(10_000 / scrapeMs));
    const timeoutMs = 4 * (scrapeMs + evalMs + groupWaitMs + 2000);
    log(`${tag}: Prometheus ${prometheusVersion} + Alertmanager ${alertmanagerVersion} up, ${JSON.stringify(effective)}; waiting for the first scrapes`);

    // Every target scraped once and the Alertmanager known before any crossing.
    const readyBy = performance.now() + 2 * scrapeMs + 30_000;
    for (;;) {
      const scraped = [...targets.values()].every((t) => t.scrapes > 0);
      const ams = scraped ? ((await Promise.race([getJson(`${prom.url}/api/v1/alertmanagers`), fatal])) as any).data.activeAlertmanagers.length : 0;
      if (scraped && ams > 0) break;
      if (performance.now() > readyBy)
        throw new Error(
          `${tag}: ${[...targets.values()].filter((t) => t.scrapes === 0).length} of ${n} targets never scraped or no active Alertmanager within ${(readyBy - t0) / 1000} s\n${await diagnose(prom, am)}`,
        );
      await Promise.race([sleep(250), fatal]);
    }
    log(`${tag}: every target scraped; ${n} crossings over ${windowMs / 1000} s, timeout ${timeoutMs / 1000} s each`);

    // The crossings.
    const windowStart = performance.now();
    for (const t of targets.values()) {
      timers.push(
        setTimeout(() => {
          t.value = HIGH;
          t.crossedAt = performance.now();
          t.crossedWall = Date.now();
        }, Math.random() * windowMs),
      );
    }
    // Until every target has its webhook or has waited its full timeout since its own crossing.
    for (;;) {
      const now = performance.now();
      const pending = [...targets.values()].filter((t) => t.webhookAt === undefined && (t.crossedAt === undefined || now - t.crossedAt < timeoutMs));
      if (pending.length === 0) break;
      await Promise.race([arrivedAll, sleep(250), fatal]);
    }
    if (problems.length > 0) throw new Error(`${tag}: the measurement is wrong: ${problems.slice(0, 5).join('; ')}`);

    const all = [...targets.values()];
    const arrived = all.filter((t) => t.webhookAt !== undefined && t.crossedAt !== undefined);
    if (arrived.length === 0)
      throw new Error(`${tag}: Alertmanager sent no webhook for any of ${n} crossings within ${timeoutMs / 1000} s of each\n${await diagnose(prom, am)}`);
    const figures = (xs: number[]): PeerLatencyFigures => {
      const s = summarize(xs);
      return { count: s.samples, p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms, maxMs: s.maxMs };
    };
    const missed = n - arrived.length;
    if (missed > 0) log(`${tag}: ${missed} of ${n} crossings missed\n${await diagnose(prom, am)}`);
    const ms = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : Math.round(a - b));
    const result: PrometheusAlertLatencyResult = {
      setting: opts.setting,
      layout,
      targets: n,
      prometheusVersion,
      alertmanagerVersion,
      effective,
      windowMs,
      timeoutMs,
      webhook: { ...figures(arrived.map((t) => t.webhookAt! - t.crossedAt!)), missed },
      toScrape: figures(all.filter((t) => t.scrapedHighAt !== undefined).map((t) => t.scrapedHighAt! - t.crossedAt!)),
      toFiringEval: figures(arrived.filter((t) => t.firingEvalWall !== undefined).map((t) => t.firingEvalWall! - t.crossedWall!)),
      crossings: all.map((t) => ({
        target: t.name,
        toScrapeMs: ms(t.scrapedHighAt, t.crossedAt),
        toFiringEvalMs: ms(t.firingEvalWall, t.crossedWall),
        webhookMs: ms(t.webhookAt, t.crossedAt),
      })),
      webhookRequests,
      loadAvgStart: Math.round(loadAvgStart * 100) / 100,
      loadAvgEnd: Math.round(loadavg()[0]! * 100) / 100,
      wallMs: Math.round(performance.now() - t0),
    };
    log(`${tag}: done in ${((performance.now() - windowStart) / 1000).toFixed(0)} s after the first scrapes`);
    return result;
  } finally {
    for (const t of timers) clearTimeout(t);
    await Promise.all(children.map((c) => c.stop()));
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both settings at once (their own exporter, peers and receiver each); the first failure stops the other. */
export async function benchPrometheusAlertLatencies(
  settings: AlertPeerSetting[],
  opts: Omit<PrometheusAlertLatencyOptions, 'setting'> = {},
): Promise<PrometheusAlertLatencyResult[]> {
  const ctl = new AbortController();
  const outer = opts.signal;
  const onOuter = () => ctl.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  try {
    const runs = settings.map((setting) =>
      benchPrometheusAlertLatency({ ...opts, setting, signal: ctl.signal }).catch((err: unknown) => {
        ctl.abort(`the ${setting} run failed`);
        throw err;
      }),
    );
    const settled = await Promise.allSettled(runs);
    // The run that failed first is the one to report, not the other's "aborted".
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
    const first = failures.find((e) => !String(e?.message).startsWith('aborted')) ?? failures[0];
    if (first) throw first;
    return settled.map((s) => (s as PromiseFulfilledResult<PrometheusAlertLatencyResult>).value);
  } finally {
    outer?.removeEventListener('abort', onOuter);
  }
}

const seconds = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);

/** The header of formatPeerRows' table (Markdown). */
export const PEER_ROWS_HEADER = [
  '| peer, setting | targets | p50 | p95 | p99 | max | missed | load start → end |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];

/** One Markdown table row per result: crossing at the source → webhook received. */
export function formatPeerRows(results: PrometheusAlertLatencyResult[]): string[] {
  return results.map((r) => {
    const e = r.effective;
    const peer = `Prometheus ${r.prometheusVersion} + Alertmanager ${r.alertmanagerVersion}, ${r.setting}${r.layout === 'one-target' ? ', one scrape target' : ''} (scrape ${e.scrapeInterval}, eval ${e.evaluationInterval}, group_wait ${e.groupWait}, group_interval ${e.groupInterval})`;
    const w = r.webhook;
    return `| ${peer} | ${r.targets} | ${seconds(w.p50Ms)} | ${seconds(w.p95Ms)} | ${seconds(w.p99Ms)} | ${seconds(w.maxMs)} | ${w.missed} | ${r.loadAvgStart.toFixed(2)} → ${r.loadAvgEnd.toFixed(2)} |`;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const i = process.argv.indexOf('--setting');
  const which = i === -1 ? 'both' : process.argv[i + 1];
  if (which !== 'default' && which !== 'aggressive' && which !== 'both') throw new Error('--setting needs default, aggressive or both');
  const settings: AlertPeerSetting[] = which === 'both' ? ['default', 'aggressive'] : [which];
  const ctl = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ctl.abort(sig));
  const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  try {
    const layout: AlertPeerLayout = process.argv.includes('--one-target') ? 'one-target' : 'target-per-device';
    const results = await benchPrometheusAlertLatencies(settings, { targets: numberFlag('targets', 20), layout, signal: ctl.signal, log });
    process.stderr.write(`${[...PEER_ROWS_HEADER, ...formatPeerRows(results)].join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
