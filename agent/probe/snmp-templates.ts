/**
 * SNMP templates: the OIDs each device kind is read with and how the answers become samples.
 * Pure functions over the varbinds, so the MIB range rules are tested without a device.
 *
 *   printer  Printer-MIB (RFC 3805) supplies, inputs and life count; HOST-RESOURCES-MIB status and error bits
 *   ups      UPS-MIB (RFC 1628) battery status, seconds on battery, minutes and charge remaining, output source
 *
 * A value outside its MIB's range makes the whole reading a check error: nothing of it is stored,
 * so a printer answering garbage never shows a wrong toner level.
 */
import type { Sample } from '../../shared/protocol.js';

export const OID = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  hrPrinterStatus: '1.3.6.1.2.1.25.3.5.1.1.1',
  hrPrinterDetectedErrorState: '1.3.6.1.2.1.25.3.5.1.2.1',
  prtMarkerLifeCount: '1.3.6.1.2.1.43.10.2.1.4.1.1',
  /** Printer-MIB prtMarkerSuppliesTable columns (…11.1.1.<column>.<device>.<supply>). */
  prtMarkerSupplies: '1.3.6.1.2.1.43.11.1.1',
  /** prtMarkerColorantTable (…12.1.1.<column>.<device>.<colorant>); column 4 is the colour name. */
  prtMarkerColorant: '1.3.6.1.2.1.43.12.1.1',
  /** prtInputTable (…8.2.1.<column>.<device>.<tray>). */
  prtInput: '1.3.6.1.2.1.43.8.2.1',
  upsBatteryStatus: '1.3.6.1.2.1.33.1.2.1.0',
  upsSecondsOnBattery: '1.3.6.1.2.1.33.1.2.2.0',
  upsEstimatedMinutesRemaining: '1.3.6.1.2.1.33.1.2.3.0',
  upsEstimatedChargeRemaining: '1.3.6.1.2.1.33.1.2.4.0',
  upsOutputSource: '1.3.6.1.2.1.33.1.4.1.0',
} as const;

/** Columns of the tables read. */
const SUPPLY = { colorantIndex: 3, type: 5, description: 6, maxCapacity: 8, level: 9 } as const;
const INPUT = { maxCapacity: 9, currentLevel: 10, name: 13, description: 18 } as const;
/** prtMarkerSuppliesType values that are toner or ink (RFC 3805 PrtMarkerSuppliesTypeTC). */
const TONER_TYPES = new Set([3, 5, 6, 21]); // toner, ink, inkCartridge, tonerCartridge
const HR_PRINTER_STATUS: Record<number, string> = { 1: 'other', 2: 'unknown', 3: 'idle', 4: 'printing', 5: 'warming up' };
/** hrPrinterDetectedErrorState bits (RFC 2790), bit 0 = the first octet's high bit; true = an error, false = a warning. */
const ERROR_BITS: [string, boolean][] = [
  ['low paper', false],
  ['no paper', true],
  ['low toner', false],
  ['no toner', true],
  ['door open', true],
  ['jammed', true],
  ['offline', true],
  ['service requested', true],
  ['input tray missing', true],
  ['output tray missing', true],
  ['marker supply missing', true],
  ['output near full', false],
  ['output full', true],
  ['input tray empty', true],
  ['overdue maintenance', false],
];
const UPS_BATTERY_STATUS: Record<number, string> = { 1: 'unknown', 2: 'normal', 3: 'low', 4: 'depleted' };
const UPS_OUTPUT_SOURCE: Record<number, string> = { 1: 'other', 2: 'none', 3: 'mains', 4: 'bypass', 5: 'battery', 6: 'booster', 7: 'reducer' };

/** A value outside its MIB's range: the reading is refused. */
export class MibRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MibRangeError';
  }
}

