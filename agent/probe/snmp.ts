/**
 * SNMP check (npm net-snmp): v2c with a community or v3 with auth + priv, read with a template
 * (snmp-templates.ts). What a technician needs to tell apart:
 *   - v2c silence: "no answer — down or wrong community" (SNMP cannot tell them apart);
 *   - v3 wrong user or keys: said as such (the agent answers with a USM report or fails to decrypt);
 *   - garbage or values outside the MIB: a check error, nothing of the reading stored.
 * The network template needs the counters of the previous poll for its rates: it keeps them in
 * the target's check memory (the runner holds one per probed device).
 */
import snmp from 'net-snmp';
import type { Session, Varbind } from 'net-snmp';
import type { ProbeCheck } from '../../shared/probe.js';
import { IF, IF_OID, IFX, MAX_INTERFACES, readNetwork, toTypedRows, type NetworkMemory, type TypedVarbind } from './snmp-ifmib.js';
import { readOids, type OidAnswer } from './snmp-oids.js';
import { MibRangeError, OID, readPrinter, readUps, toRows, type TemplateReading } from './snmp-templates.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckMemory, type CheckOutcome } from './types.js';

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

/** Missing-value types of a varbind (RFC 3416), in words. */
const MISSING: Record<number, string> = {
  128: 'is not known to the device (noSuchObject)',
  129: 'has no such instance on the device (noSuchInstance)',
  130: 'is past the end of the device’s MIB (endOfMibView)',
};

/** GET of `oids` in groups of 16 (small devices refuse large requests), each with its varbind or why there is none. */
async function getEach(session: Session, oids: { oid: string; name: string }[]): Promise<OidAnswer[]> {
  const out: OidAnswer[] = [];
  for (let i = 0; i < oids.length; i += 16) {
    const group = oids.slice(i, i + 16);
    const varbinds = await new Promise<Varbind[]>((resolve, reject) =>
      session.get(
        group.map((o) => o.oid),
        (err, vbs) => (err ? reject(err) : resolve(vbs)),
      ),
    );
    group.forEach((o, k) => {
      const v = varbinds[k];
      if (!v || snmp.isVarbindError(v)) out.push({ ...o, missing: v ? (MISSING[v.type] ?? snmp.varbindError(v)) : 'was not answered' });
      else out.push({ ...o, varbind: { oid: v.oid, type: v.type, value: v.value } });
    });
  }
  return out;
}

/** The varbinds under `base` (GETBULK), at most `max` of them (a device that never ends its table). */
function walk(session: Session, base: string, max = 5_000): Promise<Varbind[]> {
  return new Promise((resolve, reject) => {
    const all: Varbind[] = [];
    session.subtree(
      base,
      20,
      (vbs) => {
        for (const v of vbs) if (!snmp.isVarbindError(v) && all.length < max) all.push(v);
        return all.length >= max;
      },
      (err) => (err ? reject(err) : resolve(all)),
    );
  });
}

/** The columns of a table under `entry`, each walked on its own and capped at `maxRows`. */
async function walkColumns(session: Session, entry: string, columns: readonly number[], maxRows: number): Promise<TypedVarbind[]> {
  const all: TypedVarbind[] = [];
  for (const c of columns) for (const v of await walk(session, `${entry}.${c}`, maxRows)) all.push({ oid: v.oid, type: v.type, value: v.value });
  return all;
}

/** What the network template keeps per check between polls, for this device address. */
interface NetworkState {
  where: string;
  memory: NetworkMemory;
}

async function readNetworkCheck(session: Session, check: SnmpCheck, where: string, memory: CheckMemory | undefined): Promise<TemplateReading> {
  const scalars = await new Promise<Varbind[]>((resolve, reject) =>
    session.get([IF_OID.sysUpTime, IF_OID.ifNumber], (err, vbs) => (err ? reject(err) : resolve(vbs))),
  );
  const typed = (v: Varbind | undefined): TypedVarbind | undefined => (v && !snmp.isVarbindError(v) ? { oid: v.oid, type: v.type, value: v.value } : undefined);
  const ifRows = toTypedRows(IF_OID.ifEntry, await walkColumns(session, IF_OID.ifEntry, Object.values(IF), MAX_INTERFACES));
  const ifxRows = toTypedRows(IF_OID.ifXEntry, await walkColumns(session, IF_OID.ifXEntry, Object.values(IFX), MAX_INTERFACES));
  const key = `snmp-network:${check.id}`;
  const kept = memory?.get(key) as NetworkState | undefined;
  const { reading, memory: next } = readNetwork(
    { sysUpTime: typed(scalars[0]), ifNumber: typed(scalars[1]), ifRows, ifxRows },
    kept?.where === where ? kept.memory : undefined, // another device now: start over
    performance.now(),
  );
  memory?.set(key, { where, memory: next } satisfies NetworkState);
  return reading;
}

