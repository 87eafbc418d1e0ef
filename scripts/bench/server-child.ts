/**
 * Runs a Quarkpulse server in its own process for the benchmark (so its RSS and CPU are its
 * own). Forked by bench sections; also runnable by hand:
 *
 *   npx tsx scripts/bench/server-child.ts --data DIR --port 18080 [--password PW]
 *
 * Tells the parent `{ type: 'listening', port, pid }` over IPC, and closes cleanly on
 * `{ type: 'stop' }` or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createServer } from '../../server/index.js';

const { values: f } = parseArgs({
  options: {
    data: { type: 'string' },
    port: { type: 'string', default: '0' },
    password: { type: 'string', default: process.env.QP_ADMIN_PASSWORD ?? 'bench-admin-password' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
if (!f.data) throw new Error('--data DIR is required');

const server = await createServer({
  dataDir: f.data,
  adminPassword: f.password,
  logger: pino({ level: f['log-level'] }),
});
const port = await server.listen(Number(f.port), '127.0.0.1');
process.send?.({ type: 'listening', port, pid: process.pid });
if (!process.send) process.stderr.write(`server listening on http://127.0.0.1:${port} (pid ${process.pid})\n`);

// Stall detector: the bench wants to know when (not just that) the event loop stopped.
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - lastTick > 600)
    process.stderr.write(`[server ${new Date().toISOString().slice(11, 23)}] event loop stalled ${Math.round(now - lastTick - 100)} ms\n`);
  lastTick = now;
}, 100).unref();

let isClosing = false;
async function shutdown(): Promise<void> {
  if (isClosing) return;
  isClosing = true;
  await server.close();
  process.exit(0);
}
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'stop') void shutdown();
});
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
