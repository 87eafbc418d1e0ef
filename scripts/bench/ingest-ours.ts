/**
 * Our half of the ingest-peers figure alone (no VictoriaMetrics): server CPU-seconds per million
 * samples under the flood, measured exactly as ingest-peers.ts measures it (same oursRun). For
 * A/B work, `--roots` names several checkouts whose server runs in turn, interleaved run by run,
 * against the same flood client (this checkout's), so a busy moment of a shared machine does not
 * land on one of them only.
 *
 *   npx tsx scripts/bench/ingest-ours.ts [--runs 3] [--roots /tmp/base,.] [--connections 200]
 *     [--seconds 15] [--window 8] [--cpu-prof DIR] [--node-args="--flag …"]
 *
 * Prints one line per run (with the 1-minute load average) and a JSON summary on stdout.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { oursRun } from './ingest-peers.js';

const { values: f } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    roots: { type: 'string', default: '.' },
    connections: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
    window: { type: 'string', default: '8' },
    'cpu-prof': { type: 'string' },
    /** Extra node flags for every server, space-separated (e.g. "--max-semi-space-size=64"). */
    'node-args': { type: 'string', default: '' },
  },
});
const log = (m: string) => process.stderr.write(`[ingest ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const roots = f.roots!.split(',').map((r) => path.resolve(r));
for (const r of roots) if (!existsSync(path.join(r, 'scripts/bench/server-child.ts'))) throw new Error(`${r}: no scripts/bench/server-child.ts`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results = new Map<string, { cpuSecPerMillion: number; samplesPerSec: number; load1: string; rateLimited: number }[]>(roots.map((r) => [r, []]));
for (let k = 0; k < Number(f.runs); k++) {
  for (const root of roots) {
    const profDir = f['cpu-prof'] ? path.resolve(f['cpu-prof'], path.basename(root) || 'root') : undefined;
    const o = await oursRun({
      connections: Number(f.connections),
      seconds: Number(f.seconds),
      window: Number(f.window),
      password: 'bench-admin-password',
      serverChildFile: path.join(root, 'scripts/bench/server-child.ts'),
      serverNodeArgs: [...f['node-args']!.split(' ').filter(Boolean), ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
    });
    const load1 = loadavg()[0]!.toFixed(2);
    results.get(root)!.push({ cpuSecPerMillion: o.run.cpuSecPerMillionSamples, samplesPerSec: o.run.samplesPerSec, load1, rateLimited: o.flood.rateLimited });
    log(
      `${root} run ${k + 1}: ${o.run.cpuSecPerMillionSamples.toFixed(3)} CPU-s per million (${o.run.serverCpuSec.toFixed(2)} CPU-s, ${Math.round(o.run.samplesPerSec)} samples/s, RATE_LIMITED ${o.flood.rateLimited}), load ${load1}`,
    );
  }
}
const summary = [...results].map(([root, runs]) => ({ root, median: median(runs.map((r) => r.cpuSecPerMillion)), runs }));
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
