/**
 * Secrets the server must be able to read back (channel passwords and webhook URLs, TOTP seeds,
 * the OIDC client secret, SNMP credentials) are sealed with AES-256-GCM before they reach the
 * database. The key lives in a file outside the database (default `<data dir>/secret.key`, mode
 * 0600, created at first start), so a stolen database file alone yields none of them.
 *
 * Sealed value: `enc1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts). The purpose string
 * ("channel-config", "totp-secret", …) is the GCM additional data: a value sealed for one column
 * does not open as another's.
 *
 * The key file holds a ring: the first key seals, all of them open. `quarkpulse secrets
 * rotate-key` puts a new key first, re-seals every value and then drops the old keys. A running
 * server notices the file changed (inode and mtime, checked on each use: a stat, no read) and
 * reloads it, so rotation works while it runs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Prefix of every sealed value. */
export const SEALED_PREFIX = 'enc1:';
/** Name of the key file in the data directory when no other path is configured. */
export const DEFAULT_KEY_FILE_NAME = 'secret.key';

const IV_BYTES = 12;
const KEY_BYTES = 32;

/** One key of the ring. */
export interface SecretKey {
  /** Short random id written into each sealed value. */
  id: string;
  /** 32 random bytes. */
  key: Buffer;
  createdAtMs: number;
}

const keyFileSchema = z
  .object({
    version: z.literal(1),
    keys: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{4,32}$/), key: z.string(), createdAtMs: z.number().int() }).strict()).min(1),
  })
  .strict();

/** Thrown when a sealed value cannot be opened (unknown key, tampered bytes, wrong purpose). */
export class SecretBoxError extends Error {
  constructor(
    message: string,
    readonly code: 'SECRET_KEY_UNKNOWN' | 'SECRET_CORRUPT' | 'SECRET_NOT_SEALED',
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** A new random key. */
export function generateSecretKey(nowMs: number): SecretKey {
  return { id: randomBytes(6).toString('base64url'), key: randomBytes(KEY_BYTES), createdAtMs: nowMs };
}

/** Reads a key file; throws a message that says what to fix. */
export function readKeyFile(file: string): SecretKey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the secret key file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new Error(`the secret key file ${file} is readable by other users; run: chmod 600 ${file}`);
  }
  let parsed: z.infer<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(text));
  } catch {
    throw new Error(`the secret key file ${file} is damaged (not a Quarkpulse key file); restore it from your backup`);
  }
  return parsed.keys.map((k) => {
    const key = Buffer.from(k.key, 'base64url');
    if (key.length !== KEY_BYTES)
      throw new Error(`the secret key file ${file} has a key (${k.id}) that is not ${KEY_BYTES} bytes; restore it from your backup`);
    return { id: k.id, key, createdAtMs: k.createdAtMs };
  });
}

/** Writes a key file atomically (temp file, fsync, rename) with mode 0600. */
export function writeKeyFile(file: string, keys: readonly SecretKey[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const body =
    JSON.stringify({ version: 1, keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64url'), createdAtMs: k.createdAtMs })) }, null, 2) + '\n';
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Seals and opens secrets; see the file comment. */
export interface SecretBox {
  /** Seals `plain` for `purpose` with the current key. */
  encryptSecret(plain: string, purpose: string): string;
  /** Opens a sealed value; throws SecretBoxError when it cannot. */
  decryptSecret(sealed: string, purpose: string): string;
  /** True when `value` is a sealed value (not a plaintext left from before sealing). */
  isSealed(value: string): boolean;
  /** Id of the key new values are sealed with. */
  currentKeyId(): string;
  /** Ids of every key that opens values (the current one first). */
  keyIds(): string[];
  /** The key file this box reads. */
  readonly keyFile: string;
}

/** True when `value` looks like a sealed value. */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

function seal(key: SecretKey, plain: string, purpose: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(`quarkpulse:${purpose}`));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${SEALED_PREFIX}${key.id}:${iv.toString('base64url')}:${ct.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
}

function open(keys: readonly SecretKey[], sealed: string, purpose: string): string | { missingKeyId: string } {
  if (!isSealed(sealed)) throw new SecretBoxError('the value is not sealed', 'SECRET_NOT_SEALED');
  const parts = sealed.slice(SEALED_PREFIX.length).split(':');
  if (parts.length !== 4) throw new SecretBoxError('the sealed value is malformed', 'SECRET_CORRUPT');
  const [kid, ivB64, ctB64, tagB64] = parts as [string, string, string, string];
  const key = keys.find((k) => k.id === kid);
  if (!key) return { missingKeyId: kid };
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(ivB64, 'base64url'));
    decipher.setAAD(Buffer.from(`quarkpulse:${purpose}`));
    decipher.setAuthTag(Buffer.from(tagB64, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError(`a sealed ${purpose} does not open with key ${kid} (tampered, or sealed for another purpose)`, 'SECRET_CORRUPT');
  }
}

/** A box over a fixed ring of keys (the CLI's rotation and tests). */
export function createSecretBox(keys: readonly SecretKey[], keyFile = '(in memory)'): SecretBox {
  if (keys.length === 0) throw new Error('a secret box needs at least one key');
  return {
    keyFile,
    isSealed,
    currentKeyId: () => keys[0]!.id,
    keyIds: () => keys.map((k) => k.id),
    encryptSecret: (plain, purpose) => seal(keys[0]!, plain, purpose),
    decryptSecret(sealed, purpose) {
      const r = open(keys, sealed, purpose);
      if (typeof r !== 'string')
        throw new SecretBoxError(`a sealed ${purpose} uses key ${r.missingKeyId}, which the key file ${keyFile} does not hold`, 'SECRET_KEY_UNKNOWN');
      return r;
    },
  };
}

/** Where the key file is: the configured path, else `<dataDir>/secret.key`. */
export function keyFilePath(dataDir: string, keyFile?: string): string {
  return keyFile ?? path.join(dataDir, DEFAULT_KEY_FILE_NAME);
}

/**
 * The server's box: reads the key file (creating it with a fresh key when it does not exist yet)
 * and reloads it whenever it changes on disk.
 */
export function openSecretBox(file: string, nowMs: number): SecretBox & { created: boolean } {
  let created = false;
  let stamp: string;
  const stampOf = () => {
    const s = statSync(file);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  };
  try {
    stamp = stampOf();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the secret key file ${file}: ${(err as Error).message}`, { cause: err });
    writeKeyFile(file, [generateSecretKey(nowMs)]);
    created = true;
    stamp = stampOf();
  }
  let keys = readKeyFile(file);
  const fresh = (): readonly SecretKey[] => {
    let now: string;
    try {
      now = stampOf();
    } catch {
      return keys; // a rotation is renaming the file right now; the ring in memory still opens
    }
    if (now !== stamp) {
      keys = readKeyFile(file);
      stamp = now;
    }
    return keys;
  };
  return {
    keyFile: file,
    created,
    isSealed,
    currentKeyId: () => fresh()[0]!.id,
    keyIds: () => fresh().map((k) => k.id),
    encryptSecret: (plain, purpose) => seal(fresh()[0]!, plain, purpose),
    decryptSecret(sealed, purpose) {
      const r = open(fresh(), sealed, purpose);
      if (typeof r !== 'string')
        throw new SecretBoxError(
          `a sealed ${purpose} uses key ${r.missingKeyId}, which the key file ${file} does not hold (restore the key file from your backup)`,
          'SECRET_KEY_UNKNOWN',
        );
      return r;
    },
  };
}