/** What a template made of the answers. */
export interface TemplateReading {
  samples: Sample[];
  /** Plain words, e.g. "idle; black 8 %, cyan 40 %; tray 1 50 %; 12,345 pages". */
  summary: string;
  /** Errors the device itself reports (paper jam, on battery): the check is failed, values are stored. */
  problems: string[];
}

/** Table rows by index suffix ("1.2") and column. */
export type TableRows = Map<string, Map<number, unknown>>;

/** Groups walked varbinds of a table under `base` into rows. */
export function toRows(base: string, varbinds: readonly { oid: string; value: unknown }[]): TableRows {
  const rows: TableRows = new Map();
  for (const v of varbinds) {
    if (!v.oid.startsWith(`${base}.`)) continue;
    const [column, ...index] = v.oid.slice(base.length + 1).split('.');
    const key = index.join('.');
    let row = rows.get(key);
    if (!row) rows.set(key, (row = new Map()));
    row.set(Number(column), v.value);
  }
  return rows;
}

const asInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const asText = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? v.toString('utf8').replace(/\0+$/, '').trim() : typeof v === 'string' ? v : undefined);
/** A label value: lower case, safe characters, 1–60 chars. */
const label = (text: string, fallback: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 ._-]+/g, '')
    .trim()
    .slice(0, 60) || fallback;

/** A level of `max`, or undefined for the MIB's "unknown" values (−1 other, −2 unknown, −3 some remaining). */
function levelPct(what: string, level: unknown, max: unknown): number | undefined {
  const l = asInt(level);
  const m = asInt(max);
  if (l === undefined || m === undefined)
    throw new MibRangeError(`${what}: level and capacity must be integers, got ${JSON.stringify(level)} of ${JSON.stringify(max)}`);
  if (l < -3) throw new MibRangeError(`${what}: level ${l} is below −3, outside Printer-MIB's range`);
  if (m < -2 || m === 0) throw new MibRangeError(`${what}: capacity ${m} is outside Printer-MIB's range`);
  if (l < 0 || m < 0) return undefined;
  if (l > m) throw new MibRangeError(`${what}: level ${l} is above its capacity ${m}`);
  return Math.round((l / m) * 1000) / 10;
}

