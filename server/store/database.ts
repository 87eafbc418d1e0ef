/**
 * Opens the SQLite database in one place: WAL journal, foreign keys on, a busy timeout, and all
 * numbered migrations applied in order, each in its own transaction, tracked by PRAGMA
 * user_version. A migration that fails rolls back and throws: the server does not start on a
 * half-migrated database.
 *
 * A new file is created with `auto_vacuum = INCREMENTAL` (before its first table: SQLite fixes
 * the mode then), so the storage upkeep can give the pages compaction and retention free back to
 * the file system (vacuum.ts). A file made by an older version keeps `NONE` until
 * `quarkpulse db vacuum` rebuilds it.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** One numbered migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNN-name.sql` files in numeric order; gaps or duplicates are a build error. */
export function loadMigrations(dir = migrationsDir): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort();
  return files.map((file, i) => {
    const version = Number(file.slice(0, 3));
    if (version !== i + 1) throw new Error(`migration ${file} is out of sequence: expected ${String(i + 1).padStart(3, '0')}-*.sql`);
    return { version, name: file, sql: readFileSync(path.join(dir, file), 'utf8') };
  });
}

/** Applies every migration newer than the database's user_version. Returns the versions applied. */
export function migrate(db: Db, migrations = loadMigrations()): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this server knows (${latest}); upgrade the server`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    const run = db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      run();
    } catch (err) {
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    applied.push(m.version);
  }
  return applied;
}

/** Opens (creating if needed) `<dataDir>/quarkpulse.db` and migrates it. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'quarkpulse.db'));
  // Only an empty file takes the mode; on an existing one the pragma would merely ask the next VACUUM for it.
  if ((db.pragma('page_count', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  // FULL: an acknowledged report must survive a power cut, not just a process crash. Group
  // commit keeps this to a few fsyncs per second.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}
