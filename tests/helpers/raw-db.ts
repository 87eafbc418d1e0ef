/**
 * The database file and its write-ahead log as raw text, for tests that prove a secret never
 * reaches the disk in the clear.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every byte of `quarkpulse.db` and `quarkpulse.db-wal` in `dataDir` (the ones that exist), as latin1 text. */
export function rawDatabaseFiles(dataDir: string): string[] {
  return ['quarkpulse.db', 'quarkpulse.db-wal']
    .map((f) => path.join(dataDir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString('latin1'));
}