/** The printer template. */
export function readPrinter(scalars: Map<string, unknown>, supplies: TableRows, colorants: TableRows, inputs: TableRows): TemplateReading {
  const samples: Sample[] = [];
  const parts: string[] = [];
  const problems: string[] = [];
  const status = asInt(scalars.get(OID.hrPrinterStatus));
  if (status !== undefined) {
    if (!HR_PRINTER_STATUS[status]) throw new MibRangeError(`hrPrinterStatus ${status} is outside HOST-RESOURCES-MIB's range 1–5`);
    parts.push(HR_PRINTER_STATUS[status]!);
  }
  const bitsRaw = scalars.get(OID.hrPrinterDetectedErrorState);
  if (bitsRaw !== undefined) {
    if (!Buffer.isBuffer(bitsRaw)) throw new MibRangeError('hrPrinterDetectedErrorState must be an octet string');
    const seen = ERROR_BITS.filter((_, i) => i < bitsRaw.length * 8 && (bitsRaw[i >> 3]! & (0x80 >> (i & 7))) !== 0);
    const errors = seen.filter(([, isError]) => isError).map(([name]) => name);
    samples.push({ name: 'printer.hasError', labels: { printer: 'printer' }, value: errors.length > 0 ? 1 : 0 });
    problems.push(...errors);
    const warnings = seen.filter(([, isError]) => !isError).map(([name]) => name);
    if (warnings.length > 0) parts.push(warnings.join(', '));
  }
  const toner: string[] = [];
  for (const [index, row] of supplies) {
    const type = asInt(row.get(SUPPLY.type));
    if (type !== undefined && !TONER_TYPES.has(type)) continue;
    const colorant = asText(colorants.get(`${index.split('.')[0]}.${asInt(row.get(SUPPLY.colorantIndex)) ?? 0}`)?.get(4));
    const name = label(colorant && colorant !== 'unknown' ? colorant : (asText(row.get(SUPPLY.description)) ?? ''), `supply ${index}`);
    const pct = levelPct(`supply ${name} (prtMarkerSuppliesLevel.${index})`, row.get(SUPPLY.level), row.get(SUPPLY.maxCapacity));
    if (pct === undefined) {
      toner.push(`${name} level unknown`);
      continue;
    }
    samples.push({ name: 'printer.tonerPct', labels: { supply: name }, value: pct });
    toner.push(`${name} ${pct} %`);
  }
  if (toner.length > 0) parts.push(toner.join(', '));
  const trays: string[] = [];
  for (const [index, row] of inputs) {
    const name = label(asText(row.get(INPUT.name)) ?? asText(row.get(INPUT.description)) ?? '', `tray ${index.split('.').pop()}`);
    const pct = levelPct(`tray ${name} (prtInputCurrentLevel.${index})`, row.get(INPUT.currentLevel), row.get(INPUT.maxCapacity));
    if (pct === undefined) continue;
    samples.push({ name: 'printer.paperLevelPct', labels: { tray: name }, value: pct });
    trays.push(`${name} ${pct} %`);
  }
  if (trays.length > 0) parts.push(`paper ${trays.join(', ')}`);
  const pages = scalars.get(OID.prtMarkerLifeCount);
  if (pages !== undefined) {
    const n = asInt(pages);
    if (n === undefined || n < 0) throw new MibRangeError(`prtMarkerLifeCount ${JSON.stringify(pages)} must be a counter ≥ 0`);
    samples.push({ name: 'printer.pageCount', value: n });
    parts.push(`${n} pages`);
  }
  if (samples.length === 0) throw new MibRangeError('the device answers SNMP but has no Printer-MIB or HOST-RESOURCES-MIB printer values');
  return { samples, summary: parts.join('; '), problems };
}

/** The UPS template. */
export function readUps(scalars: Map<string, unknown>): TemplateReading {
  const need = (oid: string, name: string, min: number, max: number): number => {
    const v = asInt(scalars.get(oid));
    if (v === undefined) throw new MibRangeError(`${name} is missing or not an integer: the device does not answer UPS-MIB`);
    if (v < min || v > max) throw new MibRangeError(`${name} ${v} is outside UPS-MIB's range ${min}–${max}`);
    return v;
  };
  const battery = need(OID.upsBatteryStatus, 'upsBatteryStatus', 1, 4);
  const secondsOnBattery = need(OID.upsSecondsOnBattery, 'upsSecondsOnBattery', 0, 2_147_483_647);
  const minutes = need(OID.upsEstimatedMinutesRemaining, 'upsEstimatedMinutesRemaining', 0, 2_147_483_647);
  const charge = need(OID.upsEstimatedChargeRemaining, 'upsEstimatedChargeRemaining', 0, 100);
  const source = need(OID.upsOutputSource, 'upsOutputSource', 1, 7);
  const isOnBattery = source === 5 || secondsOnBattery > 0;
  const isLow = battery === 3 || battery === 4;
  const problems = [...(isOnBattery ? [`on battery for ${secondsOnBattery} s`] : []), ...(isLow ? [`battery ${UPS_BATTERY_STATUS[battery]}`] : [])];
  return {
    samples: [
      { name: 'ups.isOnBattery', value: isOnBattery ? 1 : 0 },
      { name: 'ups.chargePct', value: charge },
      { name: 'ups.runtimeSec', value: minutes * 60 },
      { name: 'ups.isBatteryLow', value: isLow ? 1 : 0 },
    ],
    summary: `output from ${UPS_OUTPUT_SOURCE[source]}, battery ${UPS_BATTERY_STATUS[battery]} ${charge} %, ${minutes} min left`,
    problems,
  };
}
