/**
 * The `network` SNMP template (switches, firewalls, routers, anything with IF-MIB): per interface
 * its state and, from the octet and error counters of two polls, its throughput and error rate;
 * from sysUpTime the device's uptime and whether it restarted since the last poll.
 *
 *   poll 1: ifTable + ifXTable + sysUpTime ─▶ if.isUp, snmp.uptimeSec, snmp.rebooted = 0   (no rates yet)
 *   poll 2: … and the counters of poll 1   ─▶ + if.inBps, if.outBps, if.errorsPerMin
 *
 * Pure over typed varbinds (the SNMP type matters: a Counter64 and an octet string both arrive
 * as bytes). Counters that went back are a wrap (32-bit counters, only when the link speed says
 * the wrapped delta is possible) or a reset (skipped: no negative rate, no spike). A value of the
 * wrong type or outside the MIB's range refuses the whole reading, like the other templates.
 */
import type { Sample } from '../../shared/protocol.js';
import { formatDuration } from '../../shared/format.js';
import { MibRangeError, type TemplateReading } from './snmp-templates.js';

/** SNMP value types (RFC 2578 / RFC 3416), as net-snmp numbers them. */
export const SnmpType = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
} as const;

/** A varbind with its type. */
export interface TypedVarbind {
  oid: string;
  type: number;
  value: unknown;
}
/** Table rows by index suffix and column, with types. */
export type TypedRows = Map<string, Map<number, TypedVarbind>>;

export const IF_OID = {
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  ifNumber: '1.3.6.1.2.1.2.1.0',
  /** ifEntry (RFC 2863): …2.2.1.<column>.<ifIndex>. */
  ifEntry: '1.3.6.1.2.1.2.2.1',
  /** ifXEntry (RFC 2863): …31.1.1.1.<column>.<ifIndex>. */
  ifXEntry: '1.3.6.1.2.1.31.1.1.1',
} as const;
/** The ifEntry columns read. */
export const IF = { descr: 2, speed: 5, adminStatus: 7, operStatus: 8, inOctets: 10, inErrors: 14, outOctets: 16, outErrors: 20 } as const;
/** The ifXEntry columns read. */
export const IFX = { name: 1, hcInOctets: 6, hcOutOctets: 10, highSpeed: 15, alias: 18, counterDiscontinuityTime: 19 } as const;

/** Most interfaces read per device (a chassis switch has thousands of sub-interfaces). */
export const MAX_INTERFACES = 256;

const TWO_32 = 2n ** 32n;
const TICKS_WRAP = 2 ** 32; // sysUpTime wraps after 497 days
const IF_ADMIN_STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing' };
const IF_OPER_STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'not present', 7: 'lower layer down' };

/** The counters of one interface kept for the next poll. */
interface InterfaceCounters {
  inOctets: bigint;
  outOctets: bigint;
  is64: boolean;
  inErrors: number | undefined;
  outErrors: number | undefined;
  discontinuity: number | undefined;
}

/** What the probe keeps of one device between polls. */
export interface NetworkMemory {
  /** When the poll was read, ms of a monotonic clock. */
  atMs: number;
  uptimeTicks: number;
  interfaces: Map<string, InterfaceCounters>;
  /** Interfaces this poll reported down (if.isUp 0), by ifIndex, with their label. */
  downLabels: Map<string, string>;
}

/** The answers of one poll. */
export interface NetworkPoll {
  sysUpTime: TypedVarbind | undefined;
  ifNumber: TypedVarbind | undefined;
  ifRows: TypedRows;
  ifxRows: TypedRows;
}

/** Groups walked varbinds of a table under `base` into rows, keeping their types. */
export function toTypedRows(base: string, varbinds: readonly TypedVarbind[]): TypedRows {
  const rows: TypedRows = new Map();
  for (const v of varbinds) {
    if (!v.oid.startsWith(`${base}.`)) continue;
    const [column, ...index] = v.oid.slice(base.length + 1).split('.');
    const key = index.join('.');
    let row = rows.get(key);
    if (!row) rows.set(key, (row = new Map()));
    row.set(Number(column), v);
  }
  return rows;
}

const show = (v: TypedVarbind): string => (Buffer.isBuffer(v.value) ? `bytes ${v.value.toString('hex').slice(0, 32)}` : JSON.stringify(v.value));
const typeName = (t: number): string => Object.entries(SnmpType).find(([, n]) => n === t)?.[0] ?? `type ${t}`;

