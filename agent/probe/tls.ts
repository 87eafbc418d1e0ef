/**
 * TLS certificate check: the days until the certificate the server shows expires, and, as a
 * state of its own, whether its chain verifies for the host name (system CAs plus `caPem`).
 * The handshake verifies as usual; when verification fails the check still reads the
 * certificate it was shown, to report its expiry, and sends nothing over the connection.
 */
import tls from 'node:tls';
import type { ProbeCheck } from '../../shared/probe.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckOutcome } from './types.js';

type TlsCheck = Extract<ProbeCheck, { type: 'tls' }>;

const DAY_MS = 86_400_000;

/** Verification failures in words (Node's codes stay in brackets for searching). */
const VERIFY_WORDS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed certificate that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed and not trusted',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
};

/** Why verification failed, in words with the code. */
function verifyWords(code: string, servername: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `it is not issued for ${servername} (${code})`;
  const words = VERIFY_WORDS[code];
  return words ? `${words} (${code})` : code;
}

/** What the handshake showed. */
interface Shown {
  validToMs: number;
  subject: string;
  /** Why the chain or host name does not verify; undefined when it does. */
  verifyError: string | undefined;
  handshakeMs: number;
}

function handshake(check: TlsCheck, timeoutMs: number): Promise<Shown> {
  const servername = check.serverName ?? check.host;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = tls.connect({
      host: check.host,
      port: check.port ?? 443,
      ...(/^[\d.:]+$/.test(servername) ? {} : { servername }),
      ...(check.caPem ? { ca: [...tls.rootCertificates, check.caPem] } : {}),
      // Verified below by hand (chain: socket.authorized; name: checkServerIdentity), so that an
      // unverifiable certificate still tells its expiry. No application data is ever sent.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no TLS handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      socket.destroy();
      if (!cert || !cert.valid_to) return reject(new Error('the server showed no certificate'));
      let verifyError = socket.authorized ? undefined : verifyWords(String(socket.authorizationError ?? 'chain does not verify'), servername);
      if (!verifyError) {
        const nameError = tls.checkServerIdentity(servername, cert);
        if (nameError) verifyError = `it is not issued for ${servername} (${nameError.message})`;
      }
      resolve({
        validToMs: Date.parse(cert.valid_to),
        subject: cert.subject?.CN ? String(cert.subject.CN) : servername,
        verifyError,
        handshakeMs: performance.now() - started,
      });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Runs a TLS certificate check; `nowMs` is the probe's clock. */
export async function runTlsCheck(check: TlsCheck, nowMs = Date.now()): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const where = `${check.host}:${check.port ?? 443}`;
  let shown: Shown;
  try {
    shown = await handshake(check, timeoutMs);
  } catch (err) {
    return {
      result: { checkId: check.id, state: 'failed', message: `no TLS certificate from ${where}: ${describeError(err)}` },
      samples: [checkSample('check.isUp', check.id, 0)],
    };
  }
  const daysLeft = Math.floor(((shown.validToMs - nowMs) / DAY_MS) * 100) / 100;
  const isChainValid = shown.verifyError === undefined;
  const expiry =
    daysLeft < 0
      ? `expired ${Math.round(-daysLeft)} days ago`
      : `expires in ${Math.round(daysLeft)} days (${new Date(shown.validToMs).toISOString().slice(0, 10)})`;
  const message = isChainValid
    ? `certificate of ${shown.subject} ${expiry}`
    : `certificate of ${shown.subject} ${expiry}; it does not verify: ${shown.verifyError}`;
  return {
    result: { checkId: check.id, state: isChainValid && daysLeft >= 0 ? 'ok' : 'failed', message },
    samples: [
      checkSample('check.isUp', check.id, 1),
      checkSample('tls.certDaysLeft', check.id, daysLeft),
      checkSample('tls.isChainValid', check.id, isChainValid ? 1 : 0),
      checkSample('check.latencyMs', check.id, roundMs(shown.handshakeMs)),
    ],
  };
}
