import { CodecError, Reader, Writer } from "@ordo/sdk";

/** Bank transaction payloads: a tag byte, then the operation's fields, canonical and strict. */
export const MAX_AMOUNT = (1n << 128n) - 1n;

export type BankOp = { op: "transfer"; to: Uint8Array; amount: bigint };

const TAG_TRANSFER = 1;

function writeU128(w: Writer, v: bigint): void {
  w.bigU64(v >> 64n).bigU64(v & ((1n << 64n) - 1n));
}

/** A u128 as two big-endian u64 (amounts, and balances as stored). */
export function readU128(r: Reader): bigint {
  return (r.bigU64("amount high") << 64n) | r.bigU64("amount low");
}

export function encodeU128(v: bigint): Uint8Array {
  const w = new Writer(16);
  writeU128(w, v);
  return w.finish();
}

export function decodeU128(bytes: Uint8Array): bigint {
  const r = new Reader(bytes);
  const v = readU128(r);
  r.end();
  return v;
}

/** Payload of a transfer of `amount` (a positive integer below 2^128) to public key `to`. */
export function transfer(to: Uint8Array, amount: bigint): Uint8Array {
  if (typeof amount !== "bigint" || amount < 0n || amount > MAX_AMOUNT) {
    throw new CodecError("OUT_OF_RANGE", "amount must be a bigint in [0, 2^128)");
  }
  const w = new Writer(64).u8(TAG_TRANSFER).fixed(to, 32);
  writeU128(w, amount);
  return w.finish();
}

/** Decodes a bank payload; throws CodecError for anything that is not exactly one known operation. */
export function decodePayload(bytes: Uint8Array): BankOp {
  const r = new Reader(bytes);
  const tag = r.u8("operation");
  if (tag !== TAG_TRANSFER) throw new CodecError("BAD_TAG", `unknown bank operation ${tag}`);
  const to = r.fixed(32, "recipient");
  const amount = readU128(r);
  r.end();
  return { op: "transfer", to, amount };
}
