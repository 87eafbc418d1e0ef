/**
 * One definition for both programs: the server signs with it and the agent verifies with it.
 * `shared/node/` holds what only Node runs (node:crypto); the dashboard never imports it (its
 * tsconfig leaves the folder out, and tests/architecture/import-direction.test.ts refuses it).
 *
 * Ed25519 signatures over a canonical message, used by the server (which signs) and the agent
 * (which verifies with the key it pinned at enrollment). Every signed thing names its purpose in
 * the message, so a signature made for one purpose (an agent artifact) can never be replayed as
 * another (a maintenance job).
 *
 *   message = "quarkpulse/<purpose>/v1" LF field1 LF field2 …   (UTF-8; fields must not hold LF)
 *
 * Keys travel as base64 of the raw 32-byte public key; signatures as base64 of the 64 bytes.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** What a signature is for; part of the signed message. */
export type SigningPurpose = 'agent-artifact' | (string & {});

/** Signature algorithm of every Quarkpulse signature. */
export const SIGNATURE_ALGORITHM = 'Ed25519';

/** The bytes that are signed for a purpose and its fields. Throws on a field with a line feed. */
export function signingMessage(purpose: SigningPurpose, fields: readonly string[]): Buffer {
  if (!/^[a-z0-9-]{1,64}$/.test(purpose)) throw new TypeError(`signing purpose "${purpose}" must be lowercase letters, digits and dashes`);
  for (const f of fields) if (f.includes('\n')) throw new TypeError('a signed field must not contain a line feed');
  return Buffer.from([`quarkpulse/${purpose}/v1`, ...fields].join('\n'), 'utf8');
}

/** Fields signed for an agent executable: (version, platform, sha256). */
export function artifactSigningMessage(a: { version: string; platform: string; sha256: string }): Buffer {
  return signingMessage('agent-artifact', [a.version, a.platform, a.sha256.toLowerCase()]);
}

// SPKI DER prefix of an Ed25519 public key; the raw 32 bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A KeyObject from the base64 raw public key; throws TypeError when it is not 32 bytes. */
export function publicKeyFromBase64(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== rawBase64) throw new TypeError('an Ed25519 public key is 32 bytes in base64');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The base64 raw 32 bytes of an Ed25519 public key. */
export function publicKeyToBase64(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}

/** True when `signatureBase64` is a valid Ed25519 signature of `message` by `publicKeyBase64`. */
export function verifySignature(publicKeyBase64: string, message: Buffer, signatureBase64: string): boolean {
  let key: KeyObject;
  try {
    key = publicKeyFromBase64(publicKeyBase64);
  } catch {
    return false;
  }
  const sig = Buffer.from(signatureBase64, 'base64');
  if (sig.length !== 64) return false;
  return verify(null, message, key, sig);
}
