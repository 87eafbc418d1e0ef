/** Runs one agentless check by its type (one file per check type in this folder). */
import type { ProbeCheck } from '../../shared/probe.js';
import { runDnsCheck } from './dns.js';
import { runHttpCheck } from './http.js';
import { runPingCheck, type PingOptions } from './ping.js';
import { runTcpCheck } from './tcp.js';
import { runTlsCheck } from './tls.js';
import { runSnmpCheck } from './snmp.js';
import { describeError, checkSample, type CheckOutcome } from './types.js';

/** Options of the checks (tests change the ping program). */
export type CheckOptions = PingOptions;

/** Runs a check; a fault inside a check becomes state 'error', never a throw. */
export async function runCheck(check: ProbeCheck, opts: CheckOptions = {}): Promise<CheckOutcome> {
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
        return await runSnmpCheck(check);
    }
  } catch (err) {
    return {
      result: { checkId: check.id, state: 'error', message: `the check could not run: ${describeError(err)}` },
      samples: [checkSample('check.isUp', check.id, 0)],
    };
  }
}