const isTimeout = (err: unknown) => (err as { name?: string } | null)?.name === 'RequestTimedOutError';

/**
 * Remembers the size of the last datagram that was no SNMP message. net-snmp drops such an
 * answer (it emits the parse error on the session and the request then times out), which would
 * otherwise read as silence. Socket errors also reach the pending request's callback.
 */
export function watchForGarbage(session: Session): { bytes: number | undefined } {
  const seen: { bytes: number | undefined } = { bytes: undefined };
  let parsing: number | undefined;
  const socket = (session as unknown as { dgram?: NodeJS.EventEmitter }).dgram;
  // Around net-snmp's own message listener, which emits a parse error synchronously.
  socket?.prependListener('message', (buf: Buffer) => (parsing = buf.length));
  socket?.on('message', () => (parsing = undefined));
  session.on('error', () => {
    if (parsing !== undefined) seen.bytes = parsing;
  });
  return seen;
}

/**
 * True once an SNMPv3 session learned the device's engine ID: the device answered the discovery
 * request (RFC 3414 §4), so it is up and speaks SNMPv3.
 */
export function hasLearnedEngineId(session: Session): boolean {
  const params = (session as unknown as { msgSecurityParameters?: { msgAuthoritativeEngineID?: Buffer | string } }).msgSecurityParameters;
  return (params?.msgAuthoritativeEngineID?.length ?? 0) > 0;
}

/**
 * Why the request failed, in the words the technician needs. `isEngineKnown`: the v3 discovery
 * was answered. A wrong user name or auth key gets a USM report back, but a request the device
 * cannot decrypt (wrong privacy key or protocol) is dropped without one (snmpd counts it in
 * usmStatsDecryptionErrors): after a answered discovery, that timeout means the privacy key.
 */
export function explainSnmpError(check: SnmpCheck, err: unknown, isEngineKnown = false): string {
  const e = err as { name?: string; message?: string };
  const text = `${e?.name ?? ''} ${e?.message ?? String(err)}`;
  if (e?.name === 'RequestTimedOutError') {
    if (check.version === 'v2c') return 'no answer — down or wrong community';
    return isEngineKnown
      ? 'SNMPv3 answered discovery but not the encrypted request — wrong privacy key or privacy protocol'
      : 'no answer — down, unreachable or not speaking SNMPv3';
  }
  if (/unknown ?user|usmStatsUnknownUserNames/i.test(text)) return `SNMPv3 user "${check.v3?.user}" is not known to the device — wrong user name`;
  if (/wrong ?digest|usmStatsWrongDigests|authentication|EAuthFailure/i.test(text)) return 'SNMPv3 authentication failed — wrong auth key or protocol';
  if (/decrypt|usmStatsDecryptionErrors|ECouldNotDecrypt/i.test(text)) return 'SNMPv3 decryption failed — wrong privacy key or protocol';
  if (/ERR_OSSL_EVP_UNSUPPORTED|unsupported/i.test(text) && check.v3?.privProtocol === 'des')
    return 'this probe cannot encrypt with DES (its OpenSSL no longer offers it) — use AES on the device';
  if (/not ?in ?time ?window|ENotInTimeWindow/i.test(text)) return 'SNMPv3 time window error — the device clock or engine boots changed; try again';
  return `SNMP error: ${describeError(err)}`;
}

async function read(session: Session, check: SnmpCheck, where: string, memory: CheckMemory | undefined): Promise<TemplateReading> {
  if (check.template === 'network') return readNetworkCheck(session, check, where, memory);
  if (check.template === 'oids') return readOids(await getEach(session, check.oids ?? []));
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

/** Runs an SNMP check; `memory` keeps what the network template needs from one poll to the next. */
export async function runSnmpCheck(check: SnmpCheck, memory?: CheckMemory): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const where = `${check.host}:${check.port ?? 161}`;
  const session = openSnmpSession(check, timeoutMs);
  const garbage = watchForGarbage(session);
  const started = performance.now();
  try {
    const reading = await read(session, check, `${check.host}:${check.port ?? 161}/${check.version}`, memory);
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
    if (isTimeout(err) && garbage.bytes !== undefined) {
      // Something answered on the port, but not in SNMP: not silence, and not a wrong community.
      return {
        result: {
          checkId: check.id,
          state: 'error',
          message: `${check.template} at ${where} answered with something that is not SNMP (${garbage.bytes} bytes)`,
        },
        samples: [checkSample('check.isUp', check.id, 0)],
      };
    }
    return {
      result: { checkId: check.id, state: 'failed', message: `${check.template} at ${where}: ${explainSnmpError(check, err, hasLearnedEngineId(session))}` },
      samples: [checkSample('check.isUp', check.id, 0)],
    };
  } finally {
    session.close();
  }
}
