import {
  type Block,
  type BlockHeader,
  type CodecLimits,
  CodecError,
  HASH_LENGTH,
  Reader,
  readBlockHeader,
  SIGNATURE_LENGTH,
  type Transaction,
  toHex,
  transactionId,
  Writer,
  writeBlockHeader,
} from "@ordo/types";

/**
 * First byte of a compact proposal on a validator's direct stream (consensus message tags are
 * small, a relayed transaction batch is 0x80).
 */
export const COMPACT_PROPOSAL_FRAME_TAG = 0x81;

/**
 * A proposal that names its transactions by id instead of carrying them: every validator relays
 * the transactions its clients submit to the others as they arrive, so a replica usually holds a
 * proposal's transactions already. Sending ids (32 bytes) instead of transactions (110 bytes and
 * up) cuts the leader's upload and every replica's decoding, and the replica's own transaction
 * objects come with their ids computed.
 */
export interface CompactProposal {
  header: BlockHeader;
  signature: Uint8Array;
  txIds: Uint8Array[];
}

/** The frame body: tag, block header, u32 count, the transaction ids, the proposer's signature. */
export function encodeCompactProposalFrame(block: Block): Uint8Array {
  const w = new Writer(1024 + block.txs.length * HASH_LENGTH).u8(COMPACT_PROPOSAL_FRAME_TAG);
  writeBlockHeader(w, block.header);
  w.u32(block.txs.length);
  for (const tx of block.txs) w.fixed(transactionId(tx), HASH_LENGTH);
  return w.fixed(block.signature, SIGNATURE_LENGTH).finish();
}

/** Strict decoding: the count within the block limit, no bytes left over. */
export function decodeCompactProposalFrame(body: Uint8Array, limits: CodecLimits): CompactProposal {
  const r = new Reader(body);
  if (r.u8("frame tag") !== COMPACT_PROPOSAL_FRAME_TAG) throw new CodecError("INVALID_VALUE", "not a compact proposal");
  const header = readBlockHeader(r, limits);
  const n = r.count(limits.maxTxsPerBlock, HASH_LENGTH, "compact proposal transaction ids");
  const txIds: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) txIds[i] = r.fixed(HASH_LENGTH, "transaction id");
  const signature = r.fixed(SIGNATURE_LENGTH, "block signature");
  r.end();
  return { header, signature, txIds };
}

/** The full block when `lookup` (by id in hex) knows every transaction, else undefined. */
export function resolveCompactProposal(
  p: CompactProposal,
  lookup: (idHex: string) => Transaction | undefined,
): Block | undefined {
  const txs: Transaction[] = new Array(p.txIds.length);
  for (let i = 0; i < p.txIds.length; i++) {
    const tx = lookup(toHex(p.txIds[i]!));
    if (tx === undefined) return undefined;
    txs[i] = tx;
  }
  return { header: p.header, txs, signature: p.signature };
}
