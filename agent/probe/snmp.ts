/**
 * SNMP check (npm net-snmp): v2c with a community or v3 with auth + priv, read with a template
 * (snmp-templates.ts). What a technician needs to tell apart:
 *   - v2c silence: "no answer — down or wrong community" (SNMP cannot tell them apart);
 *   - v3 wrong user or keys: said as such (the agent answers with a USM report or fails to decrypt);
 *   - garbage or values outside the MIB: a check error, nothing of the reading stored.
 */
import snmp from 'net-snmp';
import type { Session, Varbind } from 'net-snmp';
import type { ProbeCheck } from '../../shared/probe.js';
import { MibRangeError, OID, readPrinter, readUps, toRows, type TemplateReading } from './snmp-templates.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckOutcome } from './types.js';

type SnmpCheck = Extract<ProbeCheck, { type: 'snmp' }>;

/** An SNMP session to one device: v2c with its community, or v3 with auth + priv. */
export function openSnmpSession(target: Pick<SnmpCheck, 'host' | 'port' | 'version' | 'community' | 'v3'>, timeoutMs: number, retries = 1): Session {
  const options = { port: target.port ?? 161, timeout: timeoutMs, retries };
  if (target.version === 'v2c') return snmp.createSession(target.host, target.community ?? '', { ...options, version: snmp.Version2c });
  const u = target.v3!;
  return snmp.createV3Session(
    target.host,
    {
      name: u.user,
      level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols[u.authProtocol ?? 'sha'],
      authKey: u.authKey,
      privProtocol: snmp.PrivProtocols[u.privProtocol ?? 'aes'],
      privKey: u.privKey,
    },
    { ...options, version: snmp.Version3 },
  );
}

/** GET of scalars; missing ones (noSuchObject/Instance) are left out. */
function getScalars(session: Session, oids: string[]): Promise<Map<string, unknown>> {
  return new Promise((resolve, reject) => {
    session.get(oids, (err, varbinds) => {
      if (err) return reject(err);
      const out = new Map<string, unknown>();
      for (const v of varbinds) if (!snmp.isVarbindError(v)) out.set(v.oid, v.value);
      resolve(out);
    });
  });
}

function walk(session: Session, base: string): Promise<Varbind[]> {
  return new Promise((resolve, reject) => {
    const all: Varbind[] = [];
    session.subtree(
      base,
      20,
      (vbs) => {
        for (const v of vbs) if (!snmp.isVarbindError(v)) all.push(v);
        return all.length > 5_000; // a device that never ends its table
      },
      (err) => (err ? reject(err) : resolve(all)),
    );
  });
}

/** Why the request failed, in the words the technician needs. */
export function explainSnmpError(check: SnmpCheck, err: unknown): string {
  const e = err as { name?: string; message?: string };
  const text = `${e?.name ?? ''} ${e?.message ?? String(err)}`;
  if (e?.name === 'RequestTimedOutError') {
    return check.version === 'v2c' ? 'no answer — down or wrong community' : 'no answer — down, unreachable or not speaking SNMPv3';
  }
  if (/unknown ?user|usmStatsUnknownUserNames/i.test(text)) return `SNMPv3 user "${check.v3?.user}" is not known to the device — wrong user name`;
  if (/wrong ?digest|usmStatsWrongDigests|authentication|EAuthFailure/i.test(text)) return 'SNMPv3 authentication failed — wrong auth key or protocol';
  if (/decrypt|usmStatsDecryptionErrors|ECouldNotDecrypt/i.test(text)) return 'SNMPv3 decryption failed — wrong privacy key or protocol';
  if (/not ?in ?time ?window|ENotInTimeWindow/i.test(text)) return 'SNMPv3 time window error — the device clock or engine boots changed; try again';
  return `SNMP error: ${describeError(err)}`;
}

async function read(session: Session, check: SnmpCheck): Promise<TemplateReading> {
  if (check.template === 'ups') {
    return readUps(
      await getScalars(session, [
        OID.upsBatteryStatus,
        OID.upsSecondsOnBattery,
        OID.upsEstimatedMinutesRemaining,
        OID.upsEstimatedChargeRemaining,
        OID.upsOutputSource,
      ]),
    );
  }
  const scalars = await getScalars(session, [OID.hrPrinterStatus, OID.hrPrinterDetectedErrorState, OID.prtMarkerLifeCount]);
  const [supplies, colorants, inputs] = [
    await walk(session, OID.prtMarkerSupplies),
    await walk(session, OID.prtMarkerColorant),
    await walk(session, OID.prtInput),
  ];
  return readPrinter(scalars, toRows(OID.prtMarkerSupplies, supplies), toRows(OID.prtMarkerColorant, colorants), toRows(OID.prtInput, inputs));
}

/** Runs an SNMP check. */
export async function runSnmpCheck(check: SnmpCheck): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const where = `${check.host}:${check.port ?? 161}`;
  const session = openSnmpSession(check, timeoutMs);
  session.on('error', () => {}); // socket errors also reach the pending request's callback
  const started = performance.now();
  try {
    const reading = await read(session, check);
    const ms = roundMs(performance.now() - started);
    const samples = [checkSample('check.isUp', check.id, 1), checkSample('check.latencyMs', check.id, ms), ...reading.samples];
    const state = reading.problems.length > 0 ? 'failed' : 'ok';
    const message = `${check.template} at ${where}: ${reading.summary}${reading.problems.length > 0 ? `; reports ${reading.problems.join(', ')}` : ''}`;
    return { result: { checkId: check.id, state, message }, samples };
  } catch (err) {
    if (err instanceof MibRangeError) {
      // It answered, but not sensibly: nothing of the reading is stored.
      return {
        result: {
          checkId: check.id,
          state: 'error',
          message: `${check.template} at ${where} answered outside the MIB's range, nothing stored: ${err.message}`,
        },
        samples: [checkSample('check.isUp', check.id, 1)],
      };
    }
    return {
      result: { checkId: check.id, state: 'failed', message: `${check.template} at ${where}: ${explainSnmpError(check, err)}` },
      samples: [checkSample('check.isUp', check.id, 0)],
    };
  } finally {
    session.close();
  }
}
