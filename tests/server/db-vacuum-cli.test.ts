/**
 * `quarkpulse db vacuum` with the real CLI (child processes of bin/quarkpulse.ts) on real files:
 * an old-style database (auto_vacuum NONE, made by the migrations without the pragma, as older
 * versions did) is converted to INCREMENTAL and shrunk without losing a row; a running server
 * (createServer on port 0) makes it refuse, and warns once at start that the file needs it;
 * a wrong data directory is refused with a clear message.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, type Db } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';
import { createMetricStore } from '../../server/series/metrics.js';
import { createCompactor } from '../../server/series/compactor.js';
import { vacuumSpace } from '../../server/store/vacuum.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const HOUR = 3_600_000;

/** A database as an older version made it: WAL, the migrations, no auto_vacuum; with compacted metrics (free pages). */
function makeOldDatabase(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const db: Db = new Database(path.join(dataDir, 'quarkpulse.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const now = Date.now();
  let clock = now;
  const metrics = createMetricStore(db, { now: () => clock });
  const client = createClientStore(db).create({ name: 'Old', contract: 'monthly' }, 0);
  const devices = createDeviceStore(db);
  db.transaction(() => {
    for (let d = 0; d < 10; d++) {
      const id = devices.enroll({ clientId: client.id, hostname: `old-${d}`, deviceToken: `qpd_old_${d}_${Math.random()}` }, 0).device.id;
      for (let i = 0; i < 720; i++) {
        const samples = Array.from({ length: 30 }, (_, k) => ({ name: 'disk.usedPct', labels: { mount: `/m${k}` }, value: ((i * 7 + k * 13) % 9973) / 100 }));
        metrics.insertReport(id, i + 1, now - 3 * HOUR + i * 10_000, samples);
      }
    }
  })();
  clock = now + HOUR;
  createCompactor({ db, metrics, now: () => clock }).compactAll();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function inspect(dataDir: string) {
  const db = new Database(path.join(dataDir, 'quarkpulse.db'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const rows = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
    return {
      autoVacuum: db.pragma('auto_vacuum', { simple: true }) as number,
      freePages: db.pragma('freelist_count', { simple: true }) as number,
      rows,
      integrity: db.pragma('integrity_check', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

const fileBytes = (dataDir: string) =>
  ['', '-wal'].reduce((n, s) => n + (statSync(path.join(dataDir, `quarkpulse.db${s}`), { throwIfNoEntry: false })?.size ?? 0), 0);

describe('quarkpulse db vacuum', () => {
  let dir: string | undefined;
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('refuses while a server runs on the data dir (which warns once at start), then converts and shrinks it, losing no row', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-db-vacuum-'));
    const dataDir = path.join(dir, 'data');
    makeOldDatabase(dataDir);
    const old = inspect(dataDir);
    expect(old.autoVacuum).toBe(0);
    expect(old.freePages).toBeGreaterThan(200);

    // A real server on the old file: one warning that names the command.
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
        done();
      },
    });
    t = await startTestServer({ dataDir, logger: pino({ level: 'warn' }, sink), storageUpkeep: false });
    const warned = lines.filter((l) => l.msg.includes('quarkpulse db vacuum'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.level).toBe(40);

    const sizeBefore = fileBytes(dataDir);
    const busy = await runCli(['db', 'vacuum', '--data-dir', dataDir]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`error: ${path.join(dataDir, 'quarkpulse.db')} is in use (a Quarkpulse server is running on ${dataDir}?); stop the server`);
    expect(busy.stdout).toBe('');
    await t.close();
    t = undefined;
    const stopped = inspect(dataDir);
    expect(stopped.autoVacuum).toBe(0);
    expect(fileBytes(dataDir)).toBeGreaterThanOrEqual(sizeBefore * 0.9);

    const run = await runCli(['db', 'vacuum', '--data-dir', dataDir]);
    expect([run.code, run.stderr.split('\n').filter((l) => l.startsWith('error'))]).toEqual([0, []]);
    expect(run.stdout).toMatch(
      new RegExp(
        `^${path.join(dataDir, 'quarkpulse.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [\\d.]+ [KMG]?B → [\\d.]+ [KMG]?B \\(auto_vacuum: none → incremental\\) in [\\d.]+ s\\n$`,
      ),
    );
    const after = inspect(dataDir);
    expect(after.autoVacuum).toBe(2);
    expect(after.freePages).toBe(0);
    expect(after.integrity).toBe('ok');
    expect(after.rows).toEqual(stopped.rows);
    expect(after.rows.raw_blocks).toBeGreaterThan(0);
    const shrunk = fileBytes(dataDir);
    expect(shrunk).toBeLessThan(0.7 * sizeBefore);

    // A second run finds it converted already, and the server starts without the warning.
    const again = await runCli(['db', 'vacuum', '-d', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(auto_vacuum: incremental, unchanged)');
    lines.length = 0;
    t = await startTestServer({ dataDir, logger: pino({ level: 'warn' }, sink), storageUpkeep: false });
    expect(lines.filter((l) => l.msg.includes('db vacuum'))).toEqual([]);
  }, 180_000);

  it('refuses a data directory that does not exist, or holds no database, and creates nothing', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-db-vacuum-'));
    const missing = path.join(dir, 'nowhere');
    const r = await runCli(['db', 'vacuum', '--data-dir', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: no data directory ${missing} (give the server's with --data-dir, or set QP_DATA_DIR); nothing changed\n`);
    expect(existsSync(missing)).toBe(false);
    const empty = await runCli(['db', 'vacuum', '--data-dir', dir]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(
      `error: no database in ${dir}: ${path.join(dir, 'quarkpulse.db')} does not exist (is --data-dir the server's data directory?); nothing changed`,
    );
    expect(existsSync(path.join(dir, 'quarkpulse.db'))).toBe(false);
  }, 60_000);

  it('counts the copy VACUUM writes against the free space (the figures a refusal names)', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-db-vacuum-'));
    makeOldDatabase(dir);
    const file = path.join(dir, 'quarkpulse.db');
    const sameFs = vacuumSpace(file, 1_000_000, dir);
    // Temp copy and WAL on one file system: the file's size plus the used pages.
    expect(sameFs.tempDir).toBeNull();
    expect(sameFs.dataDir.needBytes).toBe(fileBytes(dir) + 1_000_000);
    expect(sameFs.dataDir.freeBytes).toBeGreaterThan(0);
  });
});
