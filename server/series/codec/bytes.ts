/**
 * Byte-level building blocks of the storage encodings: a growable writer and a reader for
 * unsigned LEB128 varints, zigzag-signed varints and raw float64s. Numbers are JavaScript
 * numbers, so varints hold integers up to 2^53 − 1; callers keep their values inside that.
 */

/** Appends bytes to a buffer that grows as needed. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** One byte, 0–255. */
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  /** Unsigned integer 0 … 2^53 − 1 as LEB128. */
  varint(v: number): void {
    this.ensure(8);
    if (v < 0x80000000) {
      while (v >= 0x80) {
        this.buf[this.length++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.length++] = v;
      return;
    }
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** Signed integer, |v| ≤ 2^52 − 1, zigzag-mapped so small magnitudes stay small. */
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Raw IEEE-754 double, little-endian. */
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  /** Copies bytes. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** Forgets what was written, keeping the buffer. */
  reset(): void {
    this.length = 0;
  }
}

/** Reads what ByteWriter wrote. Throws on truncated input. */
export class ByteReader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get isAtEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated encoding');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new RangeError('varint too long');
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new RangeError('truncated encoding');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A view of the next `n` bytes. */
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated encoding');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated encoding');
    this.pos += n;
  }
}
