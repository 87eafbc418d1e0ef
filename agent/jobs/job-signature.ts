/** Ed25519 verification of job signatures against the key the agent pinned (node:crypto only). */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import { JOB_KEY_PREFIX } from '../../shared/job-constants.js';

/** The KeyObject of a pinned key string (`ed25519:` + base64url); throws on another form. */
export function parsePinnedKey(pinned: string): KeyObject {
  if (!pinned.startsWith(JOB_KEY_PREFIX)) throw new Error(`pinned job-signing key must start with "${JOB_KEY_PREFIX}"`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pinned.slice(JOB_KEY_PREFIX.length) }, format: 'jwk' });
}

/** True when `signature` (base64url) is a valid signature of the job's canonical bytes by `key`. */
export function isJobSignatureValid(key: KeyObject, job: unknown, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  let bytes: Uint8Array;
  try {
    bytes = jobSigningBytes(job);
  } catch {
    return false;
  }
  return verify(null, bytes, key, Buffer.from(signature, 'base64url'));
}

/** Fingerprint of a pinned key string, as the server's keyIdOf computes it (first 16 hex of SHA-256). */
export function pinnedKeyIdOf(pinned: string): string {
  return createHash('sha256').update(pinned).digest('hex').slice(0, 16);
}
