/**
 * Every database column that holds a sealed secret (server/lib/secret-box.ts), so that sealing
 * plaintext left from older versions and re-sealing under a new key (`quarkpulse secrets
 * rotate-key`) cover them all. A module that stores a new kind of secret appends its column here.
 */
import type { Db } from '../store/database.js';
import { isSealed, type SecretBox } from '../lib/secret-box.js';
import { LEGACY_PROBE_PREFIX, PROBE_CREDENTIAL_PURPOSE } from '../lib/probe-secret-box.js';
import { DISCOVERY_CREDENTIAL_PURPOSE } from '../store/discovery.js';

/** A column of sealed values. */
export interface SealedColumn {
  table: string;
  /** The row's key columns (more than one for a composite primary key). */
  idColumns: readonly string[];
  column: string;
  /** GCM additional data of the values (a value sealed for one column does not open as another's). */
  purpose: string;
}

/** The columns. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  // The whole channel config: SMTP passwords, webhook signing keys, Slack/Teams webhook URLs
  // (the URL is the credential there), ntfy tokens.
  { table: 'channels', idColumns: ['id'], column: 'config_json', purpose: 'channel-config' },
  { table: 'user_totp', idColumns: ['user_id'], column: 'secret_sealed', purpose: 'totp-secret' },
  // Sign-in settings that hold a secret (the OIDC client secret).
  { table: 'auth_settings', idColumns: ['key'], column: 'secret_sealed', purpose: 'auth-setting' },
  // The HMAC key of acknowledge links (migration 011 moved it out of the plain value column).
  { table: 'notify_settings', idColumns: ['key'], column: 'secret_sealed', purpose: 'notify-setting' },
  // SNMP communities and v3 keys of the site probe.
  { table: 'probe_secrets', idColumns: ['device_id', 'check_id'], column: 'sealed', purpose: PROBE_CREDENTIAL_PURPOSE },
  // The SNMP credential of a discovery scan.
  { table: 'discovery_scans', idColumns: ['id'], column: 'credential_sealed', purpose: DISCOVERY_CREDENTIAL_PURPOSE },
];

function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** Rewrites every value of `columns` through `map` in one transaction; returns how many changed. */
function rewrite(db: Db, columns: readonly SealedColumn[], map: (value: string, c: SealedColumn) => string | undefined): number {
  let changed = 0;
  // IMMEDIATE: read and rewrite under the write lock, so a running server's write cannot slip between.
  db.transaction(() => {
    for (const c of columns) {
      if (!tableExists(db, c.table)) continue;
      const ids = c.idColumns.map((k, i) => `"${k}" AS id${i}`).join(', ');
      const rows = db.prepare(`SELECT ${ids}, "${c.column}" AS value FROM "${c.table}" WHERE "${c.column}" IS NOT NULL`).all() as Record<string, string>[];
      const where = c.idColumns.map((k) => `"${k}" = ?`).join(' AND ');
      const put = db.prepare(`UPDATE "${c.table}" SET "${c.column}" = ? WHERE ${where}`);
      for (const r of rows) {
        const next = map(r.value!, c);
        if (next !== undefined && next !== r.value) {
          put.run(next, ...c.idColumns.map((_, i) => r[`id${i}`]));
          changed++;
        }
      }
    }
  }).immediate();
  return changed;
}

/**
 * Overwrites freed space while `fn` runs and then empties the WAL, so the plaintext (or the
 * values under a retired key) is gone from both the database file and the WAL afterwards.
 */
function scrubbing<T>(db: Db, fn: () => T): T {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    return fn();
  } finally {
    db.pragma(`secure_delete = ${before ? 'ON' : 'OFF'}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/**
 * Re-seals probe credentials sealed with the pre-ring probe key (`v1:`) into the ring, so that
 * rotation covers them; run at start before `sealPlaintextColumns`. A `v1:` value without its old
 * key file is an error that says which file to restore. Returns how many were re-sealed.
 */
export function resealLegacyProbeSecrets(db: Db, box: SecretBox, openLegacy: ((sealed: string) => string) | undefined, legacyKeyFile: string): number {
  const column = SEALED_COLUMNS.find((c) => c.table === 'probe_secrets')!;
  if (!tableExists(db, column.table)) return 0;
  const legacy = db.prepare(`SELECT 1 FROM probe_secrets WHERE substr(sealed, 1, ?) = ? LIMIT 1`).get(LEGACY_PROBE_PREFIX.length, LEGACY_PROBE_PREFIX);
  if (legacy === undefined) return 0;
  if (!openLegacy)
    throw new Error(
      `the database holds SNMP credentials sealed with the old probe key ${legacyKeyFile}, which does not exist; restore that file from your backup`,
    );
  return scrubbing(db, () => rewrite(db, [column], (v, c) => (v.startsWith(LEGACY_PROBE_PREFIX) ? box.encryptSecret(openLegacy(v), c.purpose) : undefined)));
}

/** Seals plaintext values left from before sealing (run at every start; a no-op once done). */
export function sealPlaintextColumns(db: Db, box: SecretBox, columns: readonly SealedColumn[] = SEALED_COLUMNS): number {
  const hasPlain = columns.some(
    (c) =>
      tableExists(db, c.table) &&
      db.prepare(`SELECT 1 FROM "${c.table}" WHERE "${c.column}" IS NOT NULL AND "${c.column}" NOT LIKE 'enc1:%' LIMIT 1`).get() !== undefined,
  );
  if (!hasPlain) return 0;
  return scrubbing(db, () => rewrite(db, columns, (v, c) => (isSealed(v) ? undefined : box.encryptSecret(v, c.purpose))));
}

/** Re-seals every value with `to`'s current key (opening them with `from`); returns how many. */
export function resealColumns(db: Db, from: SecretBox, to: SecretBox, columns: readonly SealedColumn[] = SEALED_COLUMNS): number {
  return scrubbing(db, () =>
    rewrite(db, columns, (v, c) => (isSealed(v) ? to.encryptSecret(from.decryptSecret(v, c.purpose), c.purpose) : to.encryptSecret(v, c.purpose))),
  );
}

/** How many sealed values use a key other than `keyId` (0 after a completed rotation). */
export function countSealedWithOtherKeys(db: Db, keyId: string, columns: readonly SealedColumn[] = SEALED_COLUMNS): number {
  let n = 0;
  for (const c of columns) {
    if (!tableExists(db, c.table)) continue;
    n += (
      db
        .prepare(`SELECT count(*) AS n FROM "${c.table}" WHERE "${c.column}" IS NOT NULL AND substr("${c.column}", 1, ?) <> ?`)
        .get(`enc1:${keyId}:`.length, `enc1:${keyId}:`) as { n: number }
    ).n;
  }
  return n;
}

/** Key ids used by sealed values that `box` cannot open (empty when every value opens). */
export function unknownKeyIds(db: Db, box: SecretBox, columns: readonly SealedColumn[] = SEALED_COLUMNS): string[] {
  const known = new Set(box.keyIds());
  const used = new Set<string>();
  for (const c of columns) {
    if (!tableExists(db, c.table)) continue;
    const rows = db
      .prepare(`SELECT DISTINCT substr("${c.column}", 6, instr(substr("${c.column}", 6), ':') - 1) AS kid FROM "${c.table}" WHERE "${c.column}" LIKE 'enc1:%'`)
      .all() as { kid: string }[];
    for (const r of rows) used.add(r.kid);
  }
  return [...used].filter((k) => !known.has(k));
}
