import {
  type CodecLimits,
  CodecError,
  defaultLimits,
  Reader,
  readTransaction,
  type Transaction,
  TX_FIXED_BYTES,
  Writer,
  writeTransaction,
} from "@ordo/types";

/**
 * First byte of a transaction batch sent on a validator's direct stream, where every other frame is
 * a consensus message (whose tags are small: see MessageTag).
 */
export const TX_BATCH_FRAME_TAG = 0x80;

/** A gossiped batch of transactions: a u32 count, then each transaction in its canonical encoding. */
export function encodeTxBatch(txs: readonly Transaction[]): Uint8Array {
  return writeTxBatch(new Writer(4 + txs.length * (TX_FIXED_BYTES + 128)), txs).finish();
}

/** The same batch as a direct-stream frame body: {@link TX_BATCH_FRAME_TAG}, then the batch. */
export function encodeTxBatchFrame(txs: readonly Transaction[]): Uint8Array {
  return writeTxBatch(new Writer(5 + txs.length * (TX_FIXED_BYTES + 128)).u8(TX_BATCH_FRAME_TAG), txs).finish();
}

function writeTxBatch(w: Writer, txs: readonly Transaction[]): Writer {
  w.u32(txs.length);
  for (const tx of txs) writeTransaction(w, tx);
  return w;
}

/**
 * Strict decoding of a batch: count within `maxTxs`, each transaction canonical and within the codec
 * limits, no trailing bytes, every transaction on `chainId`, and at least one transaction.
 */
export function decodeTxBatch(
  bytes: Uint8Array,
  chainId: string,
  maxTxs: number,
  limits: CodecLimits = defaultLimits,
): Transaction[] {
  const r = new Reader(bytes);
  const n = r.count(maxTxs, TX_FIXED_BYTES, "batch transactions");
  if (n === 0) throw new CodecError("OUT_OF_RANGE", "empty transaction batch");
  const txs: Transaction[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const tx = readTransaction(r, limits);
    if (tx.chainId !== chainId) {
      throw new CodecError("INVALID_VALUE", `transaction ${i} is for chain ${tx.chainId}, not ${chainId}`);
    }
    txs[i] = tx;
  }
  r.end();
  return txs;
}
