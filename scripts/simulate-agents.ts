/**
 * Agent simulator: N simulated agents speaking protocol v1 over real WebSocket connections,
 * spread over several processes and loopback source addresses. See docs/SIMULATOR.md.
 *
 *   npx tsx scripts/simulate-agents.ts --server http://127.0.0.1:8080 --agents 1000 \
 *       --interval-ms 10000 --processes 4 --duration-s 120
 */
import { parseArgs } from 'node:util';
import { enrollFleet } from './sim/enroll.js';
import { startFleet } from './sim/fleet.js';
import { quantileMs } from './sim/latency.js';

const HELP = `usage: npx tsx scripts/simulate-agents.ts --server URL [options]

  --server URL              server base URL (loopback only), e.g. http://127.0.0.1:8080
  --agents N                simulated agents (default 100)
  --interval-ms MS          report interval (default 10000)
  --processes P             worker processes (default 4; 0 = in this process)
  --ramp-s S                open the connections evenly over S seconds (default agents/500, ≥ 5)
  --duration-s S            stop after S seconds of running (default 60; the run is always bounded)
  --offline-pct-per-hour X  chance per agent per hour of going offline for 30–120 s (default 2)
  --username NAME           admin user (default admin)
  --password PW             admin password (default $QP_ADMIN_PASSWORD)
  --credentials FILE        credential cache (default .bench/sim-credentials.json)
  --help
`;

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    options: {
      server: { type: 'string' },
      agents: { type: 'string', default: '100' },
      'interval-ms': { type: 'string', default: '10000' },
      processes: { type: 'string', default: '4' },
      'ramp-s': { type: 'string' },
      'duration-s': { type: 'string', default: '60' },
      'offline-pct-per-hour': { type: 'string', default: '2' },
      username: { type: 'string', default: 'admin' },
      password: { type: 'string' },
      credentials: { type: 'string', default: '.bench/sim-credentials.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (f.help || !f.server) {
    process.stdout.write(HELP);
    process.exit(f.help ? 0 : 2);
  }
  const host = new URL(f.server).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) throw new Error('the simulator only targets loopback servers (127.0.0.0/8, localhost, [::1])');
  const agents = Number(f.agents);
  const intervalMs = Number(f['interval-ms']);
  const durationS = Number(f['duration-s']);
  const password = f.password ?? process.env.QP_ADMIN_PASSWORD;
  if (!password) throw new Error('give --password or set QP_ADMIN_PASSWORD');
  const log = (m: string) => process.stderr.write(`[sim] ${m}\n`);

  const credentials = await enrollFleet({ serverUrl: f.server, username: f.username, password, count: agents, cacheFile: f.credentials, log });
  log(`${credentials.length} credentials ready`);
  const rampMs = 1000 * Number(f['ramp-s'] ?? Math.max(5, agents / 500));
  const offlinePerHour = Number(f['offline-pct-per-hour']) / 100;
  const fleet = startFleet({
    serverUrl: f.server,
    credentials,
    processes: Number(f.processes),
    intervalMs,
    rampMs,
    offlineChancePerTick: offlinePerHour / (3_600_000 / intervalMs),
  });
  const started = Date.now();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(status);
    const final = await fleet.stop();
    const s = final.stats;
    const secs = (Date.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify(
        {
          agents: s.agents,
          seconds: Math.round(secs),
          reportsAcked: s.reportsAcked,
          valuesAcked: s.valuesAcked,
          reportsPerSec: Math.round(s.reportsAcked / secs),
          valuesPerSec: Math.round(s.valuesAcked / secs),
          latencyP50Ms: quantileMs(s.latencyBins, 0.5),
          latencyP99Ms: quantileMs(s.latencyBins, 0.99),
          connects: s.connects,
          disconnects: s.disconnects,
          errors: s.errors,
          rejected: s.rejected,
          spoolDropped: s.spoolDropped,
        },
        null,
        2,
      )}\n`,
    );
    process.exit(0);
  };
  const status = setInterval(() => {
    const s = fleet.snapshot();
    log(
      `${Math.round((Date.now() - started) / 1000)} s: connected ${s.connected}/${agents}, acked ${s.reportsAcked} reports (${s.valuesAcked} values), ` +
        `p50 ${quantileMs(s.latencyBins, 0.5)} ms, p99 ${quantileMs(s.latencyBins, 0.99)} ms, errors ${s.errors}`,
    );
    if (Date.now() - started >= durationS * 1000) void stop();
  }, 5_000);
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`simulate-agents: ${(err as Error).message}\n`);
  process.exit(1);
});
