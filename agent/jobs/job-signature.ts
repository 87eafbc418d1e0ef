/** Ed25519 verification of job signatures against the key the agent pinned (node:crypto only). */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import { JOB_KEY_PREFIX } from '../../shared/job-constants.js';
import { signingMessage } from '../../shared/node/signing-message.js';

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

/** The pinned job-key form (`ed25519:` + base64url) of a base64 raw public key (the one signing key). */
export function jobKeyFormOf(rawBase64: string): string {
  return JOB_KEY_PREFIX + Buffer.from(rawBase64, 'base64').toString('base64url');
}

/** True when the pinned job key signed "the server's one key is `publicKey`" (welcome.signingKeyEndorsement). */
export function isEndorsedBy(pinnedJobKey: string, publicKey: string, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  try {
    return verify(null, signingMessage('signing-key-endorsement', [publicKey]), parsePinnedKey(pinnedJobKey), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
