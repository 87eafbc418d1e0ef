/**
 * Checks a downloaded agent executable against its manifest entry and the signing key the agent
 * pinned at enrollment: size, sha256 of the bytes on disk, then the Ed25519 signature over
 * (version, platform, sha256). Only a file that passes all three may replace the running one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { artifactSigningMessage, verifySignature } from '../shared/node/signing-message.js';

/** Why a file was refused. */
export type ArtifactRefusal = 'SIZE_MISMATCH' | 'SHA256_MISMATCH' | 'SIGNATURE_INVALID' | 'NO_PINNED_KEY';

/** What the manifest says about one executable. */
export interface ArtifactClaim {
  readonly version: string;
  readonly platform: string;
  /** Bytes. */
  readonly size: number;
  readonly sha256: string;
  readonly signature: string;
}

/** The outcome of verifyArtifactFile. */
export type ArtifactCheck = { ok: true } | { ok: false; code: ArtifactRefusal; message: string };

/** sha256 (hex) of a file, read in chunks. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Verifies `file` against `claim` with the pinned public key (base64). */
export function verifyArtifactFile(file: string, claim: ArtifactClaim, pinnedPublicKey: string | undefined): ArtifactCheck {
  if (!pinnedPublicKey) return { ok: false, code: 'NO_PINNED_KEY', message: "this agent has no pinned signing key; enroll it again to pin the server's key" };
  const size = fs.statSync(file).size;
  if (size !== claim.size) return { ok: false, code: 'SIZE_MISMATCH', message: `downloaded ${size} bytes, the manifest says ${claim.size}` };
  const sha256 = sha256File(file);
  if (sha256 !== claim.sha256.toLowerCase())
    return { ok: false, code: 'SHA256_MISMATCH', message: `sha256 of the download is ${sha256}, the manifest says ${claim.sha256}` };
  const message = artifactSigningMessage({ version: claim.version, platform: claim.platform, sha256 });
  if (!verifySignature(pinnedPublicKey, message, claim.signature)) {
    return { ok: false, code: 'SIGNATURE_INVALID', message: `the signature of agent ${claim.version} for ${claim.platform} is not by the pinned server key` };
  }
  return { ok: true };
}
