import { CodecError } from "../errors.js";

const textEncoder = new TextEncoder();
const bufferCopy = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number) => number;
const MAX_U64 = (1n << 64n) - 1n;

/**
 * `n` bytes carved from Buffer's shared pool (under 4 KiB), seen as a plain Uint8Array. A typed
 * array of more than 64 bytes made with `new` gets a backing store of its own, ~0.5 us to make
 * and more to free: several per transaction added up. The bytes are not zeroed; callers write
 * every byte they expose. Its `.buffer` is the pool's: use byteOffset, never transfer it.
 */
export function pooledBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/**
 * Append-only canonical encoder: fixed-width big-endian integers and length-prefixed bytes,
 * so every value has exactly one encoding. Grows its buffer by doubling.
 */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = pooledBytes(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = pooledBytes(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  get length(): number {
    return this.pos;
  }

  u8(value: number): this {
    checkUint(value, 0xff, "u8");
    this.ensure(1);
    this.buf[this.pos++] = value;
    return this;
  }

  u16(value: number): this {
    checkUint(value, 0xffff, "u16");
    this.ensure(2);
    this.view.setUint16(this.pos, value);
    this.pos += 2;
    return this;
  }

  u32(value: number): this {
    checkUint(value, 0xffffffff, "u32");
    this.ensure(4);
    this.view.setUint32(this.pos, value);
    this.pos += 4;
    return this;
  }

  /** A u64 held in a JS number: only safe integers are representable. */
  u64(value: number): this {
    checkUint(value, Number.MAX_SAFE_INTEGER, "u64");
    this.ensure(8);
    this.view.setUint32(this.pos, Math.floor(value / 0x1_0000_0000));
    this.view.setUint32(this.pos + 4, value >>> 0);
    this.pos += 8;
    return this;
  }

  bigU64(value: bigint): this {
    if (typeof value !== "bigint" || value < 0n || value > MAX_U64) {
      throw new CodecError("OUT_OF_RANGE", `u64 out of range: ${String(value)}`);
    }
    this.ensure(8);
    this.view.setBigUint64(this.pos, value);
    this.pos += 8;
    return this;
  }

  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }

  /** Bytes of a length fixed by the type (hashes, keys, signatures): no prefix. */
  fixed(bytes: Uint8Array, length: number): this {
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw new CodecError("INVALID_VALUE", `expected ${length} bytes, got ${bytes?.length}`);
    }
    return this.raw(bytes);
  }

  /** Bytes with a u32 length prefix. */
  bytes(bytes: Uint8Array): this {
    if (!(bytes instanceof Uint8Array)) throw new CodecError("INVALID_VALUE", "expected a Uint8Array");
    this.u32(bytes.length);
    return this.raw(bytes);
  }

  /** UTF-8 string with a u16 byte-length prefix. */
  string(text: string): this {
    if (typeof text !== "string") throw new CodecError("INVALID_VALUE", "expected a string");
    // Short ASCII strings (chain ids) are the common case: TextEncoder costs ~1 µs a call.
    this.ensure(2 + text.length * 3);
    const start = this.pos + 2;
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      this.buf[start + i] = c;
    }
    const length = ascii ? text.length : textEncoder.encodeInto(text, this.buf.subarray(start)).written;
    checkUint(length, 0xffff, "string length");
    this.view.setUint16(this.pos, length);
    this.pos = start + length;
    return this;
  }

  raw(bytes: Uint8Array): this {
    const n = bytes.length;
    this.ensure(n);
    // Buffer's native copy has the lowest fixed cost for the small fields that dominate here.
    bufferCopy.call(bytes, this.buf, this.pos);
    this.pos += n;
    return this;
  }

  /** The encoded bytes (a copy sized exactly, so the writer's spare capacity is not retained). */
  finish(): Uint8Array {
    const out = pooledBytes(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}

function checkUint(value: number, max: number, kind: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CodecError("OUT_OF_RANGE", `${kind} out of range: ${value}`);
  }
}
