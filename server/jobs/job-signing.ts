/**
 * Signing maintenance jobs. The server signs them with its one key (server/signing/signing-key.ts,
 * `<data>/signing-key.pem`, never in the database): `jobSignerFromKey`. Installations from before
 * the key was one still have `<data>/job-signing-key.pem` (QP_JOB_SIGNING_KEY_FILE), which agents
 * enrolled before 0.1.0 pinned: while that file exists it is loaded (never created any more) and
 * signs each job as well, so those agents keep running jobs (docs/SECURITY.md, "One signing key").
 * `loadOrCreateJobSigner` makes a stand-alone signer (tests, tools).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import { JOB_KEY_PREFIX } from '../../shared/job-constants.js';
import type { JobEnvelope, JobMessage } from '../../shared/jobs.js';
import { PROTOCOL_VERSION } from '../../shared/protocol-constants.js';
import type { SigningKey } from '../signing/signing-key.js';
import { signingMessage } from '../../shared/node/signing-message.js';

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
  /**
   * base64url signature of signingMessage(purpose, fields) by this key (server/signing). Used by a
   * legacy job key to endorse the server's one key for agents that pinned only the job key.
   */
  signPurpose(purpose: string, fields: readonly string[]): string;
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
    signPurpose: (purpose, fields) => sign(null, signingMessage(purpose, fields), privateKey).toString('base64url'),
  };
}

/** Purpose of the legacy job key's statement "the server's one key is <publicKey>". */
export const SIGNING_KEY_ENDORSEMENT = 'signing-key-endorsement';

/** The pinned form (`ed25519:` + base64url) of a base64 raw Ed25519 public key. */
export function jobKeyFormOf(rawBase64: string): string {
  return JOB_KEY_PREFIX + Buffer.from(rawBase64, 'base64').toString('base64url');
}

/** The job key file of an older installation, or undefined when there is none (it is never created). */
export function loadLegacyJobSigner(file: string): JobSigner | undefined {
  return fs.existsSync(path.resolve(file)) ? loadOrCreateJobSigner(file) : undefined;
}

/**
 * Jobs signed by the server's one key. With a legacy job key, the frame's `signature`/`keyId` are
 * the legacy key's (what agents that pinned it check) and `alsoSignedBy` carries the one key's;
 * `publicKey` (announced in enrollment answers and welcomes) stays the legacy one until its file
 * is removed, so agents of before 0.1.0 see the key they pinned.
 */
export function jobSignerFromKey(key: SigningKey, legacy?: JobSigner): JobSigner {
  const publicKey = jobKeyFormOf(key.publicKey);
  const keyId = keyIdOf(publicKey);
  return {
    file: legacy?.file ?? key.file,
    publicKey: legacy?.publicKey ?? publicKey,
    keyId: legacy?.keyId ?? keyId,
    isNew: false,
    signPurpose: (purpose, fields) => Buffer.from(key.sign(purpose, fields), 'base64').toString('base64url'),
    signJob(job) {
      const own = key.signJob(job);
      if (!legacy) return { type: 'job', v: PROTOCOL_VERSION, job, signature: own, keyId };
      const old = legacy.signJob(job);
      return { ...old, alsoSignedBy: [{ keyId, signature: own }] };
    },
  };
}

/**
 * For welcomes of an installation with a legacy job key: the one key's public half, signed by the
 * legacy job key. An agent that pinned only the job key (enrolled before the key was one) checks it
 * with that pinned key and then pins the one key too (PROTOCOL.md §8.1).
 */
export function signingKeyEndorsement(key: SigningKey, legacy: JobSigner | undefined): { publicKey: string; signature: string } | undefined {
  return legacy ? { publicKey: key.publicKey, signature: legacy.signPurpose(SIGNING_KEY_ENDORSEMENT, [key.publicKey]) } : undefined;
}
