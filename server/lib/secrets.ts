/**
 * Secrets at rest: random tokens are stored as SHA-256 hashes (they carry 256 bits of entropy,
 * so a slow hash adds nothing); passwords are stored with scrypt and a per-user salt.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCRYPT = { N: 16_384, r: 8, p: 1, keyLen: 32 } as const;

/** A new random token with a readable prefix, e.g. `qpe_…` for enrollment tokens. */
export function generateToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * A short random id for rows (URL-safe, 16 chars, 96 bits). It never starts with `-` or `_`: an
 * id that starts with `-` is read as an option by the CLI (`quarkpulse client show -Fx…`) and is
 * prefixed with `'` by the CSV export's formula guard, so the first character is redrawn until it
 * is a letter or digit (2 of 64 values; about one draw in 32 is repeated).
 */
export function generateId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (id[0] !== '-' && id[0] !== '_') return id;
  }
}

/** SHA-256 of a high-entropy token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function scryptAsync(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64url');
  const key = await scryptAsync(password, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
