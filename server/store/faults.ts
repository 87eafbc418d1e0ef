/**
 * Storage faults: SQLite errors that say the disk or the database file cannot take a write right
 * now (locked by another process, disk full, I/O error, read-only). They are conditions of the
 * machine, not bugs: the server reports them once, keeps what it has not acknowledged out of the
 * acks, and carries on when they clear.
 */

const DESCRIPTIONS: Record<string, string> = {
  SQLITE_BUSY: 'the database is locked by another process',
  SQLITE_LOCKED: 'the database is locked',
  SQLITE_FULL: 'the disk (or the database size limit) is full',
  SQLITE_IOERR: 'the disk reported an I/O error',
  SQLITE_READONLY: 'the database file is read-only',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_NOMEM: 'SQLite ran out of memory',
};

/** A storage fault: its SQLite code and what it means, or undefined for any other error. */
export function storageFaultOf(err: unknown): { code: string; description: string } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // Extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT…) share their primary's meaning.
  const primary = Object.keys(DESCRIPTIONS).find((p) => code === p || code.startsWith(`${p}_`));
  return primary ? { code, description: DESCRIPTIONS[primary]! } : undefined;
}
