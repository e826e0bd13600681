import { HASH_LENGTH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import {
  type BlockReceipt,
  readBlockReceipt,
  readTxResult,
  type TxResult,
  writeBlockReceipt,
  writeTxResult,
} from "./receipt.js";

/**
 * One validator's answer for an executed height: its signed receipt and every transaction's id and
 * result, in block order (`GET /v1/blocks/:height/results` with `accept: application/octet-stream`).
 * A client checks the receipt's signature and that `resultsRoot(txIds, results)` is the receipt's
 * results root; the binary form spares both sides a JSON object, a hex id and a base64 field per
 * transaction.
 */
export interface ResultsList {
  height: number;
  receipt: BlockReceipt;
  txIds: Uint8Array[];
  results: TxResult[];
}

export const RESULTS_LIST_MEDIA_TYPE = "application/octet-stream";

/** Smallest encoded entry: an id, a code, an empty data field and an empty log. */
const MIN_ENTRY_BYTES = HASH_LENGTH + 4 + 4 + 2;

export function encodeResultsList(l: ResultsList): Uint8Array {
  if (l.txIds.length !== l.results.length)
    throw new RangeError(`${l.txIds.length} tx ids for ${l.results.length} results`);
  const w = new Writer(256 + l.results.length * 64);
  w.u64(l.height);
  writeBlockReceipt(w, l.receipt);
  w.u32(l.results.length);
  for (let i = 0; i < l.results.length; i++) {
    w.fixed(l.txIds[i]!, HASH_LENGTH);
    writeTxResult(w, l.results[i]!);
  }
  return w.finish();
}

/** Strict decode; ids and data are views of `bytes`. At most `limits.maxTxsPerBlock` entries. */
export function decodeResultsList(bytes: Uint8Array, limits: CodecLimits = defaultLimits): ResultsList {
  const r = new Reader(bytes);
  const height = r.u64("height");
  const receipt = readBlockReceipt(r, limits);
  const n = r.count(limits.maxTxsPerBlock, MIN_ENTRY_BYTES, "results");
  const txIds: Uint8Array[] = new Array(n);
  const results: TxResult[] = new Array(n);
  for (let i = 0; i < n; i++) {
    txIds[i] = r.fixed(HASH_LENGTH, "tx id");
    results[i] = readTxResult(r, limits);
  }
  r.end();
  return { height, receipt, txIds, results };
}