/** An unsigned 32-bit value of one of `types`, or a range error. */
function uint32(what: string, v: TypedVarbind, types: readonly number[]): number {
  if (!types.includes(v.type)) throw new MibRangeError(`${what} must be a ${types.map(typeName).join(' or ')}, got ${typeName(v.type)} (${show(v)})`);
  if (typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0 || v.value >= 2 ** 32)
    throw new MibRangeError(`${what} ${show(v)} is outside 0–4294967295`);
  return v.value;
}

/** A Counter64 (net-snmp hands over its big-endian bytes). */
export function counter64(what: string, v: TypedVarbind): bigint {
  if (v.type !== SnmpType.Counter64) throw new MibRangeError(`${what} must be a Counter64, got ${typeName(v.type)} (${show(v)})`);
  const b = v.value;
  if (!Buffer.isBuffer(b) || b.length === 0 || b.length > 9 || (b.length === 9 && b[0] !== 0))
    throw new MibRangeError(`${what} is no 64-bit counter (${Buffer.isBuffer(b) ? `${b.length} bytes` : typeof b})`);
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

/** An enumeration (Integer) within `names`. */
function enumValue(what: string, v: TypedVarbind | undefined, names: Record<number, string>, range: string): number {
  if (v === undefined) throw new MibRangeError(`${what} is missing`);
  if (v.type !== SnmpType.Integer || typeof v.value !== 'number') throw new MibRangeError(`${what} must be an Integer, got ${typeName(v.type)} (${show(v)})`);
  if (!names[v.value]) throw new MibRangeError(`${what} ${v.value} is outside IF-MIB's range ${range}`);
  return v.value;
}

/** Text of an octet string, or undefined (missing, empty or not text). */
function text(what: string, v: TypedVarbind | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.type !== SnmpType.OctetString || !Buffer.isBuffer(v.value))
    throw new MibRangeError(`${what} must be an OctetString, got ${typeName(v.type)} (${show(v)})`);
  const s = v.value.toString('utf8').replace(/\0+$/, '').trim();
  return s.length > 0 ? s : undefined;
}

/**
 * A label value for an interface name: kept as the device spells it (Gi1/0/1, ether1, port 7),
 * characters that series keys and label matchers reserve (`{ } , =` and controls) become `_`.
 */
