/**
 * The `oids` SNMP template: a GET of the OIDs the technician listed, each under a name. Numbers
 * (Integer, Counter32/64, Gauge32, TimeTicks) become `snmp.value{oid=<name>}`; text and other
 * types are shown in the check's message only; an OID the device does not have is said per OID
 * and fails the check, the others are still stored. Pure over typed varbinds.
 */
import type { Sample } from '../../shared/protocol.js';
import { counter64, SnmpType, type TypedVarbind } from './snmp-ifmib.js';
import { MibRangeError, type TemplateReading } from './snmp-templates.js';

/** One listed OID and what the device answered: a varbind, or why there is none. */
export interface OidAnswer {
  oid: string;
  name: string;
  varbind?: TypedVarbind;
  /** noSuchObject / noSuchInstance / endOfMibView, in words. */
  missing?: string;
}

const NUMERIC = new Set<number>([SnmpType.Integer, SnmpType.Counter32, SnmpType.Gauge32, SnmpType.TimeTicks, SnmpType.Counter64]);

/** Printable text of an octet string, or its bytes in hex. */
function showBytes(b: Buffer): string {
  const s = b.toString('utf8').replace(/\0+$/, '');
  const isText = !s.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f\x7f]/.test(s);
  const shown = isText ? `"${s.replace(/\s+/g, ' ').trim()}"` : `0x${b.toString('hex')}`;
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
}

/** The oids template. */
export function readOids(answers: readonly OidAnswer[]): TemplateReading {
  const samples: Sample[] = [];
  const parts: string[] = [];
  const problems: string[] = [];
  for (const a of answers) {
    const v = a.varbind;
    if (!v) {
      problems.push(`${a.name} (${a.oid}) ${a.missing ?? 'not answered'}`);
      continue;
    }
    if (NUMERIC.has(v.type)) {
      let n: number;
      if (v.type === SnmpType.Counter64) n = Number(counter64(`${a.name} (${a.oid})`, v));
      else if (typeof v.value === 'number' && Number.isInteger(v.value)) n = v.value;
      else throw new MibRangeError(`${a.name} (${a.oid}) is a number type but holds ${JSON.stringify(v.value)}`);
      samples.push({ name: 'snmp.value', labels: { oid: a.name }, value: n });
      parts.push(`${a.name} ${n}${v.type === SnmpType.TimeTicks ? ' ticks' : ''}`);
    } else if (Buffer.isBuffer(v.value)) {
      parts.push(`${a.name} ${showBytes(v.value)}`);
    } else {
      parts.push(`${a.name} ${v.value === null ? 'empty' : String(v.value).slice(0, 80)}`);
    }
  }
  if (samples.length === 0 && parts.length === 0) parts.push('none of the OIDs answered');
  return { samples, summary: parts.join('; '), problems };
}
