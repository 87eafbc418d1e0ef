/**
 * HTTP(S) check: status of the final answer (after following up to `maxRedirects` redirects),
 * time to the final answer's headers, and whether the body contains `keyword`. Certificates are
 * verified as always (the system's CAs plus `caPem`); a failed verification fails the check with
 * the reason. Only the first MAX_BODY_BYTES of a body are read for the keyword.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { ProbeCheck } from '../../shared/probe.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckOutcome } from './types.js';

type HttpCheck = Extract<ProbeCheck, { type: 'http' }>;

/** Body bytes searched for the keyword. */
export const MAX_BODY_BYTES = 1024 * 1024;

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

function requestOnce(url: URL, check: HttpCheck, timeoutMs: number, needsBody: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { 'user-agent': 'quarkpulse-probe', accept: '*/*' },
      timeout: timeoutMs,
      ...(isHttps && check.caPem ? { ca: [...rootCertificates, check.caPem] } : {}),
    };
    const req = (isHttps ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const finish = () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') });
      if (!needsBody) {
        res.resume();
        res.once('end', finish);
        res.once('error', reject);
        return;
      }
      res.on('data', (c: Buffer) => {
        if (bytes >= MAX_BODY_BYTES) return;
        chunks.push(c);
        bytes += c.length;
        if (bytes >= MAX_BODY_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.once('end', finish);
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
    req.end();
  });
}

/** Runs an HTTP(S) check. */
export async function runHttpCheck(check: HttpCheck): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const maxRedirects = check.maxRedirects ?? 5;
  const min = check.expectStatusMin ?? 200;
  const max = check.expectStatusMax ?? 399;
  const fail = (message: string): CheckOutcome => ({
    result: { checkId: check.id, state: 'failed', message },
    samples: [checkSample('check.isUp', check.id, 0)],
  });
  let url = new URL(check.url);
  let redirects = 0;
  const started = performance.now();
  let answer: Answer;
  for (;;) {
    try {
      answer = await requestOnce(url, check, timeoutMs, check.keyword !== undefined);
    } catch (err) {
      return fail(`${url.href} did not answer: ${describeError(err)}`);
    }
    const isRedirect = answer.status >= 300 && answer.status < 400 && answer.location !== undefined;
    if (!isRedirect || redirects >= maxRedirects) break;
    let next: URL;
    try {
      next = new URL(answer.location!, url);
    } catch {
      return fail(`${url.href} redirects to an invalid address: ${answer.location}`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return fail(`${url.href} redirects to ${next.protocol} (only http and https are followed)`);
    url = next;
    redirects++;
  }
  const latencyMs = roundMs(performance.now() - started);
  const samples = [
    checkSample('http.statusCode', check.id, answer.status),
    checkSample('http.redirectCount', check.id, redirects),
    checkSample('check.latencyMs', check.id, latencyMs),
  ];
  const problems: string[] = [];
  const isStillRedirecting = maxRedirects > 0 && answer.status >= 300 && answer.status < 400 && answer.location !== undefined;
  if (isStillRedirecting) problems.push(`still redirecting after ${maxRedirects} redirects (a redirect loop?)`);
  else if (answer.status < min || answer.status > max) problems.push(`status ${answer.status}, expected ${min}–${max}`);
  if (check.keyword !== undefined) {
    const hasKeyword = answer.body.includes(check.keyword);
    samples.push(checkSample('http.hasKeyword', check.id, hasKeyword ? 1 : 0));
    if (!hasKeyword) problems.push(`the page does not contain "${check.keyword}"`);
  }
  const isUp = problems.length === 0;
  samples.unshift(checkSample('check.isUp', check.id, isUp ? 1 : 0));
  const via = redirects > 0 ? ` after ${redirects} redirect${redirects === 1 ? '' : 's'} to ${url.href}` : '';
  const message = isUp ? `${check.url} answers ${answer.status}${via} in ${latencyMs} ms` : `${check.url}${via}: ${problems.join('; ')}`;
  return { result: { checkId: check.id, state: isUp ? 'ok' : 'failed', message }, samples };
}
