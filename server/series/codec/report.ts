/**
 * Compact encoding of one report as it is first stored (the "head": one row per report, written
 * in the ingest transaction). Series ids ascending as varint deltas; each value as a quantized
 * integer with its decimals, or a raw float64 when it is not one.
 *
 *   report = version:u8(1) · count:varint · (idDelta:varint · kind:u8 · value)*
 *   kind 0–6 = decimals d, value = zz-varint of value·10^d; kind 7 = float64
 */
import { ByteReader, ByteWriter } from './bytes.js';

const VERSION = 1;
const KIND_F64 = 7;
const MAX_INT = 2 ** 48;
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/** The values of one report by series. Ids ascend. */
export interface ReportValues {
  seriesIds: number[];
  values: number[];
}

const writer = new ByteWriter(1024);

/** Encodes series ids (ascending, unique) and their values. */
export function encodeReport(seriesIds: ArrayLike<number>, values: ArrayLike<number>): Uint8Array {
  const w = writer;
  w.reset();
  w.u8(VERSION);
  w.varint(seriesIds.length);
  let prev = 0;
  for (let i = 0; i < seriesIds.length; i++) {
    const id = seriesIds[i]!;
    w.varint(id - prev);
    prev = id;
    const v = values[i]!;
    let d = 0;
    for (; d < POW10.length; d++) {
      const iv = Math.round(v * POW10[d]!);
      if (iv / POW10[d]! === v && Math.abs(iv) <= MAX_INT) {
        w.u8(d);
        w.zigzag(iv);
        break;
      }
    }
    if (d === POW10.length) {
      w.u8(KIND_F64);
      w.f64(v);
    }
  }
  return w.finish();
}

/** Decodes a report written by encodeReport. */
export function decodeReport(buf: Uint8Array): ReportValues {
  const r = new ByteReader(buf);
  const version = r.u8();
  if (version !== VERSION) throw new RangeError(`unknown report version ${version}`);
  const n = r.varint();
  const seriesIds: number[] = new Array(n);
  const values: number[] = new Array(n);
  let id = 0;
  for (let i = 0; i < n; i++) {
    id += r.varint();
    seriesIds[i] = id;
    const kind = r.u8();
    if (kind === KIND_F64) values[i] = r.f64();
    else {
      const s = POW10[kind];
      if (s === undefined) throw new RangeError(`bad value kind ${kind}`);
      values[i] = r.zigzag() / s;
    }
  }
  return { seriesIds, values };
}

/** Number of values in an encoded report, without decoding them. */
export function countReportValues(buf: Uint8Array): number {
  const r = new ByteReader(buf);
  r.u8();
  return r.varint();
}
