/**
 * Discovery scans on the probe: for each address of a scan's ranges, one SNMP GET of sysDescr,
 * sysObjectID, sysName and two marker OIDs (a printer's hrPrinterStatus, a UPS's upsIdentModel),
 * paced at the scan's rate with a few requests in flight. What answered goes to the server in
 * `discoveryResult` frames (every 2 s, at most 100 devices each, the last one `isDone`).
 *
 * Frames are latest-state, not spooled: after a reconnect everything found so far is sent again
 * (the server stores by address, so a repeat changes nothing). A scan runs once per process: the
 * server drops it from `config.probe.scans` when the last frame arrives, and this runner forgets
 * it then. A scan that leaves the config early (cancelled) stops at once.
 */
import snmp from 'net-snmp';
import type { Logger } from 'pino';
import { addressesOf, parseIpv4Range, rangeSize, type Ipv4Range } from '../../shared/ipv4-ranges.js';
import {
  MAX_FOUND_PER_FRAME,
  MAX_SYS_DESCR_CHARS,
  type DiscoveryKindGuess,
  type DiscoveryRefusal,
  type FoundDevice,
} from '../../shared/discovery-constants.js';
import type { DiscoveryScanConfig } from '../../shared/probe.js';
import { PROTOCOL_VERSION } from '../../shared/protocol-constants.js';
import { hasLearnedEngineId, openSnmpSession } from './snmp.js';

/** The frame this runner sends (shared/discovery.ts discoveryResultSchema). */
export interface DiscoveryFrame {
  type: 'discoveryResult';
  v: typeof PROTOCOL_VERSION;
  scanId: string;
  scanned: number;
  total: number;
  found: FoundDevice[];
  isDone: boolean;
}

const OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectId: '1.3.6.1.2.1.1.2.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  hrPrinterStatus: '1.3.6.1.2.1.25.3.5.1.1.1',
  upsIdentModel: '1.3.6.1.2.1.33.1.1.2.0',
} as const;

/** Requests in flight at once within one scan (the rate paces their starts). */
const MAX_IN_FLIGHT = 16;

/** A kind from what the device answered: the MIBs it has, else words in its sysDescr. */
export function guessKind(sysDescr: string, hasPrinterMib: boolean, hasUpsMib: boolean): DiscoveryKindGuess | undefined {
  if (hasUpsMib) return 'ups';
  if (hasPrinterMib) return 'printer';
  if (/printer|laserjet|officejet|deskjet|imagerunner|bizhub|ecosys|workcentre|versalink|\bmfp\b/i.test(sysDescr)) return 'printer';
  if (/\bups\b|smart-ups|powerware|eaton/i.test(sysDescr)) return 'ups';
  if (/fortigate|fortios|pfsense|opnsense|sophos|sonicwall|routeros|mikrotik|firewall|draytek|watchguard/i.test(sysDescr)) return 'firewall';
  if (/synology|diskstation|qnap|truenas|freenas|readynas|\bnas\b/i.test(sysDescr)) return 'nas';
  if (/switch|procurve|catalyst|edgeswitch|aruba|unifi|netgear|\bjunos\b/i.test(sysDescr)) return 'switch';
  return undefined;
}

/** Printable text of an SNMP string: control characters dropped, cut to `max`. */
function text(value: unknown, max: number): string | undefined {
  if (!Buffer.isBuffer(value) && typeof value !== 'string') return undefined;
  const s = value
    .toString()
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Why an SNMPv3 device refused the credential, from the request's error: a USM report (unknown
 * user, wrong digest), or a timeout after the engine discovery was answered (it cannot decrypt
 * the request); undefined for anything else (silence, v2c).
 */
export function refusalOf(err: unknown, isEngineKnown: boolean): DiscoveryRefusal | undefined {
  const e = err as { name?: string; message?: string } | null;
  const text = `${e?.name ?? ''} ${e?.message ?? ''}`;
  if (/Unknown User Name|usmStatsUnknownUserNames/i.test(text)) return 'unknown-user';
  if (/Wrong Digest|usmStatsWrongDigests/i.test(text)) return 'wrong-auth';
  if (/Decryption Error|usmStatsDecryptionErrors/i.test(text)) return 'wrong-privacy';
  if (e?.name === 'RequestTimedOutError' && isEngineKnown) return 'wrong-privacy';
  return undefined;
}

/** One address: what it answered, a v3 device that refused the credential, or undefined for silence. */
export async function querySnmp(address: string, scan: DiscoveryScanConfig): Promise<FoundDevice | undefined> {
  // No retry: silence is the common answer of a scan, and the pace already spreads the requests.
  const session = openSnmpSession({ host: address, port: scan.port, version: scan.version, community: scan.community, v3: scan.v3 }, scan.timeoutMs, 0);
  session.on('error', () => {}); // socket errors also reach the request's callback
  try {
    const values = await new Promise<Map<string, unknown>>((resolve, reject) => {
      session.get(Object.values(OIDS), (err, varbinds) => {
        if (err) return reject(err);
        resolve(new Map(varbinds.filter((v) => !snmp.isVarbindError(v)).map((v) => [v.oid, v.value])));
      });
    });
    const sysDescr = text(values.get(OIDS.sysDescr), MAX_SYS_DESCR_CHARS);
    if (sysDescr === undefined) return undefined; // answered, but not like an SNMP agent of a device
    const sysName = text(values.get(OIDS.sysName), 255);
    const oid = values.get(OIDS.sysObjectId);
    const kindGuess = guessKind(sysDescr, values.has(OIDS.hrPrinterStatus), values.has(OIDS.upsIdentModel));
    return {
      address,
      sysDescr,
      ...(sysName ? { sysName } : {}),
      ...(typeof oid === 'string' && /^[0-9]+(\.[0-9]+)*$/.test(oid) && oid.length <= 200 ? { sysObjectId: oid } : {}),
      ...(kindGuess ? { kindGuess } : {}),
    };
  } catch (err) {
    // A v3 device that refuses this credential is there: listed, so the technician knows.
    const refusal = scan.version === 'v3' ? refusalOf(err, hasLearnedEngineId(session)) : undefined;
    return refusal ? { address, sysDescr: '', refusal } : undefined;
  } finally {
    session.close();
  }
}

