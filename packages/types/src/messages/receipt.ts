import { HASH_LENGTH, SIGNATURE_LENGTH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { sha256, sha256Pairs } from "../hash.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { merkleLevelFor, merkleRootOfLevel } from "../merkle.js";

/** The application's result for one transaction. Code 0 is success. */
export interface TxResult {
  code: number;
  data: Uint8Array;
  log: string;
}

/**
 * One validator's signed statement about an executed block: one signature per block, not per
 * transaction. A transaction's receipt is this plus the Merkle path of its result leaf.
 */
export interface BlockReceipt {
  height: number;
  blockId: Uint8Array;
  /** Merkle root over {@link resultLeaf} of each transaction, in block order. */
  resultsRoot: Uint8Array;
  appHash: Uint8Array;
  validator: number;
  signature: Uint8Array;
}

export type UnsignedBlockReceipt = Omit<BlockReceipt, "validator" | "signature">;

export const MAX_LOG_BYTES = 1024;

/**
 * The Merkle leaf of a transaction's result: SHA-256(txId || resultDigest(result)), 32 bytes. Its
 * position in the results tree is its index in the block (the tree's root binds the count, so a
 * proof fixes the position); the log is not covered.
 */
export function resultLeaf(txId: Uint8Array, result: TxResult): Uint8Array {
  const pair = Buffer.allocUnsafe(2 * HASH_LENGTH);
  writeResultPair(pair, 0, txId, result);
  return sha256(pair);
}

/** SHA-256(u32 code || data); for empty data (most results) remembered per small code. */
export function resultDigest(result: TxResult): Uint8Array {
  const { code, data } = result;
  if (!Number.isInteger(code) || code < 0 || code > 0xffffffff)
    throw new RangeError(`result code ${code} is not a u32`);
  if (data.length === 0 && code < EMPTY_DATA_DIGESTS.length) {
    let d = EMPTY_DATA_DIGESTS[code];
    if (d === undefined) EMPTY_DATA_DIGESTS[code] = d = sha256(u32Bytes(code));
    return d;
  }
  return sha256(u32Bytes(code), data);
}

const EMPTY_DATA_DIGESTS: (Uint8Array | undefined)[] = new Array(256).fill(undefined);

function u32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = v >>> 24;
  b[1] = (v >>> 16) & 0xff;
  b[2] = (v >>> 8) & 0xff;
  b[3] = v & 0xff;
  return b;
}

/** txId || resultDigest(result) at `at` of `out` (64 bytes). */
function writeResultPair(out: Uint8Array, at: number, txId: Uint8Array, result: TxResult): void {
  if (txId.length !== HASH_LENGTH) throw new RangeError(`a tx id is ${HASH_LENGTH} bytes, got ${txId.length}`);
  out.set(txId, at);
  out.set(resultDigest(result), at + HASH_LENGTH);
}

/** The pairs of `resultsRoot`, reused from call to call. */
let pairBuffer = Buffer.allocUnsafe(1024 * 2 * HASH_LENGTH);

/**
 * The root of the results tree: `merkleRoot` over `resultLeaf(txIds[i], results[i])`, with every
 * leaf's 64-byte input written into one buffer and the leaves hashed in one call, like the levels
 * above them (every block on every validator, and every block a client checks).
 */
export function resultsRoot(txIds: readonly Uint8Array[], results: readonly TxResult[]): Uint8Array {
  const n = results.length;
  if (txIds.length !== n) throw new RangeError(`resultsRoot: ${txIds.length} tx ids for ${n} results`);
  if (pairBuffer.length < n * 2 * HASH_LENGTH)
    pairBuffer = Buffer.allocUnsafe(Math.max(n * 2 * HASH_LENGTH, 2 * pairBuffer.length));
  for (let i = 0; i < n; i++) writeResultPair(pairBuffer, i * 2 * HASH_LENGTH, txIds[i]!, results[i]!);
  const level = merkleLevelFor(n);
  sha256Pairs(pairBuffer.subarray(0, n * 2 * HASH_LENGTH), level.subarray(0, n * HASH_LENGTH));
  return merkleRootOfLevel(level, n);
}

export function receiptSigningBytes(r: UnsignedBlockReceipt): Uint8Array {
  return new Writer(112)
    .u64(r.height)
    .fixed(r.blockId, HASH_LENGTH)
    .fixed(r.resultsRoot, HASH_LENGTH)
    .fixed(r.appHash, HASH_LENGTH)
    .finish();
}

export function writeBlockReceipt(w: Writer, r: BlockReceipt): void {
  w.u64(r.height).fixed(r.blockId, HASH_LENGTH).fixed(r.resultsRoot, HASH_LENGTH).fixed(r.appHash, HASH_LENGTH);
  w.u16(r.validator).fixed(r.signature, SIGNATURE_LENGTH);
}

export function readBlockReceipt(r: Reader, limits: CodecLimits): BlockReceipt {
  const height = r.u64("height");
  const blockId = r.fixed(HASH_LENGTH, "block id");
  const resultsRoot = r.fixed(HASH_LENGTH, "results root");
  const appHash = r.fixed(HASH_LENGTH, "app hash");
  const validator = r.u16("validator");
  if (validator >= limits.maxValidators)
    throw new CodecError("OUT_OF_RANGE", `validator index ${validator} out of range`);
  return {
    height,
    blockId,
    resultsRoot,
    appHash,
    validator,
    signature: r.fixed(SIGNATURE_LENGTH, "receipt signature"),
  };
}

export function encodeBlockReceipt(r: BlockReceipt): Uint8Array {
  const w = new Writer(200);
  writeBlockReceipt(w, r);
  return w.finish();
}

export function decodeBlockReceipt(bytes: Uint8Array, limits: CodecLimits = defaultLimits): BlockReceipt {
  const reader = new Reader(bytes);
  const receipt = readBlockReceipt(reader, limits);
  reader.end();
  return receipt;
}

export function writeTxResult(w: Writer, r: TxResult): void {
  w.u32(r.code).bytes(r.data).string(r.log);
}

export function readTxResult(r: Reader, limits: CodecLimits): TxResult {
  return { code: r.u32("code"), data: r.bytes(limits.maxTxBytes, "result data"), log: r.string(MAX_LOG_BYTES, "log") };
}

export function encodeTxResult(r: TxResult): Uint8Array {
  const w = new Writer(64 + r.data.length);
  writeTxResult(w, r);
  return w.finish();
}

export function decodeTxResult(bytes: Uint8Array, limits: CodecLimits = defaultLimits): TxResult {
  const reader = new Reader(bytes);
  const result = readTxResult(reader, limits);
  reader.end();
  return result;
}
