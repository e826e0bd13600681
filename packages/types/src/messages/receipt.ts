import { HASH_LENGTH, SIGNATURE_LENGTH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { pooledBytes, Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { sha256 } from "../hash.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { merkleRootWith } from "../merkle.js";

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

/** Most results carry no data: its hash is computed once (one hash fewer per transaction). */
const EMPTY_DATA_HASH = sha256(new Uint8Array(0));

/**
 * The Merkle leaf of a transaction's result: txId | u32 index | u32 code | SHA-256(data), built in
 * place (one per transaction per block on every validator).
 */
export function resultLeaf(txId: Uint8Array, index: number, result: TxResult): Uint8Array {
  const leaf = pooledBytes(RESULT_LEAF_BYTES); // every byte written below
  writeResultLeaf(leaf, txId, index, result);
  return leaf;
}

/**
 * The root of the results tree: `merkleRoot` over `resultLeaf(txIds[i], i, results[i])`, each leaf
 * written into one reused buffer instead of allocated.
 */
export function resultsRoot(txIds: readonly Uint8Array[], results: readonly TxResult[]): Uint8Array {
  if (txIds.length !== results.length) {
    throw new RangeError(`resultsRoot: ${txIds.length} tx ids for ${results.length} results`);
  }
  return merkleRootWith(results.length, RESULT_LEAF_BYTES, (i, out) => writeResultLeaf(out, txIds[i]!, i, results[i]!));
}

function writeResultLeaf(out: Uint8Array, txId: Uint8Array, index: number, result: TxResult): void {
  if (txId.length !== HASH_LENGTH) throw new RangeError(`a tx id is ${HASH_LENGTH} bytes, got ${txId.length}`);
  out.set(txId, 0);
  writeU32(out, HASH_LENGTH, index, "index");
  writeU32(out, HASH_LENGTH + 4, result.code, "code");
  out.set(result.data.length === 0 ? EMPTY_DATA_HASH : sha256(result.data), HASH_LENGTH + 8);
}

function writeU32(out: Uint8Array, at: number, v: number, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`result leaf ${name} ${v} is not a u32`);
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

const RESULT_LEAF_BYTES = HASH_LENGTH + 8 + HASH_LENGTH;

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
