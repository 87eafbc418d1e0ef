/**
 * DNS check: the name resolves (A or AAAA), at the probe's system resolver or at `server`, and
 * optionally to `expectAddress`.
 */
import { promises as dns } from 'node:dns';
import type { ProbeCheck } from '../../shared/probe.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckOutcome } from './types.js';

type DnsCheck = Extract<ProbeCheck, { type: 'dns' }>;

async function resolveOnce(check: DnsCheck, timeoutMs: number): Promise<string[]> {
  const family = check.recordType === 'AAAA' ? 6 : 4;
  if (!check.server) return (await dns.lookup(check.name, { all: true, family })).map((a) => a.address);
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([check.server]);
  return family === 6 ? resolver.resolve6(check.name) : resolver.resolve4(check.name);
}

/** Runs a DNS check. */
export async function runDnsCheck(check: DnsCheck): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const at = check.server ? ` at ${check.server}` : '';
  const started = performance.now();
  let addresses: string[];
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    });
    addresses = await Promise.race([resolveOnce(check, timeoutMs), timeout]).finally(() => clearTimeout(timer));
  } catch (err) {
    return {
      result: { checkId: check.id, state: 'failed', message: `${check.name} does not resolve${at}: ${describeError(err)}` },
      samples: [checkSample('check.isUp', check.id, 0), checkSample('dns.answerCount', check.id, 0)],
    };
  }
  const ms = roundMs(performance.now() - started);
  const isExpected = check.expectAddress === undefined || addresses.includes(check.expectAddress);
  const list = addresses.join(', ');
  const message = isExpected
    ? `${check.name} resolves${at} to ${list} (${ms} ms)`
    : `${check.name} resolves${at} to ${list}, not to the expected ${check.expectAddress}`;
  return {
    result: { checkId: check.id, state: isExpected ? 'ok' : 'failed', message },
    samples: [
      checkSample('check.isUp', check.id, isExpected ? 1 : 0),
      checkSample('dns.answerCount', check.id, addresses.length),
      checkSample('check.latencyMs', check.id, ms),
    ],
  };
}
