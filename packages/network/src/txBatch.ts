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

/** A gossiped batch of transactions: a u32 count, then each transaction in its canonical encoding. */
export function encodeTxBatch(txs: readonly Transaction[]): Uint8Array {
  const w = new Writer(4 + txs.length * (TX_FIXED_BYTES + 128));
  w.u32(txs.length);
  for (const tx of txs) writeTransaction(w, tx);
  return w.finish();
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
