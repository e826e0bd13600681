import type { BlockReceipt, Block, QuorumCert, TimeoutCert, Transaction, TxResult } from "@ordo/types";
import { toBase64, toHex } from "@ordo/types";

/** JSON shapes of the HTTP API: ids and hashes in hex, opaque bytes in base64, u64 nonces as strings. */

export const qcJson = (qc: QuorumCert) => ({
  blockId: toHex(qc.blockId),
  round: qc.round,
  parentId: toHex(qc.parentId),
  parentRound: qc.parentRound,
  signers: qc.signers,
  signatures: qc.signatures.map(toBase64),
});

export const tcJson = (tc: TimeoutCert) => ({
  round: tc.round,
  signers: tc.signers,
  highQcRounds: tc.highQcRounds,
  signatures: tc.signatures.map(toBase64),
});

export const txJson = (tx: Transaction) => ({
  chainId: tx.chainId,
  sender: toBase64(tx.sender),
  nonce: tx.nonce.toString(),
  payload: toBase64(tx.payload),
  signature: toBase64(tx.signature),
});

export const resultJson = (r: TxResult) => ({ code: r.code, data: toBase64(r.data), log: r.log });

/** A height's results list as the API serves it: each transaction id with its result, in block order. */
export const resultsListJson = (r: { txIds: readonly Uint8Array[]; results: readonly TxResult[] }) =>
  r.txIds.map((id, i) => ({ id: toHex(id), result: resultJson(r.results[i]!) }));

export const receiptJson = (r: BlockReceipt) => ({
  height: r.height,
  blockId: toHex(r.blockId),
  resultsRoot: toHex(r.resultsRoot),
  appHash: toHex(r.appHash),
  validator: r.validator,
  signature: toBase64(r.signature),
});

export const blockJson = (id: Uint8Array, b: Block) => ({
  id: toHex(id),
  header: {
    height: b.header.height,
    round: b.header.round,
    parentId: toHex(b.header.parentId),
    qc: qcJson(b.header.qc),
    tc: b.header.tc ? tcJson(b.header.tc) : null,
    proposer: b.header.proposer,
    timestamp: b.header.timestamp,
    payloadRoot: toHex(b.header.payloadRoot),
    execHeight: b.header.execHeight,
    appHash: toHex(b.header.appHash),
  },
  txs: b.txs.map(txJson),
  signature: toBase64(b.signature),
});
