/**
 * Schema parity: the PostgreSQL migrations (server/store/postgres/migrations/) against the SQLite
 * schema all SQLite migrations produce on a fresh file — per table the same columns (with the
 * mapped type, NOT NULL and default), primary key, unique constraints, indexes (name, keys,
 * partial predicate), foreign keys (columns, target, ON DELETE / ON UPDATE) and number of CHECKs.
 * A SQLite migration without its PostgreSQL counterpart fails here, each difference named.
 * Translation rules and how things are compared: tests/storage/schema-parity.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, openDatabase, type Db } from '../../server/store/database.js';
import { migratePostgres } from '../../server/store/postgres/migrate.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { readPostgresSchema, readSqliteSchema, schemaDifferences, type Schema } from './schema-parity.js';

/** Differences on purpose, each with its reason. A listed difference that no longer occurs fails too. */
const ALLOWED: { difference: string; reason: string }[] = [
  {
    difference: 'table schema_migrations: only in PostgreSQL',
    reason: 'migratePostgres records applied versions in it; SQLite keeps its version in PRAGMA user_version',
  },
];

describe.runIf(hasPostgres())('PostgreSQL schema parity with SQLite', () => {
  let server: TestPostgres;
  let pool: pg.Pool;
  let dir: string;
  let sqlite: Db;
  let sqliteSchema: Schema;
  let pgSchema: Schema;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: await server.createDatabase('parity'), max: 2 });
    await migratePostgres(pool);
    pgSchema = await readPostgresSchema(pool);
    dir = mkdtempSync(path.join(tmpdir(), 'qp-parity-'));
    sqlite = openDatabase(dir);
    sqliteSchema = readSqliteSchema(sqlite);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    sqlite?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads both schemas (every SQLite table, with keys and indexes)', () => {
    expect(sqliteSchema.size).toBeGreaterThan(50);
    expect(sqliteSchema.get('devices')!.indexes).toContain('index devices_machine unique (client_id, machine_id) where machine_id is not null');
    expect(sqliteSchema.get('users')!.indexes).toContain('unique (username nocase)');
    expect(sqliteSchema.get('series')!.columns.get('id')!.identity).toBe(true);
    expect(pgSchema.get('rules')!.indexes).toContain(
      "index rules_one_override_per_scope unique (overrides_rule_id, scope_type, coalesce(client_id,''), coalesce(device_id,'')) where overrides_rule_id is not null",
    );
  });

  it('has every table, column, key, index and foreign key SQLite has, and nothing else', () => {
    const differences = schemaDifferences(sqliteSchema, pgSchema);
    const allowed = new Set(ALLOWED.map((a) => a.difference));
    expect(differences.filter((d) => !allowed.has(d))).toEqual([]);
    expect(ALLOWED.filter((a) => !differences.includes(a.difference)).map((a) => a.difference)).toEqual([]);
  });

  it('names what a SQLite migration without a PostgreSQL counterpart adds', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, [
        ...loadMigrations(),
        {
          version: 24,
          name: '024-example.sql',
          sql: `ALTER TABLE devices ADD COLUMN example_ms INTEGER;
                CREATE INDEX devices_example ON devices(example_ms) WHERE example_ms IS NOT NULL;
                CREATE TABLE examples (id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, name TEXT NOT NULL UNIQUE COLLATE NOCASE);`,
        },
      ]);
      const differences = schemaDifferences(readSqliteSchema(db), pgSchema);
      expect(differences).toEqual(
        expect.arrayContaining([
          'column devices.example_ms: missing in PostgreSQL',
          'devices: index devices_example (example_ms) where example_ms is not null missing in PostgreSQL',
          'table examples: missing in PostgreSQL',
        ]),
      );
    } finally {
      db.close();
    }
  });

  it('names PostgreSQL columns, indexes and foreign keys that drifted', async () => {
    // In a transaction that is rolled back: DDL is transactional in PostgreSQL.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`ALTER TABLE status_links ALTER COLUMN show_hostnames TYPE INTEGER, ALTER COLUMN show_hostnames SET DEFAULT 0, ALTER COLUMN label SET NOT NULL;
        ALTER TABLE clients ALTER COLUMN currency SET DEFAULT 'eur';
        DROP INDEX jobs_open;
        CREATE INDEX jobs_open ON jobs(device_id) WHERE state IN ('queued', 'sent');
        ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey;
        ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users(id);`);
      const differences = schemaDifferences(sqliteSchema, await readPostgresSchema(client));
      expect(differences.sort()).toEqual(
        [
          'column status_links.show_hostnames: type integer in PostgreSQL, expected bigint',
          'column status_links.show_hostnames: default 0 in PostgreSQL, 1 in SQLite',
          'column status_links.label: NOT NULL in PostgreSQL, nullable in SQLite',
          "column clients.currency: default 'eur' in PostgreSQL, 'EUR' in SQLite",
          "jobs: index jobs_open (device_id) where state in 'queued', 'sent', 'running' missing in PostgreSQL",
          "jobs: index jobs_open (device_id) where state in 'queued', 'sent' only in PostgreSQL",
          'sessions: foreign key (user_id) → users(id) on delete cascade on update no action missing in PostgreSQL',
          'sessions: foreign key (user_id) → users(id) on delete no action on update no action only in PostgreSQL',
          ...ALLOWED.map((a) => a.difference),
        ].sort(),
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(schemaDifferences(sqliteSchema, await readPostgresSchema(pool))).toEqual(ALLOWED.map((a) => a.difference));
  });
});
