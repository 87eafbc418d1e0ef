/**
 * Encryption at rest for probe credentials (SNMP communities, v3 keys). They are sealed by the
 * server's key ring (server/lib/secret-box.ts, AES-256-GCM, key file outside the database) under
 * their own purpose, "probe-credential": a value sealed for another column does not open here,
 * and `quarkpulse secrets rotate-key` re-seals them with every other secret.
 *
 * Versions before that sealed them with a separate single key (`<data dir>/probe-secrets.key`,
 * text `v1:<base64 iv|tag|data>`); `openLegacyProbeKey` reads that key once so the server can
 * re-seal those values into the ring at start (server/auth/sealed-columns.ts).
 */
import { createDecipheriv } from 'node:crypto';
import fs from 'node:fs';
import type { SecretBox } from './secret-box.js';

/** GCM additional data of a sealed probe credential. */
export const PROBE_CREDENTIAL_PURPOSE = 'probe-credential';
/** File name of the pre-ring probe key in the data directory. */
export const LEGACY_PROBE_KEY_FILE = 'probe-secrets.key';
/** Prefix of values sealed with the pre-ring probe key. */
export const LEGACY_PROBE_PREFIX = 'v1:';

/** Seals and opens short secrets of one purpose (the probe store's view of the key ring). */
export interface PurposeBox {
  seal(plain: string): string;
  /** Throws when the text was not sealed by this ring (missing key, tampering, other purpose). */
  open(sealed: string): string;
}

/** A box over the server's key ring for one purpose. */
export function purposeBox(ring: SecretBox, purpose: string): PurposeBox {
  return {
    seal: (plain) => ring.encryptSecret(plain, purpose),
    open: (sealed) => ring.decryptSecret(sealed, purpose),
  };
}

/** The probe store's box over the server's key ring. */
export function probeCredentialBox(ring: SecretBox): PurposeBox {
  return purposeBox(ring, PROBE_CREDENTIAL_PURPOSE);
}

/** Opener of `v1:` values under the pre-ring key file; undefined when the file does not exist. */
export function openLegacyProbeKey(keyFile: string): ((sealed: string) => string) | undefined {
  let key: Buffer;
  try {
    key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the old probe secrets key ${keyFile}: ${(err as Error).message}`, { cause: err });
  }
  if (key.length !== 32)
    throw new Error(`the old probe secrets key ${keyFile} must hold 32 bytes in base64; restore it from backup (sealed credentials need it)`);
  return (sealed) => {
    if (!sealed.startsWith(LEGACY_PROBE_PREFIX)) throw new Error('not a value sealed with the old probe key');
    const raw = Buffer.from(sealed.slice(LEGACY_PROBE_PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  };
}
