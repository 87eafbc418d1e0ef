import fs from 'node:fs';
import https from 'node:https';
import { ENROLL_PATH } from '../shared/paths.js';
import type { EnrollRequest, EnrollResponse, SystemFacts } from '../shared/protocol.js';
import { JOB_SIGNING_KEY_PATTERN } from './config.js';
import { isSigningPublicKey } from './config.js';

/** What enrollDevice sends. */
export interface EnrollOptions {
  /** Server base URL, http(s). */
  readonly serverUrl: string;
  /** Per-client enrollment token from the dashboard. */
  readonly token: string;
  readonly hostname: string;
  readonly machineId?: string | undefined;
  readonly facts?: SystemFacts | undefined;
  /** PEM CA bundle for a server certificate from a private CA. */
  readonly caFile?: string | undefined;
  /** Give up after this long, ms. Default 30 s. */
  readonly timeoutMs?: number;
}

/** Enrollment failed; `code` is the server's error code (or NETWORK_ERROR / BAD_RESPONSE). */
export class EnrollError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EnrollError';
  }
}

interface HttpAnswer {
  status: number;
  body: string;
}

/** Joins base URL and an absolute path, keeping a path prefix (a server behind /monitor/). */
export function joinServerUrl(serverUrl: string, pathname: string): URL {
  const base = new URL(serverUrl);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}${pathname}`;
  base.search = '';
  base.hash = '';
  return base;
}

async function postWithFetch(url: URL, body: string, timeoutMs: number): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.text() };
}

// Node 20's global fetch takes no CA option, so a private CA goes through node:https.
function postWithCa(url: URL, body: string, ca: Buffer, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Exchanges an enrollment token for a device credential (POST /api/enroll). Throws EnrollError
 * with the server's code and message on a refusal, NETWORK_ERROR when the server is unreachable.
 */
export async function enrollDevice(opts: EnrollOptions): Promise<EnrollResponse> {
  const url = joinServerUrl(opts.serverUrl, ENROLL_PATH);
  // The same limits as enrollRequestSchema, checked here so a bad value never leaves the machine.
  if (opts.token.length < 10 || opts.token.length > 200) throw new EnrollError('INVALID_REQUEST', 'the enrollment token must have 10–200 characters');
  if (opts.hostname.length < 1 || opts.hostname.length > 255) throw new EnrollError('INVALID_REQUEST', 'the host name must have 1–255 characters');
  const request: EnrollRequest = {
    token: opts.token,
    hostname: opts.hostname,
    ...(opts.machineId ? { machineId: opts.machineId.slice(0, 200) } : {}),
    ...(opts.facts ? { facts: opts.facts } : {}),
  };
  const body = JSON.stringify(request);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let answer: HttpAnswer;
  try {
    answer =
      opts.caFile && url.protocol === 'https:'
        ? await postWithCa(url, body, fs.readFileSync(opts.caFile), timeoutMs)
        : await postWithFetch(url, body, timeoutMs);
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new EnrollError('NETWORK_ERROR', `cannot reach ${url.origin}: ${cause ?? (err as Error).message}`);
  }
  const json = parseJson(answer.body);
  if (answer.status < 200 || answer.status > 299) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      throw new EnrollError(error.code, error.message, answer.status);
    }
    throw new EnrollError(
      'BAD_RESPONSE',
      `server answered HTTP ${answer.status} without an error body — is ${opts.serverUrl} a Quarkpulse server?`,
      answer.status,
    );
  }
  const r = json as Partial<Record<keyof EnrollResponse, unknown>> | undefined;
  if (!r || typeof r.deviceId !== 'string' || typeof r.deviceToken !== 'string' || typeof r.clientId !== 'string') {
    throw new EnrollError(
      'BAD_RESPONSE',
      `server answered HTTP ${answer.status} but not with a device credential — is ${opts.serverUrl} a Quarkpulse server?`,
      answer.status,
    );
  }
  // A key in another form is not pinned; the agent then pins the job key of its first welcome.
  const jobKey = typeof r.jobSigningKey === 'string' && JOB_SIGNING_KEY_PATTERN.test(r.jobSigningKey) ? r.jobSigningKey : undefined;
  const key = r.signingKey as { algorithm?: unknown; publicKey?: unknown; keyId?: unknown } | undefined;
  const signingKey =
    key && key.algorithm === 'Ed25519' && isSigningPublicKey(key.publicKey) && typeof key.keyId === 'string'
      ? { algorithm: 'Ed25519' as const, publicKey: key.publicKey, keyId: key.keyId }
      : undefined;
  return {
    deviceId: r.deviceId,
    deviceToken: r.deviceToken,
    clientId: r.clientId,
    ...(jobKey ? { jobSigningKey: jobKey } : {}),
    ...(signingKey ? { signingKey } : {}),
  };
}
