/**
 * Lossless encoding of one column of numbers (one series' values within a block, or a block's
 * timestamps). Values that are decimals with at most 6 digits after the point — which is what
 * ingest stores after quantization (see quantize.ts) — become integers and are written as
 * deltas or delta-of-deltas, divided by their common factor, as zigzag varints with runs of a
 * repeated step collapsed into one token. Anything else falls back to XOR-with-previous of the
 * float64 bits, byte-aligned (a simplified Gorilla). Decoding returns the exact same numbers
 * (−0 comes back as 0).
 *
 *   column  = mode:u8 · body
 *   mode 1  = decimals:u8 · first:zz · [gcd:varint · steps(deltas/gcd)]            (k > 1)
 *   mode 2  = decimals:u8 · first:zz · [gcd:varint · firstDelta:zz · steps(dods/gcd)]
 *   mode 3  = per value: ctrl:u8 (0xff = same as previous, else leadingZeroBytes<<4 | trailingZeroBytes) · middle bytes
 *   steps   = tokens; even t: a new step zz(t/2); odd t: the previous step repeated (t−1)/2+1 times
 */
import { ByteReader, ByteWriter } from './bytes.js';

const MODE_DELTA = 1;
const MODE_DOD = 2;
const MODE_XOR = 3;
/** Largest integer magnitude kept in integer mode, so deltas of deltas stay exact in varints. */
const MAX_INT = 2 ** 48;
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
/** Most decimals integer mode tries. */
export const MAX_DECIMALS = POW10.length - 1;

/** Smallest d ≤ 6 such that every value is exactly k / 10^d with |k| ≤ 2^48, or −1. */
export function commonDecimals(values: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    for (;;) {
      const s = POW10[d]!;
      const iv = Math.round(v * s);
      if (iv / s === v && Math.abs(iv) <= MAX_INT) break;
      if (++d > MAX_DECIMALS) return -1;
    }
  }
  // A value exact at its own d is almost always exact at a larger one; check, not assume.
  const s = POW10[d]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Math.round(v * s) / s !== v) return -1;
  }
  return d;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function gcdOf(xs: number[]): number {
  let g = 0;
  for (const x of xs) {
    if (x !== 0) g = gcd(g, Math.abs(x));
    if (g === 1) return 1;
  }
  return g === 0 ? 1 : g;
}

const zz = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
const unzz = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

function writeSteps(w: ByteWriter, xs: number[], g: number): void {
  let prev = 0;
  let i = 0;
  while (i < xs.length) {
    const x = xs[i]! / g;
    if (x === prev) {
      let r = 1;
      while (i + r < xs.length && xs[i + r]! / g === prev) r++;
      w.varint((r - 1) * 2 + 1);
      i += r;
    } else {
      w.varint(zz(x) * 2);
      prev = x;
      i++;
    }
  }
}

function readSteps(r: ByteReader, count: number, g: number, out: number[]): void {
  let prev = 0;
  while (out.length < count) {
    const t = r.varint();
    if (t % 2 === 1) {
      const n = (t - 1) / 2 + 1;
      if (out.length + n > count) throw new RangeError('run overflows column');
      for (let j = 0; j < n; j++) out.push(prev * g);
    } else {
      prev = unzz(t / 2);
      out.push(prev * g);
    }
  }
}

const scratchA = new ByteWriter(1024);
const scratchB = new ByteWriter(1024);

