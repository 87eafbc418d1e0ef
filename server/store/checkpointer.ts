/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold, so with 1,500 reports/s the ingest transaction that triggers it copies
 * megabytes and fsyncs the database while every agent waits. Instead a worker thread with its
 * own connection runs a PASSIVE checkpoint every second (it never blocks the writer), and the
 * main connection's automatic checkpoint is raised to a safety net far above what the worker
 * leaves behind.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './database.js';

const require = createRequire(import.meta.url);

// Plain CommonJS so it runs the same from the source tree, the build and the test runner.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.message) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

/** Starts the checkpoint thread for `db`; returns a stop function. */
export function startCheckpointer(db: Db, logger: Logger, intervalMs = 1_000): () => Promise<void> {
  db.pragma('wal_autocheckpoint = 20000');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), file: db.name, intervalMs },
  });
  worker.unref();
  let lastError = '';
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'error' && m.message !== lastError) {
      lastError = m.message ?? '';
      logger.warn({ reason: m.message }, 'WAL checkpoint failed; will retry');
    }
  });
  worker.on('error', (err) => {
    logger.error({ err }, 'checkpoint thread died; falling back to automatic checkpoints');
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  // While running, the thread must not keep the process alive; while stopping it must, or a
  // caller awaiting close() with nothing else pending sees the process exit before the promise
  // settles (the bench did: exit 0, nothing printed).
  return () =>
    new Promise<void>((resolve) => {
      const fallback = setTimeout(() => void worker.terminate(), 2_000);
      worker.once('exit', () => {
        clearTimeout(fallback);
        resolve();
      });
      worker.ref();
      worker.postMessage('stop');
    });
}
