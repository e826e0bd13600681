import { CodecError } from "../errors.js";

// ignoreBOM: a leading U+FEFF stays in the string, so decoding then encoding gives the same bytes (canonical).
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The last short string decoded, by its bytes: every transaction carries the chain id, so a block
 * or a batch decodes the same few bytes hundreds of times (a UTF-8 decode and a new string each).
 * A copy of the bytes: the input may be a reused buffer.
 */
let lastString: { bytes: Uint8Array; text: string } = { bytes: new Uint8Array(0), text: "" };
const MEMO_MAX_BYTES = 64;

function sameBytesAt(buf: Uint8Array, at: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

/**
 * Strict canonical decoder over one byte string. Every read checks bounds first; a value is
 * rejected with a typed {@link CodecError} rather than read past the end or coerced.
 * Byte fields are returned as zero-copy views into the input.
 */
export class Reader {
  private pos = 0;

  // Integers are read byte by byte rather than through a DataView: a DataView needs `buf.buffer`,
  // and for a typed array of 64 bytes or less (a stored value, a hash) V8 then moves its bytes to
  // a new backing store of their own, ~0.6 us to make and more to free.
  constructor(private readonly buf: Uint8Array) {
    if (!(buf instanceof Uint8Array)) throw new CodecError("INVALID_VALUE", "input must be a Uint8Array");
  }

  /** Big-endian u32 at `at` (bounds already checked). */
  private u32At(at: number): number {
    const b = this.buf;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  get offset(): number {
    return this.pos;
  }

  /** The input bytes in [from, to), without a copy (decoders that keep the encoding of a part). */
  viewOf(from: number, to: number): Uint8Array {
    if (from < 0 || to > this.buf.length || from > to) throw new RangeError("view outside the input");
    return this.buf.subarray(from, to);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.buf.length - this.pos < n) {
      throw new CodecError("TRUNCATED", `truncated input reading ${what} at offset ${this.pos}`, { offset: this.pos });
    }
  }

  u8(what = "u8"): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = "u16"): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what = "u32"): number {
    this.need(4, what);
    const v = this.u32At(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64 that must fit a JS safe integer (rounds, heights, timestamps). */
  u64(what = "u64"): number {
    this.need(8, what);
    const hi = this.u32At(this.pos);
    const lo = this.u32At(this.pos + 4);
    if (hi > 0x1fffff) throw new CodecError("OUT_OF_RANGE", `${what} exceeds 2^53 - 1`, { offset: this.pos });
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  bigU64(what = "u64"): bigint {
    this.need(8, what);
    const v = (BigInt(this.u32At(this.pos)) << 32n) | BigInt(this.u32At(this.pos + 4));
    this.pos += 8;
    return v;
  }

  bool(what = "bool"): boolean {
    const v = this.u8(what);
    if (v > 1) throw new CodecError("NON_CANONICAL", `${what} must be 0 or 1, got ${v}`);
    return v === 1;
  }

  /** Option tag: 0 = absent, 1 = present, anything else is non-canonical. */
  option(what: string): boolean {
    const v = this.u8(what);
    if (v > 1) throw new CodecError("BAD_TAG", `${what} option tag must be 0 or 1, got ${v}`);
    return v === 1;
  }

  fixed(length: number, what = "bytes"): Uint8Array {
    this.need(length, what);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** u32-length-prefixed bytes, with the length checked against `max` before anything is read. */
  bytes(max: number, what = "bytes"): Uint8Array {
    const len = this.u32(`${what} length`);
    if (len > max)
      throw new CodecError("TOO_LARGE", `${what} of ${len} bytes exceeds the limit of ${max}`, { len, max });
    return this.fixed(len, what);
  }

  string(maxBytes: number, what = "string"): string {
    const len = this.u16(`${what} length`);
    if (len > maxBytes) throw new CodecError("TOO_LARGE", `${what} of ${len} bytes exceeds ${maxBytes}`);
    this.need(len, what);
    if (len === lastString.bytes.length && sameBytesAt(this.buf, this.pos, lastString.bytes)) {
      this.pos += len;
      return lastString.text;
    }
    const raw = this.fixed(len, what);
    let text: string;
    try {
      text = textDecoder.decode(raw);
    } catch {
      throw new CodecError("NON_CANONICAL", `${what} is not valid UTF-8`);
    }
    if (len <= MEMO_MAX_BYTES) lastString = { bytes: raw.slice(), text };
    return text;
  }

  /** A u32 element count, checked against `max` and against the bytes left (each element needs `minElementBytes`). */
  count(max: number, minElementBytes: number, what: string): number {
    const n = this.u32(`${what} count`);
    if (n > max) throw new CodecError("TOO_LARGE", `${what}: ${n} elements exceed the limit of ${max}`, { n, max });
    if (n * minElementBytes > this.remaining) throw new CodecError("TRUNCATED", `${what}: ${n} elements cannot fit`);
    return n;
  }

  /** Every decoder ends here: bytes left over make the whole input invalid. */
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new CodecError("TRAILING_BYTES", `${this.buf.length - this.pos} trailing bytes after the value`, {
        trailing: this.buf.length - this.pos,
      });
    }
  }
}
