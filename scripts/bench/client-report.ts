/**
 * Client report rendering: one client with N devices (default 200) and a month of problems
 * (3 alerts per device, a third with booked time; a maintenance job per device), its report
 * gathered from the real stores, rendered to HTML and printed to PDF by Debian's chromium, as the
 * scheduler does on the first working day. Baselines in the same run: chromium printing a
 * one-line page (the floor of launching it and printing anything), and printing the report's HTML
 * once it is rendered (the PDF engine's share).
 *
 *   tsx scripts/bench/client-report.ts [--devices 200]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createServer } from '../../server/index.js';
import { generateId, generateToken } from '../../server/lib/secrets.js';
import type { SystemFacts } from '../../shared/protocol.js';
import { createJobStore } from '../../server/store/jobs.js';
import { renderPdf } from '../../server/billing/report-pdf.js';
import { numberFlag } from './trigger-fleet.js';

/** Figures of one run, ms unless named otherwise. */
export interface ClientReportBenchResult {
  devices: number;
  alerts: number;
  /** Gathering the figures from the stores (median of 5). */
  buildMs: number;
  /** Gathering plus HTML (median of 5). */
  htmlMs: number;
  htmlBytes: number;
  /** Gathering, HTML and PDF through chromium, as sent (median of 5). */
  pdfMs: number;
  pdfBytes: number;
  pdfPages: number | null;
  /** chromium printing a one-line page (median of 5). */
  bareChromiumMs: number;
  /** chromium printing the already rendered report HTML (median of 5). */
  printOnlyMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(n: number, fn: () => unknown): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return Math.round(median(out));
}

/** Runs the bench once. */
export async function benchClientReport(opts: { devices: number }): Promise<ClientReportBenchResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-report-'));
  const server = await createServer({ dataDir, adminPassword: 'bench-admin-password', logger: pino({ level: 'warn' }), reportSchedule: false });
  try {
    const { ctx } = server;
    const actor = { id: null, name: 'bench' };
    const client = ctx.fleet.clients.create(actor, {
      name: 'Bakkerij de Vries',
      contract: 'monthly',
      monthlyFee: 1_450,
      hourlyRate: 95,
      timezone: 'Europe/Amsterdam',
    });
    const monthStart = Date.parse('2026-11-01T00:00:00+01:00');
    // Straight into the device store: /api/enroll allows 60 a minute per address, as it should.
    const enroll = (body: { hostname: string; machineId: string; facts: SystemFacts }): { deviceId: string } => ({
      deviceId: ctx.devices.enroll({ clientId: client.id, deviceToken: generateToken('qpd'), ...body }, monthStart - 86_400_000).device.id,
    });
    const rules = ctx.alerting.rules.list();
    const offline = rules.find((r) => r.kind === 'offline')!;
    const cpu = rules.find((r) => r.kind === 'threshold')!;
    const jobs = createJobStore(server.db);
    let alerts = 0;
    for (let i = 0; i < opts.devices; i++) {
      const hostname = `devries-pc${String(i + 1).padStart(3, '0')}`;
      const enrolled = enroll({
        hostname,
        machineId: `bench-${i}`,
        facts: { distro: 'Microsoft Windows 11 Pro', release: '10.0.26100', biosDate: '2020-03-01' },
      });
      for (let k = 0; k < 3; k++) {
        const rule = k === 0 ? offline : cpu;
        const openedAtMs = monthStart + ((i * 3 + k) % 29) * 86_400_000 + 9 * 3_600_000;
        const id = generateId();
        ctx.alerting.alerts.insert({
          id,
          ruleId: rule.id,
          ruleName: rule.name,
          ruleKind: rule.kind,
          severity: k === 0 ? 'critical' : 'warning',
          deviceId: enrolled.deviceId,
          clientId: client.id,
          labelsJson: '{}',
          summary: k === 0 ? `${hostname} is offline` : `CPU at 9${k} % for 5 min on ${hostname}`,
          value: null,
          isInMaintenance: false,
          isFlapping: false,
          isNotified: true,
          openedAtMs,
        });
        ctx.alerting.alerts.acknowledgeIfFiring(id, openedAtMs + 7 * 60_000, 'admin');
        ctx.alerting.alerts.resolveIfOpen(id, openedAtMs + 95 * 60_000, 'system', 'cleared');
        alerts++;
      }
      const jobId = generateId();
      const at = monthStart + (i % 28) * 86_400_000 + 2 * 3_600_000;
      jobs.insert({
        id: jobId,
        deviceId: enrolled.deviceId,
        clientId: client.id,
        task: 'updates.install',
        params: {},
        notBeforeMs: at - 60_000,
        notAfterMs: at + 3_600_000,
        nonce: jobId,
        incidentId: null,
        createdAtMs: at - 60_000,
        createdBy: 'bench',
      });
      jobs.finish(jobId, enrolled.deviceId, {
        state: 'done',
        atMs: at,
        code: null,
        message: null,
        exitCode: 0,
        durationMs: 60_000,
        output: '',
        outputBytes: 0,
        outputSha256: null,
        result: { installed: ['KB5046617', 'KB5046633'] },
      });
    }
    const reports = ctx.billing.clientReports;
    const buildMs = await timed(5, () => reports.build(client.id, '2026-11', 'nl'));
    let html = '';
    const htmlMs = await timed(5, () => (html = reports.html(client.id, '2026-11', 'nl')));
    // The three chromium figures interleaved, round by round, so a busy moment of the machine
    // does not land on one of them only.
    let pdf: Buffer = Buffer.alloc(0);
    const rounds = { pdf: [] as number[], bare: [] as number[], print: [] as number[] };
    for (let i = 0; i < 5; i++) {
      rounds.pdf.push(await timed(1, async () => (pdf = (await reports.pdf(client.id, '2026-11', 'nl')).pdf)));
      rounds.bare.push(await timed(1, () => renderPdf('<!doctype html><html><body><p>Quarkpulse</p></body></html>')));
      rounds.print.push(await timed(1, () => renderPdf(html)));
    }
    const [pdfMs, bareChromiumMs, printOnlyMs] = [median(rounds.pdf), median(rounds.bare), median(rounds.print)];
    let pdfPages: number | null = null;
    try {
      const file = path.join(dataDir, 'report.pdf');
      writeFileSync(file, pdf);
      pdfPages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1] ?? NaN);
    } catch {
      // pdfinfo (poppler-utils) missing: pages not counted
    }
    return {
      devices: opts.devices,
      alerts,
      buildMs,
      htmlMs,
      htmlBytes: Buffer.byteLength(html),
      pdfMs,
      pdfBytes: pdf.length,
      pdfPages,
      bareChromiumMs,
      printOnlyMs,
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  benchClientReport({ devices: numberFlag('devices', 200) }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}
