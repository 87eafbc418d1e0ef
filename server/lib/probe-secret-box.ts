/**
 * Encryption at rest for probe credentials (SNMP communities, v3 keys): AES-256-GCM with a random
 * 96-bit IV per value and a 256-bit key kept in a file beside the database (mode 0600), never in
 * it, so a copy of the database alone reveals no credential. Sealed text: `v1:<base64 iv|tag|data>`.
 * One small module so a shared secrets module can replace it (same seal/open shape).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';

/** Seals and opens short secrets. */
export interface SecretBox {
  seal(plain: string): string;
  /** Throws when the text was not sealed with this key (wrong key file, tampering). */
  open(sealed: string): string;
}

/** Opens the key file, creating it (0600) with a fresh random key when it does not exist. */
export function openSecretBox(keyFile: string): SecretBox {
  let key: Buffer;
  try {
    key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read the probe secrets key ${keyFile}: ${(err as Error).message}`, { cause: err });
    key = randomBytes(32);
    fs.writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  if (key.length !== 32) throw new Error(`the probe secrets key ${keyFile} must hold 32 bytes in base64; restore it from backup (sealed credentials need it)`);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1:')) throw new Error('not a sealed value');
      const raw = Buffer.from(sealed.slice(3), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
