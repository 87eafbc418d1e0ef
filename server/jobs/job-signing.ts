/**
 * The job-signing key: an Ed25519 key pair in its own file (PKCS#8 PEM, mode 0600), never in the
 * database, so a copy of the database or a dashboard session cannot sign a job. Generated at
 * first start in the data dir (default `<data>/job-signing-key.pem`, QP_JOB_SIGNING_KEY_FILE or
 * ServerOptions.jobSigningKeyFile to put it elsewhere). The same file is meant to sign agent
 * updates once that lands (docs/MAINTENANCE.md).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import { JOB_KEY_PREFIX } from '../../shared/job-constants.js';
import type { JobEnvelope, JobMessage } from '../../shared/jobs.js';
import { PROTOCOL_VERSION } from '../../shared/protocol-constants.js';

/** File name of the key in the data dir when no path is configured. */
export const DEFAULT_JOB_KEY_FILE = 'job-signing-key.pem';

/** A loaded signing key. */
export interface JobSigner {
  /** Where the private key lives. */
  readonly file: string;
  /** Public key as agents pin it: `ed25519:` + base64url of the raw 32 bytes. */
  readonly publicKey: string;
  /** Short fingerprint of the public key (hex of SHA-256, first 16 characters). */
  readonly keyId: string;
  /** Whether this start generated the key. */
  readonly isNew: boolean;
  /** The signed frame for an envelope. */
  signJob(job: JobEnvelope): JobMessage;
}

/** The pinned form of a public key. */
export function formatPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('job-signing key must be Ed25519');
  return JOB_KEY_PREFIX + jwk.x;
}

/** Fingerprint of a pinned public key string. */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** A fresh random nonce (128 bits, base64url). */
export function newJobNonce(): string {
  return randomBytes(16).toString('base64url');
}

function checkMode(file: string): void {
  if (process.platform === 'win32') return;
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `job-signing key ${file} is readable by other users (mode ${mode.toString(8)}) — run \`chmod 600 ${file}\` (and consider the key exposed: rotate it, see docs/MAINTENANCE.md)`,
    );
  }
}

/**
 * Loads the key file, or generates it when it does not exist (written with O_EXCL, mode 0600,
 * fsynced). Throws at startup with a message that says what to fix.
 */
export function loadOrCreateJobSigner(file: string): JobSigner {
  const resolved = path.resolve(file);
  let privateKey: KeyObject;
  let isNew = false;
  if (!fs.existsSync(resolved)) {
    const pair = generateKeyPairSync('ed25519');
    const pem = String(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    fs.mkdirSync(path.dirname(resolved), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(resolved, 'wx', 0o600);
    try {
      fs.writeSync(fd, pem);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    privateKey = pair.privateKey;
    isNew = true;
  } else {
    checkMode(resolved);
    try {
      privateKey = createPrivateKey(fs.readFileSync(resolved));
    } catch (err) {
      throw new Error(
        `job-signing key ${resolved} cannot be read as a PEM private key: ${(err as Error).message} — restore it from backup (agents trust only this key)`,
        { cause: err },
      );
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`job-signing key ${resolved} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; it must be Ed25519`);
    }
  }
  const publicKey = formatPublicKey(createPublicKey(privateKey));
  const keyId = keyIdOf(publicKey);
  return {
    file: resolved,
    publicKey,
    keyId,
    isNew,
    signJob(job) {
      const signature = sign(null, jobSigningBytes(job), privateKey).toString('base64url');
      return { type: 'job', v: PROTOCOL_VERSION, job, signature, keyId };
    },
  };
}