export interface DiscoveryRunnerOptions {
  logger: Logger;
  /** Sends a frame; false when not connected (it is sent again later). */
  send: (frame: DiscoveryFrame) => boolean;
  /** Asks one address (tests inject one); default querySnmp. */
  query?: (address: string, scan: DiscoveryScanConfig) => Promise<FoundDevice | undefined>;
  /** How often progress is sent while a scan runs, ms. */
  progressEveryMs?: number;
}

interface ScanState {
  config: DiscoveryScanConfig;
  ranges: Ipv4Range[];
  total: number;
  scanned: number;
  found: FoundDevice[];
  /** Index of the first found device the server may not have yet. */
  unsent: number;
  isDone: boolean;
  isStopped: boolean;
  /** The last frame (`isDone`) reached the socket. */
  isFinalSent: boolean;
  lastSentMs: number;
}

/** Creates a runner with no scans. */
export function createDiscoveryRunner(opts: DiscoveryRunnerOptions) {
  const query = opts.query ?? querySnmp;
  const progressEveryMs = opts.progressEveryMs ?? 2_000;
  const scans = new Map<string, ScanState>();
  let isStopped = false;

  /** Sends what the server may not have; the last frame only once every found device went out. */
  function flush(s: ScanState, force = false): void {
    if (s.isStopped || (s.isFinalSent && !force)) return;
    for (;;) {
      const batch = s.found.slice(s.unsent, s.unsent + MAX_FOUND_PER_FRAME);
      const isLast = s.isDone && s.unsent + batch.length >= s.found.length;
      if (batch.length === 0 && !isLast && !force) return;
      const frame: DiscoveryFrame = {
        type: 'discoveryResult',
        v: PROTOCOL_VERSION,
        scanId: s.config.scanId,
        scanned: s.scanned,
        total: s.total,
        found: batch,
        isDone: isLast,
      };
      if (!opts.send(frame)) return;
      s.unsent += batch.length;
      s.lastSentMs = Date.now();
      force = false;
      if (isLast) {
        s.isFinalSent = true;
        return;
      }
      if (batch.length < MAX_FOUND_PER_FRAME) return;
    }
  }

  async function run(s: ScanState): Promise<void> {
    const started = performance.now();
    const gapMs = 1_000 / s.config.ratePerSec;
    const inFlight = new Set<Promise<void>>();
    let i = 0;
    opts.logger.info({ scanId: s.config.scanId, ranges: s.config.ranges, addresses: s.total, ratePerSec: s.config.ratePerSec }, 'discovery scan started');
    for (const address of addressesOf(s.ranges)) {
      if (s.isStopped || isStopped) break;
      const waitMs = started + i++ * gapMs - performance.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const p: Promise<void> = query(address, s.config)
        .then((f) => {
          if (f) s.found.push(f);
        })
        .catch(() => {})
        .finally(() => {
          s.scanned++;
          inFlight.delete(p);
        });
      inFlight.add(p);
      if (Date.now() - s.lastSentMs >= progressEveryMs) flush(s, true);
    }
    await Promise.all(inFlight);
    if (s.isStopped || isStopped) return;
    s.isDone = true;
    opts.logger.info({ scanId: s.config.scanId, scanned: s.scanned, found: s.found.length }, 'discovery scan finished');
    flush(s);
  }

  return {
    /** Takes the scans of a config: new ones start, ones no longer listed stop and are forgotten. */
    setScans(list: readonly DiscoveryScanConfig[]): void {
      const ids = new Set(list.map((c) => c.scanId));
      for (const [id, s] of scans) {
        if (ids.has(id)) continue;
        s.isStopped = true;
        scans.delete(id);
      }
      for (const config of list) {
        if (scans.has(config.scanId) || isStopped) continue;
        const ranges = config.ranges.map(parseIpv4Range).filter((r): r is Ipv4Range => typeof r !== 'string');
        const s: ScanState = {
          config,
          ranges,
          total: ranges.reduce((n, r) => n + rangeSize(r), 0),
          scanned: 0,
          found: [],
          unsent: 0,
          isDone: false,
          isStopped: false,
          isFinalSent: false,
          lastSentMs: 0,
        };
        scans.set(config.scanId, s);
        void run(s).catch((err: Error) => opts.logger.error({ scanId: config.scanId, err: err.message }, 'discovery scan failed'));
      }
    },
    /** A new connection: the server may have missed frames, so everything is sent again. */
    resend(): void {
      for (const s of scans.values()) {
        s.unsent = 0;
        s.isFinalSent = false;
        flush(s, true);
      }
    },
    /** Scans this runner knows (running, or finished and waiting for the server to drop them). */
    scanCount: (): number => scans.size,
    stop(): void {
      isStopped = true;
      for (const s of scans.values()) s.isStopped = true;
      scans.clear();
    },
  };
}
export type DiscoveryRunner = ReturnType<typeof createDiscoveryRunner>;
