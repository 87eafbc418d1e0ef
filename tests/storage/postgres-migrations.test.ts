/**
 * The PostgreSQL migrator against a real, throw-away PostgreSQL (tests/helpers/postgres.ts): the
 * migrations apply on an empty database and once only; three nodes starting at once apply each
 * migration exactly once; a migration that fails leaves nothing behind; a gap in the files, a
 * database ahead of the code, or a version recorded under another name stop it with an error
 * naming the file or version.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPostgresMigrations, migratePostgres } from '../../server/store/postgres/migrate.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const BASELINE = path.join(import.meta.dirname, '../../server/store/postgres/migrations/001-baseline.sql');

describe.runIf(hasPostgres())('PostgreSQL migrations', () => {
  let server: TestPostgres;
  let databases = 0;
  const pools: pg.Pool[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A new empty database and a pool on it. */
  const emptyDatabase = async () => {
    const url = await server.createDatabase(`m${++databases}`);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return { url, pool };
  };
  const poolOn = (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return pool;
  };
  /** A migrations folder: the real baseline as 001, then the given files. */
  const folder = (files: Record<string, string>, baseline = true) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qp-pgmig-'));
    dirs.push(dir);
    if (baseline) copyFileSync(BASELINE, path.join(dir, '001-baseline.sql'));
    for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
    return dir;
  };
  const recorded = async (pool: pg.Pool) =>
    (await pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;
  const tableExists = async (pool: pg.Pool, table: string) => (await pool.query('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;

  it('applies every migration on an empty database, and a second run is a no-op', async () => {
    const { pool } = await emptyDatabase();
    const all = loadPostgresMigrations();
    expect(all.map((m) => m.name)).toEqual(['001-baseline.sql']);
    expect(await migratePostgres(pool)).toEqual(all.map((m) => m.version));
    expect(await recorded(pool)).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
    for (const table of ['devices', 'alerts', 'head_reports', 'deliveries', 'audit_log']) expect(await tableExists(pool, table)).toBe(true);

    expect(await migratePostgres(pool)).toEqual([]);
    expect(await recorded(pool)).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
  });

  it('applies the baseline as the SQLite code uses it: case-insensitive names, identity ids, cascades', async () => {
    const { pool } = await emptyDatabase();
    await migratePostgres(pool);
    await pool.query("INSERT INTO clients (id, name, contract, created_at_ms) VALUES ('c1', 'Acme BV', 'monthly', 1733300000000)");
    expect((await pool.query("SELECT id FROM clients WHERE name = 'ACME bv'")).rows).toEqual([{ id: 'c1' }]);
    await expect(pool.query("INSERT INTO clients (id, name, contract, created_at_ms) VALUES ('c2', 'acme bv', 'monthly', 0)")).rejects.toThrow(
      /clients_name_key/,
    );
    await pool.query("INSERT INTO devices (id, client_id, hostname, token_hash, enrolled_at_ms) VALUES ('d1', 'c1', 'web-1', 'h1', 1733300000000)");
    const series = await pool.query<{ id: string }>("INSERT INTO series (device_id, name) VALUES ('d1', 'cpu.load'), ('d1', 'mem.used') RETURNING id");
    expect(series.rows.map((r) => Number(r.id))).toEqual([1, 2]);
    await pool.query("DELETE FROM devices WHERE id = 'd1'");
    expect((await pool.query('SELECT count(*)::int AS n FROM series')).rows[0].n).toBe(0);
  });

  it('three nodes migrating one empty database at once apply each migration exactly once', async () => {
    const { url } = await emptyDatabase();
    // Slow migrations that count their runs: a second run would add a row (or fail on CREATE TABLE).
    const dir = folder({
      '002-runs.sql': 'CREATE TABLE migration_runs (version INTEGER NOT NULL); INSERT INTO migration_runs VALUES (2); SELECT pg_sleep(0.2);',
      '003-more.sql': 'INSERT INTO migration_runs VALUES (3); SELECT pg_sleep(0.1);',
    });
    const migrations = loadPostgresMigrations(dir);
    const nodes = [poolOn(url), poolOn(url), poolOn(url)];
    const results = await Promise.all(nodes.map((pool) => migratePostgres(pool, migrations)));
    expect(results.flat().sort()).toEqual([1, 2, 3]);
    expect((await nodes[0]!.query('SELECT version FROM migration_runs ORDER BY version')).rows).toEqual([{ version: 2 }, { version: 3 }]);
    expect((await recorded(nodes[0]!)).map((r) => r.version)).toEqual([1, 2, 3]);
    for (const pool of nodes) expect(await migratePostgres(pool, migrations)).toEqual([]);
  });

  it('a failing migration rolls back as a whole, names its file, and the next run retries it', async () => {
    const { pool } = await emptyDatabase();
    const broken = folder({ '002-broken.sql': 'CREATE TABLE half_done (id TEXT); INSERT INTO no_such_table VALUES (1);' });
    await expect(migratePostgres(pool, loadPostgresMigrations(broken))).rejects.toThrow(
      /PostgreSQL migration 002-broken\.sql failed: relation "no_such_table" does not exist/,
    );
    expect((await recorded(pool)).map((r) => r.version)).toEqual([1]);
    expect(await tableExists(pool, 'half_done')).toBe(false);

    const fixed = folder({ '002-broken.sql': 'CREATE TABLE half_done (id TEXT);' });
    expect(await migratePostgres(pool, loadPostgresMigrations(fixed))).toEqual([2]);
    expect(await tableExists(pool, 'half_done')).toBe(true);
  });

  it('refuses a migrations folder with a gap, naming the file out of sequence', async () => {
    const dir = folder({ '003-skipped-two.sql': 'SELECT 1;' });
    expect(() => loadPostgresMigrations(dir)).toThrow(`PostgreSQL migrations in ${dir}: migration 003-skipped-two.sql is out of sequence: expected 002-*.sql`);
    // A list put together by hand is checked the same way, before anything is applied.
    const { pool } = await emptyDatabase();
    const [baseline] = loadPostgresMigrations();
    await expect(migratePostgres(pool, [baseline!, { version: 3, name: '003-c.sql', sql: 'SELECT 1;' }])).rejects.toThrow(
      'PostgreSQL migration 003-c.sql is out of sequence: expected version 2',
    );
    expect(await tableExists(pool, 'schema_migrations')).toBe(false);
  });

  it('refuses a database with a version this code does not know, applying nothing', async () => {
    const { pool } = await emptyDatabase();
    await migratePostgres(pool, loadPostgresMigrations(folder({ '002-from-a-newer-server.sql': 'CREATE TABLE newer (id TEXT);' })));
    await expect(migratePostgres(pool)).rejects.toThrow(
      'PostgreSQL schema_migrations has version 2 (002-from-a-newer-server.sql), which this server does not know (it knows up to 1); upgrade the server',
    );
    expect((await recorded(pool)).map((r) => r.version)).toEqual([1, 2]);
  });

  it('refuses a version recorded under another file name (two branches that both added 002)', async () => {
    const { pool } = await emptyDatabase();
    await migratePostgres(pool, loadPostgresMigrations(folder({ '002-ours.sql': 'SELECT 1;' })));
    const theirs = loadPostgresMigrations(folder({ '002-theirs.sql': 'SELECT 1;', '003-next.sql': 'CREATE TABLE next_one (id TEXT);' }));
    await expect(migratePostgres(pool, theirs)).rejects.toThrow(
      "PostgreSQL schema_migrations has version 2 as 002-ours.sql, but this server's migration 2 is 002-theirs.sql",
    );
    expect(await tableExists(pool, 'next_one')).toBe(false);
  });
});
