/** Capacity of the full pipeline (our server, forked) and of a bare ws receive loop, same client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { enrollFleet } from '../sim/enroll.js';
import { flood, startBareWsServer, type FloodResult } from './flood.js';
import { startProcWindow } from './proc-stats.js';
import { startServerProcess } from './server-process.js';

export interface CapacityResult {
  ours: FloodResult & { serverCpuPct: number; serverRssBytes: number };
  bare: FloodResult & { serverCpuPct: number };
  ratio: number;
}

export async function benchCapacity(opts: {
  connections: number;
  seconds: number;
  window: number;
  password: string;
  log: (m: string) => void;
}): Promise<CapacityResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-capacity-'));
  const server = await startServerProcess({ dataDir, password: opts.password });
  let ours: CapacityResult['ours'];
  try {
    const creds = await enrollFleet({ serverUrl: server.url, username: 'admin', password: opts.password, count: opts.connections });
    const proc = startProcWindow(server.pid);
    const r = await flood({
      wsUrl: server.url.replace('http', 'ws') + AGENT_WS_PATH,
      tokens: creds.map((c) => c.deviceToken),
      connections: opts.connections,
      seconds: opts.seconds,
      window: opts.window,
    });
    const p = proc.stop();
    ours = { ...r, serverCpuPct: p.cpuPct, serverRssBytes: p.peakRssBytes };
    opts.log(
      `capacity (ours): ${Math.round(r.reportsPerSec)} reports/s, ${Math.round(r.valuesPerSec)} values/s, server CPU ${p.cpuPct.toFixed(0)} %, RATE_LIMITED honoured ${r.rateLimited} times`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bareServer = await startBareWsServer();
  let bare: CapacityResult['bare'];
  try {
    const proc = startProcWindow(bareServer.pid);
    const r = await flood({ wsUrl: bareServer.wsUrl, connections: opts.connections, seconds: opts.seconds, window: opts.window });
    bare = { ...r, serverCpuPct: proc.stop().cpuPct };
    opts.log(`capacity (bare ws): ${Math.round(r.reportsPerSec)} reports/s, ${Math.round(r.valuesPerSec)} values/s`);
  } finally {
    await bareServer.stop();
  }
  return { ours, bare, ratio: ours.reportsPerSec / bare.reportsPerSec };
}