function writeIntMode(w: ByteWriter, mode: number, decimals: number, ints: number[]): void {
  w.u8(mode);
  w.u8(decimals);
  w.zigzag(ints[0]!);
  if (ints.length < 2) return;
  const deltas: number[] = new Array(ints.length - 1);
  for (let i = 1; i < ints.length; i++) deltas[i - 1] = ints[i]! - ints[i - 1]!;
  if (mode === MODE_DELTA) {
    const g = gcdOf(deltas);
    w.varint(g);
    writeSteps(w, deltas, g);
    return;
  }
  const dods: number[] = new Array(deltas.length - 1);
  for (let i = 1; i < deltas.length; i++) dods[i - 1] = deltas[i]! - deltas[i - 1]!;
  const g = gcdOf(dods);
  w.varint(g);
  w.zigzag(deltas[0]!);
  writeSteps(w, dods, g);
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

function writeXorMode(w: ByteWriter, values: ArrayLike<number>): void {
  w.u8(MODE_XOR);
  const prev = new Uint8Array(8);
  const x = new Uint8Array(8);
  for (let i = 0; i < values.length; i++) {
    f64[0] = values[i]!;
    let isSame = true;
    for (let b = 0; b < 8; b++) {
      x[b] = f64Bytes[b]! ^ prev[b]!;
      if (x[b] !== 0) isSame = false;
      prev[b] = f64Bytes[b]!;
    }
    if (isSame) {
      w.u8(0xff);
      continue;
    }
    let lead = 0; // little-endian: the most significant byte is index 7
    while (x[7 - lead] === 0) lead++;
    let trail = 0;
    while (x[trail] === 0) trail++;
    w.u8((lead << 4) | trail);
    w.bytes(x.subarray(trail, 8 - lead));
  }
}

/** Appends the encoding of `values` (any finite numbers) to `w`. */
export function writeColumn(w: ByteWriter, values: ArrayLike<number>): void {
  if (values.length === 0) {
    w.u8(MODE_DELTA);
    w.u8(0);
    w.zigzag(0);
    return;
  }
  const d = commonDecimals(values);
  if (d < 0) {
    writeXorMode(w, values);
    return;
  }
  const s = POW10[d]!;
  const ints: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) ints[i] = Math.round(values[i]! * s);
  if (ints.length < 3) {
    writeIntMode(w, MODE_DELTA, d, ints);
    return;
  }
  scratchA.reset();
  scratchB.reset();
  writeIntMode(scratchA, MODE_DELTA, d, ints);
  writeIntMode(scratchB, MODE_DOD, d, ints);
  const best = scratchB.length < scratchA.length ? scratchB : scratchA;
  w.bytes(best.finish());
}

/** Reads a column of `count` values written by writeColumn. */
export function readColumn(r: ByteReader, count: number): number[] {
  const mode = r.u8();
  if (mode === MODE_XOR) {
    const out: number[] = [];
    const prev = new Uint8Array(8);
    for (let i = 0; i < count; i++) {
      const ctrl = r.u8();
      if (ctrl !== 0xff) {
        const lead = ctrl >> 4;
        const trail = ctrl & 0x0f;
        const mid = r.bytes(8 - lead - trail);
        for (let b = 0; b < mid.length; b++) prev[trail + b]! ^= mid[b]!;
        // (bytes outside the middle XOR with zero: unchanged)
      }
      f64Bytes.set(prev);
      out.push(f64[0]!);
    }
    return out;
  }
  if (mode !== MODE_DELTA && mode !== MODE_DOD) throw new RangeError(`unknown column mode ${mode}`);
  const d = r.u8();
  const s = POW10[d];
  if (s === undefined) throw new RangeError(`bad decimals ${d}`);
  const first = r.zigzag();
  if (count === 0) return [];
  const ints: number[] = [first];
  if (count > 1) {
    const g = r.varint();
    if (mode === MODE_DELTA) {
      const deltas: number[] = [];
      readSteps(r, count - 1, g, deltas);
      for (const dl of deltas) ints.push(ints[ints.length - 1]! + dl);
    } else {
      let delta = r.zigzag();
      ints.push(first + delta);
      const dods: number[] = [];
      readSteps(r, count - 2, g, dods);
      for (const dd of dods) {
        delta += dd;
        ints.push(ints[ints.length - 1]! + delta);
      }
    }
  }
  if (s === 1) return ints;
  return ints.map((i) => i / s);
}