export function interfaceLabel(name: string): string {
  return name
    .replace(/\s+/g, ' ')
    .replace(/[^A-Za-z0-9 ._/:@#+()[\]-]/g, '_')
    .trim()
    .slice(0, 60);
}

/**
 * The change of a counter since the last poll, or undefined when it cannot be trusted: a 64-bit
 * counter that went back was reset; a 32-bit one that went back wrapped only if the wrapped
 * delta fits what the link can carry in the interval (`maxDelta`), else it was reset too.
 */
export function counterDelta(cur: bigint, prev: bigint, is64: boolean, maxDelta: number | undefined): bigint | undefined {
  if (cur >= prev) return cur - prev;
  if (is64 || maxDelta === undefined) return undefined;
  const wrapped = cur + TWO_32 - prev;
  return Number(wrapped) <= maxDelta ? wrapped : undefined;
}

/**
 * Whether sysUpTime says the device restarted between two polls `elapsedMs` apart: it went back,
 * or it grew much less than the time that passed. A wrap after 497 days is no restart.
 */
export function isRestart(prevTicks: number, curTicks: number, elapsedMs: number): boolean {
  const expected = prevTicks + elapsedMs / 10;
  const toleranceTicks = 1_000 + elapsedMs / 1_000; // 10 s and 1 % of the interval
  if (expected >= TICKS_WRAP && Math.abs(curTicks - (expected - TICKS_WRAP)) <= toleranceTicks) return false;
  return curTicks < prevTicks || curTicks + toleranceTicks < expected;
}

interface Interface {
  index: string;
  label: string;
  alias: string | undefined;
  admin: number;
  oper: number;
  speedBps: number | undefined;
  counters: InterfaceCounters | undefined;
}

function readInterface(
  index: string,
  row: Map<number, TypedVarbind>,
  xrow: Map<number, TypedVarbind> | undefined,
): Omit<Interface, 'label'> & { name: string } {
  const at = (column: string) => `${column}.${index}`;
  const name = text(at('ifName'), xrow?.get(IFX.name)) ?? text(at('ifDescr'), row.get(IF.descr)) ?? `if${index}`;
  const alias = text(at('ifAlias'), xrow?.get(IFX.alias));
  const admin = enumValue(at('ifAdminStatus'), row.get(IF.adminStatus), IF_ADMIN_STATUS, '1–3');
  const oper = enumValue(at('ifOperStatus'), row.get(IF.operStatus), IF_OPER_STATUS, '1–7');
  const high = xrow?.get(IFX.highSpeed);
  const low = row.get(IF.speed);
  const highMbps = high ? uint32(at('ifHighSpeed'), high, [SnmpType.Gauge32]) : 0;
  const lowBps = low ? uint32(at('ifSpeed'), low, [SnmpType.Gauge32]) : 0;
  // ifSpeed saturates at 4294967295 above 4.29 Gbit/s; ifHighSpeed (Mbit/s) is then the one to read.
  const speedBps = highMbps > 0 ? highMbps * 1_000_000 : lowBps > 0 && lowBps < 4_294_967_295 ? lowBps : undefined;
  const hcIn = xrow?.get(IFX.hcInOctets);
  const hcOut = xrow?.get(IFX.hcOutOctets);
  const in32 = row.get(IF.inOctets);
  const out32 = row.get(IF.outOctets);
  let counters: InterfaceCounters | undefined;
  const e = {
    inErrors: row.get(IF.inErrors) ? uint32(at('ifInErrors'), row.get(IF.inErrors)!, [SnmpType.Counter32]) : undefined,
    outErrors: row.get(IF.outErrors) ? uint32(at('ifOutErrors'), row.get(IF.outErrors)!, [SnmpType.Counter32]) : undefined,
    discontinuity: xrow?.get(IFX.counterDiscontinuityTime)
      ? uint32(at('ifCounterDiscontinuityTime'), xrow.get(IFX.counterDiscontinuityTime)!, [SnmpType.TimeTicks])
      : undefined,
  };
  if (hcIn && hcOut) {
    counters = { inOctets: counter64(at('ifHCInOctets'), hcIn), outOctets: counter64(at('ifHCOutOctets'), hcOut), is64: true, ...e };
  } else if (in32 && out32) {
    counters = {
      inOctets: BigInt(uint32(at('ifInOctets'), in32, [SnmpType.Counter32])),
      outOctets: BigInt(uint32(at('ifOutOctets'), out32, [SnmpType.Counter32])),
      is64: false,
      ...e,
    };
  }
  return { index, name, alias, admin, oper, speedBps, counters };
}

/** Rates of one interface since the last poll, or none where the counters cannot be trusted. */
function rates(i: Interface, prev: InterfaceCounters | undefined, elapsedSec: number): { inBps?: number; outBps?: number; errorsPerMin?: number } {
  const c = i.counters;
  if (!c || !prev || c.is64 !== prev.is64 || c.discontinuity !== prev.discontinuity) return {};
  // What the link could carry in the interval, with room for timing jitter; unknown speed: no wrap is believed.
  const maxDelta = i.speedBps !== undefined ? (i.speedBps / 8) * elapsedSec * 1.5 : undefined;
  const dIn = counterDelta(c.inOctets, prev.inOctets, c.is64, maxDelta);
  const dOut = counterDelta(c.outOctets, prev.outOctets, c.is64, maxDelta);
  const out: { inBps?: number; outBps?: number; errorsPerMin?: number } = {};
  if (dIn !== undefined) out.inBps = Math.round((Number(dIn) * 8) / elapsedSec);
  if (dOut !== undefined) out.outBps = Math.round((Number(dOut) * 8) / elapsedSec);
  if (c.inErrors !== undefined && c.outErrors !== undefined && prev.inErrors !== undefined && prev.outErrors !== undefined) {
    // An error counter that went back was reset (a 32-bit wrap of errors within one poll is not credible).
    if (c.inErrors >= prev.inErrors && c.outErrors >= prev.outErrors)
      out.errorsPerMin = Math.round(((c.inErrors - prev.inErrors + c.outErrors - prev.outErrors) / elapsedSec) * 60 * 100) / 100;
  }
  return out;
}

const list = (names: string[], max = 5): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/**
 * The network template: one poll's answers and what was kept of the last poll (undefined on the
 * first) at `nowMs` (a monotonic clock). Answers the reading and what to keep for the next poll.
 */
export function readNetwork(poll: NetworkPoll, previous: NetworkMemory | undefined, nowMs: number): { reading: TemplateReading; memory: NetworkMemory } {
  if (poll.sysUpTime === undefined) throw new MibRangeError('sysUpTime is missing: the device does not answer SNMPv2-MIB');
  const uptimeTicks = uint32('sysUpTime', poll.sysUpTime, [SnmpType.TimeTicks]);
  const uptime = (ticks: number) => formatDuration(Math.floor(ticks / 100) * 1000);
  if (poll.ifRows.size === 0) throw new MibRangeError('the device answers SNMP but lists no interfaces (IF-MIB ifTable is empty)');
  const total = poll.ifNumber && poll.ifNumber.type === SnmpType.Integer && typeof poll.ifNumber.value === 'number' ? poll.ifNumber.value : poll.ifRows.size;

  const indexes = [...poll.ifRows.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b)).slice(0, MAX_INTERFACES);
  const seen = new Set<string>();
  const interfaces: Interface[] = indexes.map((index) => {
    const { name, ...rest } = readInterface(index, poll.ifRows.get(index)!, poll.ifxRows.get(index));
    let label = interfaceLabel(name) || `if${index}`;
    if (seen.has(label)) label = `${label.slice(0, 50)}#${index}`; // two ports of the same name
    seen.add(label);
    return { ...rest, label };
  });

  const elapsedMs = previous ? nowMs - previous.atMs : 0;
  const rebooted = previous !== undefined && isRestart(previous.uptimeTicks, uptimeTicks, elapsedMs);
  const hasRates = previous !== undefined && !rebooted && elapsedMs > 0;

  const samples: Sample[] = [
    { name: 'snmp.uptimeSec', value: Math.floor(uptimeTicks / 100) },
    { name: 'snmp.rebooted', value: rebooted ? 1 : 0 },
  ];
  const down: string[] = [];
  const downLabels = new Map<string, string>();
  const reported = new Set<string>();
  let up = 0;
  let adminDown = 0;
  let notPresent = 0;
  for (const i of interfaces) {
    const labels = { interface: i.label };
    // Only administratively up ports count: a port shut down is meant to be down and carries nothing.
    if (i.admin !== 1) {
      adminDown++;
      continue;
    }
    if (i.oper === 6) {
      notPresent++; // an empty module slot or SFP cage: not down, not up
      continue;
    }
    const isUp = i.oper === 1 || i.oper === 5; // dormant: waiting for a call (dial-on-demand), not broken
    samples.push({ name: 'if.isUp', labels, value: isUp ? 1 : 0 });
    reported.add(i.index);
    if (!isUp) downLabels.set(i.index, i.label);
    if (isUp) up++;
    else down.push(`${i.label}${i.alias ? ` "${i.alias.slice(0, 40)}"` : ''}${i.oper === 2 ? '' : ` (${IF_OPER_STATUS[i.oper]})`}`);
    if (!hasRates) continue;
    const r = rates(i, previous!.interfaces.get(i.index), elapsedMs / 1000);
    if (r.inBps !== undefined) samples.push({ name: 'if.inBps', labels, value: r.inBps });
    if (r.outBps !== undefined) samples.push({ name: 'if.outBps', labels, value: r.outBps });
    if (r.errorsPerMin !== undefined) samples.push({ name: 'if.errorsPerMin', labels, value: r.errorsPerMin });
  }

  // A port that was down and is now shut down, not present or gone is no longer failing: one
  // last if.isUp 1, or its open alert would wait for a sample that never comes.
  for (const [index, label] of previous?.downLabels ?? []) {
    if (!reported.has(index)) samples.push({ name: 'if.isUp', labels: { interface: label }, value: 1 });
  }

  const parts = [
    `${interfaces.length < total ? `first ${interfaces.length} of ${total}` : interfaces.length} interfaces: ${up} up, ${down.length} down` +
      `${adminDown > 0 ? `, ${adminDown} shut down` : ''}${notPresent > 0 ? `, ${notPresent} not present` : ''}`,
    `up for ${uptime(uptimeTicks)}`,
  ];
  if (previous === undefined) parts.push('throughput from the next poll');
  const problems = [
    ...(rebooted ? [`a restart (sysUpTime went back from ${uptime(previous!.uptimeTicks)} to ${uptime(uptimeTicks)})`] : []),
    ...(down.length > 0 ? [`${down.length === 1 ? 'interface' : 'interfaces'} down: ${list(down)}`] : []),
  ];
  const memory: NetworkMemory = {
    atMs: nowMs,
    uptimeTicks,
    interfaces: new Map(interfaces.flatMap((i) => (i.counters ? [[i.index, i.counters] as const] : []))),
    downLabels,
  };
  return { reading: { samples, summary: parts.join('; '), problems }, memory };
}
