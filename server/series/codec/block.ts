/**
 * A block: every series of one device over one time window, stored column-wise in one blob.
 * The device's timestamps are shared by all its series (they arrive in the same reports), so
 * they cost a few bits per report, not per value. Each series has a presence bitmap (when it
 * is missing from some points) and `columnCount` columns: 1 for raw values, 4 for rollups
 * (min, max, sum, count). Series sections carry their byte length so a reader can skip the
 * series it does not need without decoding them.
 *
 *   block   = version:u8(1) · columnCount:u8 · pointCount:varint · timestamps:column
 *             · seriesCount:varint · series*
 *   series  = idDelta:varint (ids ascending) · sectionBytes:varint · presence · column*columnCount
 *   presence = 0:u8 (every point) | 1:u8 · bitmap (ceil(pointCount/8) bytes, bit i = point i)
 */
import { ByteReader, ByteWriter } from './bytes.js';
import { readColumn, writeColumn } from './column.js';

const VERSION = 1;

/** One series within a block. */
export interface BlockSeries {
  seriesId: number;
  /** Per point: 1 when the series has a value there; null = at every point. */
  present: Uint8Array | null;
  /** `columnCount` arrays, each holding one entry per present point, in time order. */
  columns: number[][];
}

/** Decoded block. Timestamps ascend strictly. */
export interface Block {
  columnCount: number;
  timestamps: number[];
  /** Sorted by seriesId ascending. */
  series: BlockSeries[];
}

/** Encodes a block. Series must be sorted by id; columns must match presence. */
export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(4096);
  const n = block.timestamps.length;
  w.u8(VERSION);
  w.u8(block.columnCount);
  w.varint(n);
  writeColumn(w, block.timestamps);
  w.varint(block.series.length);
  const section = new ByteWriter(1024);
  let prevId = 0;
  for (const s of block.series) {
    if (s.seriesId <= prevId && prevId !== 0) throw new RangeError('block series must be sorted by id');
    section.reset();
    let isFull = s.present === null;
    if (s.present) {
      isFull = true;
      for (let i = 0; i < n; i++) if (!s.present[i]) isFull = false;
    }
    if (isFull) section.u8(0);
    else {
      section.u8(1);
      const bitmap = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) if (s.present![i]) bitmap[i >> 3]! |= 1 << (i & 7);
      section.bytes(bitmap);
    }
    for (let c = 0; c < block.columnCount; c++) writeColumn(section, s.columns[c] ?? []);
    w.varint(s.seriesId - prevId);
    w.varint(section.length);
    w.bytes(section.finish());
    prevId = s.seriesId;
  }
  return w.finish();
}

/**
 * Decodes a block. With `wants`, series it rejects are skipped without decoding (their entry is
 * left out of the result).
 */
export function decodeBlock(buf: Uint8Array, wants?: (seriesId: number) => boolean): Block {
  const r = new ByteReader(buf);
  const version = r.u8();
  if (version !== VERSION) throw new RangeError(`unknown block version ${version}`);
  const columnCount = r.u8();
  const n = r.varint();
  const timestamps = readColumn(r, n);
  const seriesCount = r.varint();
  const series: BlockSeries[] = [];
  let id = 0;
  for (let k = 0; k < seriesCount; k++) {
    id += r.varint();
    const bytes = r.varint();
    if (wants && !wants(id)) {
      r.skip(bytes);
      continue;
    }
    const end = r.pos + bytes;
    const flag = r.u8();
    let present: Uint8Array | null = null;
    let count = n;
    if (flag === 1) {
      const bitmap = r.bytes(Math.ceil(n / 8));
      present = new Uint8Array(n);
      count = 0;
      for (let i = 0; i < n; i++) {
        if (bitmap[i >> 3]! & (1 << (i & 7))) {
          present[i] = 1;
          count++;
        }
      }
    }
    const columns: number[][] = [];
    for (let c = 0; c < columnCount; c++) columns.push(readColumn(r, count));
    if (r.pos !== end) throw new RangeError('series section length mismatch');
    series.push({ seriesId: id, present, columns });
  }
  return { columnCount, timestamps, series };
}

/** Number of values in a block (present points summed over series). */
export function countBlockValues(block: Block): number {
  let total = 0;
  for (const s of block.series) total += s.columns[0]?.length ?? 0;
  return total;
}
