/**
 * Applies the numbered PostgreSQL migrations (`server/store/postgres/migrations/NNN-name.sql`, the
 * same strict loader as SQLite's: contiguous from 001) in order, each in its own transaction,
 * recording each in `schema_migrations`. Several server nodes may start at once against one
 * database: every transaction first takes one transaction-level advisory lock, then reads what is
 * applied, so each migration runs exactly once and the others wait and find it done. A
 * transaction lock (not a session lock) is released by COMMIT or ROLLBACK, also behind a pooler
 * in transaction mode, and a node that dies mid-migration holds nothing.
 *
 * The database must not be ahead of the code: a recorded version this code does not know, or one
 * recorded under another file name, is an error naming it, and nothing is applied.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, PoolClient } from 'pg';
import { loadMigrations, type Migration } from '../database.js';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The advisory lock every migrating transaction takes: 0x71706d6967 is "qpmig" in ASCII. */
export const MIGRATION_LOCK_KEY = 0x71706d6967;

/** Reads `NNN-name.sql` files of the PostgreSQL schema in numeric order; a gap or a duplicate throws. */
export function loadPostgresMigrations(dir = migrationsDir): Migration[] {
  try {
    return loadMigrations(dir);
  } catch (err) {
    throw new Error(`PostgreSQL migrations in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/** Throws when the recorded versions are not a prefix of the known ones. */
function checkApplied(applied: { version: number; name: string }[], migrations: Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  for (const [i, row] of applied.entries()) {
    const known = migrations.find((m) => m.version === row.version);
    if (!known) {
      throw new Error(
        `PostgreSQL schema_migrations has version ${row.version} (${row.name}), which this server does not know (it knows up to ${latest}); upgrade the server`,
      );
    }
    if (known.name !== row.name) {
      throw new Error(`PostgreSQL schema_migrations has version ${row.version} as ${row.name}, but this server's migration ${row.version} is ${known.name}`);
    }
    if (row.version !== i + 1) throw new Error(`PostgreSQL schema_migrations is missing version ${i + 1} below version ${row.version}`);
  }
}

/** One transaction: lock, read what is applied, apply the next migration if any. Returns it, or undefined when none is left. */
async function applyNext(client: PoolClient, migrations: Migration[]): Promise<Migration | undefined> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    checkApplied(rows, migrations);
    const next = migrations[rows.length];
    if (next) {
      try {
        await client.query(next.sql);
      } catch (err) {
        throw new Error(`PostgreSQL migration ${next.name} failed: ${(err as Error).message}`, { cause: err });
      }
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [next.version, next.name]);
    }
    await client.query('COMMIT');
    return next;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Applies every migration the database does not have yet. Returns the versions this call applied
 * (empty when another node applied them, or when there was nothing to do).
 */
export async function migratePostgres(pool: Pool, migrations = loadPostgresMigrations()): Promise<number[]> {
  for (const [i, m] of migrations.entries()) {
    if (m.version !== i + 1) throw new Error(`PostgreSQL migration ${m.name} is out of sequence: expected version ${i + 1}`);
  }
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    for (;;) {
      const m = await applyNext(client, migrations);
      if (!m) return applied;
      applied.push(m.version);
    }
  } finally {
    client.release();
  }
}
