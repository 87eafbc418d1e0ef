/**
 * Giving free pages back to the file system (docs/STORAGE.md "The file on disk"). New databases
 * are created with `auto_vacuum = INCREMENTAL` (database.ts), so the pages that compaction and
 * retention free can be cut off the end of the file a few hundred at a time
 * (`incrementalVacuum`, run by the storage upkeep). A database made by an older version has
 * `auto_vacuum = NONE`, which only a full VACUUM can change: `vacuumDatabaseFile`, run by
 * `quarkpulse db vacuum` while the server is stopped.
 *
 * In WAL mode the file shrinks only when a checkpoint has copied every frame back into it (the
 * checkpoint then truncates the file to the size the last commit recorded); the checkpointer
 * thread's PASSIVE checkpoint does that once a second.
 */
import Database from 'better-sqlite3';
import { existsSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../../shared/format.js';
import type { Db } from './database.js';

export type AutoVacuumMode = 'none' | 'full' | 'incremental';

const MODES: readonly AutoVacuumMode[] = ['none', 'full', 'incremental'];

/** The database's auto_vacuum mode as stored in its header. */
export function autoVacuumMode(db: Db): AutoVacuumMode {
  return MODES[db.pragma('auto_vacuum', { simple: true }) as number] ?? 'none';
}

/** Pages of the main file: how many, how many of them are free, and their size. */
export interface PageStats {
  pageSize: number;
  pageCount: number;
  freePages: number;
  /** freePages / pageCount (0 for an empty file). */
  freeFraction: number;
}

export function pageStats(db: Db): PageStats {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  const freePages = db.pragma('freelist_count', { simple: true }) as number;
  return { pageSize, pageCount, freePages, freeFraction: pageCount > 0 ? freePages / pageCount : 0 };
}

/**
 * Releases at most `maxPages` free pages from the end of the file (its own write transaction,
 * outside any other). Returns the pages released; 0 when the database is not INCREMENTAL.
 */
export function incrementalVacuum(db: Db, maxPages: number): number {
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new Error(`incremental vacuum: the page budget must be a positive integer, not ${maxPages}`);
  const before = db.pragma('freelist_count', { simple: true }) as number;
  if (before === 0) return 0;
  db.pragma(`incremental_vacuum(${maxPages})`);
  return before - (db.pragma('freelist_count', { simple: true }) as number);
}

/** Bytes of the database file plus its WAL. */
export function databaseFileBytes(file: string): number {
  return ['', '-wal'].reduce((n, suffix) => n + (statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** A refusal of `vacuumDatabaseFile` that says what to do; nothing was changed. */
export class VacuumRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VacuumRefused';
  }
}

/** Free space where VACUUM writes, and what it needs there. */
export interface VacuumSpace {
  /** Where the WAL grows by a copy of the database. */
  dataDir: { path: string; freeBytes: number; needBytes: number };
  /** Where SQLite builds the vacuumed copy first (its temp directory), when another file system. */
  tempDir: { path: string; freeBytes: number; needBytes: number } | null;
}

/** The directory SQLite (unix VFS) puts its temporary files in: the first usable of these. */
export function sqliteTempDir(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of [env.SQLITE_TMPDIR, env.TMPDIR, '/var/tmp', '/usr/tmp', '/tmp']) {
    if (dir && statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
  }
  return '.';
}

/**
 * What VACUUM needs: it builds the compacted copy in SQLite's temp directory (about the used
 * pages), then writes it through the WAL beside the database (at most the file's size) before
 * the checkpoint folds it back. On one file system both count.
 */
export function vacuumSpace(file: string, usedBytes: number, tempDir = sqliteTempDir()): VacuumSpace {
  const dataDir = path.dirname(file);
  const free = (dir: string) => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  const fileBytes = databaseFileBytes(file);
  const sameFs = statSync(dataDir).dev === statSync(tempDir).dev;
  return {
    dataDir: { path: dataDir, freeBytes: free(dataDir), needBytes: fileBytes + (sameFs ? usedBytes : 0) },
    tempDir: sameFs ? null : { path: tempDir, freeBytes: free(tempDir), needBytes: usedBytes },
  };
}

/** What `vacuumDatabaseFile` did. */
export interface VacuumResult {
  file: string;
  beforeBytes: number;
  afterBytes: number;
  modeBefore: AutoVacuumMode;
  modeAfter: AutoVacuumMode;
  /** Rows per table, before and after (they must be equal). */
  rowsBefore: Record<string, number>;
  rowsAfter: Record<string, number>;
  seconds: number;
}

function rowCounts(db: Db): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(
    tables.map((t) => [
      t,
      db
        .prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`)
        .pluck()
        .get() as number,
    ]),
  );
}

/**
 * Converts `<dataDir>/quarkpulse.db` to `auto_vacuum = INCREMENTAL` and rebuilds it with VACUUM.
 * Refuses (VacuumRefused, nothing changed) when the file does not exist, when any other
 * connection has it open (a running server), or when the disk has too little room for the copy.
 *
 * "Open elsewhere" is asked of SQLite itself: there is no lock file. In WAL mode every open
 * connection holds a shared lock on the database file for as long as it is open, so a
 * connection in `locking_mode = EXCLUSIVE` cannot take its exclusive lock while a server is
 * running, even an idle one (a plain `BEGIN EXCLUSIVE` would succeed: in WAL mode it shuts out
 * writers only). The lock is then held until the end, so a server started meanwhile fails to
 * open the database instead of writing to it during the VACUUM.
 */
export function vacuumDatabaseFile(
  dataDir: string,
  opts: { tempDir?: string; /** Told once every check has passed, just before the VACUUM. */ onStart?: (file: string, space: VacuumSpace) => void } = {},
): VacuumResult {
  if (!existsSync(dataDir)) throw new VacuumRefused(`no data directory ${dataDir} (give the server's with --data-dir, or set QP_DATA_DIR)`);
  if (!statSync(dataDir).isDirectory()) throw new VacuumRefused(`${dataDir} is not a directory (give the server's data directory with --data-dir)`);
  const file = path.join(dataDir, 'quarkpulse.db');
  if (!existsSync(file)) throw new VacuumRefused(`no database in ${dataDir}: ${file} does not exist (is --data-dir the server's data directory?)`);
  const t0 = performance.now();
  const beforeBytes = databaseFileBytes(file);
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      // The first read takes the exclusive lock (and opens the WAL under it).
      db.pragma('user_version', { simple: true });
      db.exec('BEGIN EXCLUSIVE');
      db.exec('COMMIT');
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') || (err as { code?: string }).code?.startsWith('SQLITE_LOCKED')) {
        throw new VacuumRefused(`${file} is in use (a Quarkpulse server is running on ${dataDir}?); stop the server, then run this again`);
      }
      throw err;
    }
    const modeBefore = autoVacuumMode(db);
    const pages = pageStats(db);
    const space = vacuumSpace(file, (pages.pageCount - pages.freePages) * pages.pageSize, opts.tempDir);
    for (const where of [space.dataDir, space.tempDir]) {
      if (where && where.freeBytes < where.needBytes) {
        throw new VacuumRefused(
          `not enough free disk space for VACUUM under ${where.path}: ${formatBytes(where.freeBytes)} free, ${formatBytes(where.needBytes)} needed (it writes a copy of the database); free some space and run this again`,
        );
      }
    }
    const rowsBefore = rowCounts(db);
    opts.onStart?.(file, space);
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
    // Fold the rebuilt pages back into the file and empty the WAL.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rowsAfter = rowCounts(db);
    const modeAfter = autoVacuumMode(db);
    db.close();
    return { file, beforeBytes, afterBytes: databaseFileBytes(file), modeBefore, modeAfter, rowsBefore, rowsAfter, seconds: (performance.now() - t0) / 1000 };
  } finally {
    if (db.open) db.close();
  }
}
