/**
 * The server's Ed25519 signing key: made on first start and kept in a file OUTSIDE the database
 * (default `<dataDir>/signing-key.pem`, QP_SIGNING_KEY_FILE to put it on another disk), mode 0600.
 * Whoever holds only a copy of the database can read every row but cannot sign an agent
 * executable or a job that agents accept (docs/SECURITY.md, "Signing key").
 *
 * It is the server's one key: it signs agent executables (`sign('agent-artifact', …)`) and
 * maintenance jobs (`signJob`); each message starts with its purpose, so no signature of one kind
 * verifies as the other (tests/server/one-signing-key.test.ts).
 *
 * Reuse: `loadOrCreateSigningKey(file)` → `key.sign(purpose, fields)`; agents and tests check with
 * `verifySignature` (shared/node/signing-message.ts, which the agent verifies with; re-exported here). Give each use its own purpose.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { publicKeyToBase64, signingMessage, type SigningPurpose } from '../../shared/node/signing-message.js';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import type { JobEnvelope } from '../../shared/jobs.js';

export { artifactSigningMessage, signingMessage, verifySignature, SIGNATURE_ALGORITHM } from '../../shared/node/signing-message.js';

/** A loaded signing key. The private half never leaves this object. */
export interface SigningKey {
  /** base64 of the raw 32-byte Ed25519 public key: what agents pin. */
  readonly publicKey: string;
  /** First 16 hex digits of sha256(raw public key): a short name for logs and the manifest. */
  readonly keyId: string;
  /** Where the private key lives. */
  readonly file: string;
  /** True when this start created the key. */
  readonly isNew: boolean;
  /** base64 Ed25519 signature of signingMessage(purpose, fields). */
  sign(purpose: SigningPurpose, fields: readonly string[]): string;
  /**
   * base64url Ed25519 signature of a maintenance job: the bytes `quarkpulse-job-v1` LF canonical
   * JSON (shared/canonical-json.ts), whose first line names the purpose like every other message.
   */
  signJob(job: JobEnvelope): string;
}

/** The key file has the wrong form or permissions; the message says what to do. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

function fromPrivate(file: string, privateKey: KeyObject, isNew: boolean): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(`signing key ${file} is a ${privateKey.asymmetricKeyType} key; it must be Ed25519 — move it away and restart to make a new one`);
  const publicKey = publicKeyToBase64(createPublicKey(privateKey));
  const keyId = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 16);
  return {
    publicKey,
    keyId,
    file,
    isNew,
    sign: (purpose, fields) => sign(null, signingMessage(purpose, fields), privateKey).toString('base64'),
    signJob: (job) => sign(null, jobSigningBytes(job), privateKey).toString('base64url'),
  };
}

/**
 * Loads the key from `file`, or creates it there (directory 0700, file 0600, written to a temp
 * file and linked into place so two starting processes never overwrite each other's key).
 * Refuses a key file that others may read, or one that is not an Ed25519 PKCS#8 PEM.
 */
export function loadOrCreateSigningKey(file: string): SigningKey {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) {
    fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const tmp = `${abs}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, pem);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, abs);
      return fromPrivate(abs, privateKey, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another process made it first: use theirs.
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const stat = fs.statSync(abs);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new SigningKeyError(`signing key ${abs} may be read by other users (mode ${(stat.mode & 0o777).toString(8)}); run: chmod 600 ${abs}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fs.readFileSync(abs, 'utf8'));
  } catch (err) {
    throw new SigningKeyError(
      `signing key ${abs} is not a PEM private key (${(err as Error).message}); restore it from your backup — agents pinned its public key`,
    );
  }
  return fromPrivate(abs, privateKey, false);
}
