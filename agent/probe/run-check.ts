/** Runs one agentless check by its type (one file per check type in this folder). */
import type { ProbeCheck } from '../../shared/probe.js';
import { runDnsCheck } from './dns.js';
import { runHttpCheck } from './http.js';
import { runPingCheck, type PingOptions } from './ping.js';
import { runTcpCheck } from './tcp.js';
import { runTlsCheck } from './tls.js';
import { runSnmpCheck } from './snmp.js';
import { truncate } from '../../shared/format.js';
import { describeError, checkSample, type CheckMemory, type CheckOutcome } from './types.js';

/** Options of the checks (tests change the ping program). */
export type CheckOptions = PingOptions;

/** Longest check message a report carries (shared/report-check.ts). */
const MAX_MESSAGE = 500;

/**
 * Runs a check; a fault inside a check becomes state 'error', never a throw. `memory` is what
 * the checks of this target keep between runs (the runner passes the target's; without it every
 * run is a first one). The message is cut to what a report may carry.
 */
export async function runCheck(check: ProbeCheck, opts: CheckOptions = {}, memory?: CheckMemory): Promise<CheckOutcome> {
  const outcome = await runUncut(check, opts, memory);
  if (outcome.result.message.length > MAX_MESSAGE) outcome.result.message = truncate(outcome.result.message, MAX_MESSAGE);
  return outcome;
}

async function runUncut(check: ProbeCheck, opts: CheckOptions, memory: CheckMemory | undefined): Promise<CheckOutcome> {
  try {
    switch (check.type) {
      case 'ping':
        return await runPingCheck(check, opts);
      case 'tcp':
        return await runTcpCheck(check);
      case 'http':
        return await runHttpCheck(check);
      case 'tls':
        return await runTlsCheck(check);
      case 'dns':
        return await runDnsCheck(check);
      case 'snmp':
        return await runSnmpCheck(check, memory);
    }
  } catch (err) {
    return {
      result: { checkId: check.id, state: 'error', message: `the check could not run: ${describeError(err)}` },
      samples: [checkSample('check.isUp', check.id, 0)],
    };
  }
}
