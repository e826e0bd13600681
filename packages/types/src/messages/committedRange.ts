import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { type Block, type BlockHeader, readBlock, readBlockHeader, writeBlock, writeBlockHeader } from "./block.js";
import { type QuorumCert, readQuorumCert, writeQuorumCert } from "./quorumCert.js";

/**
 * Block sync: ask a peer for up to `count` committed blocks by height, from `fromHeight` up (a
 * replica far behind fetches the committed chain forwards, in bounded chunks, instead of walking
 * parents back from a QC).
 */
export interface CommittedRangeRequest {
  fromHeight: number;
  count: number;
}

/**
 * Committed blocks `fromHeight ..` in height order, each the parent of the next, and the proof
 * that the last of them is committed (PROTOCOL.md, 2-chain rule): `proofHeaders` are the headers
 * of the blocks that follow it on the chain (the first one's QC certifies the last block), and
 * `proofQc` certifies the last of those headers, one round after its parent's round; that QC
 * commits the parent, and so every ancestor, the blocks returned included. No blocks (and no
 * proof) when the peer cannot serve the range (pruned, not committed yet, or not provable yet).
 */
export interface CommittedRangeResponse {
  /** The server's committed height (what is left to fetch: progress for the requester). */
  committedHeight: number;
  blocks: Block[];
  proofHeaders: BlockHeader[];
  proofQc: QuorumCert | null;
}

/** Smallest encoded header (no TC, an empty signer bitmap): lets a count be rejected before allocating. */
const MIN_HEADER_BYTES = 200;

export function writeCommittedRangeRequest(w: Writer, req: CommittedRangeRequest): void {
  w.u64(req.fromHeight).u32(req.count);
}

export function readCommittedRangeRequest(r: Reader, limits: CodecLimits): CommittedRangeRequest {
  const fromHeight = r.u64("from height");
  if (fromHeight === 0) throw new CodecError("OUT_OF_RANGE", "a committed range starts above genesis (height 0)");
  const count = r.u32("count");
  if (count === 0 || count > limits.maxBlocksPerResponse) {
    throw new CodecError("OUT_OF_RANGE", `committed range count ${count} not in 1..${limits.maxBlocksPerResponse}`);
  }
  return { fromHeight, count };
}

export function writeCommittedRangeResponse(w: Writer, res: CommittedRangeResponse): void {
  w.u64(res.committedHeight).u32(res.blocks.length);
  for (const b of res.blocks) writeBlock(w, b);
  w.u32(res.proofHeaders.length);
  for (const h of res.proofHeaders) writeBlockHeader(w, h);
  w.bool(res.proofQc !== null);
  if (res.proofQc) writeQuorumCert(w, res.proofQc);
}

export function readCommittedRangeResponse(r: Reader, limits: CodecLimits): CommittedRangeResponse {
  const committedHeight = r.u64("committed height");
  const n = r.count(limits.maxBlocksPerResponse, MIN_HEADER_BYTES, "range blocks");
  const blocks: Block[] = new Array(n);
  for (let i = 0; i < n; i++) blocks[i] = readBlock(r, limits);
  const m = r.count(limits.maxBlocksPerResponse, MIN_HEADER_BYTES, "range proof headers");
  const proofHeaders: BlockHeader[] = new Array(m);
  for (let i = 0; i < m; i++) proofHeaders[i] = readBlockHeader(r, limits);
  const proofQc = r.option("range proof qc") ? readQuorumCert(r, limits) : null;
  // Canonical: blocks come with their proof, and no proof comes without blocks.
  if ((n === 0) !== (proofQc === null) || (n === 0 && m > 0) || (n > 0 && m === 0)) {
    throw new CodecError("INVALID_VALUE", "a committed range has blocks, proof headers and a proof QC, or none");
  }
  return { committedHeight, blocks, proofHeaders, proofQc };
}

export function encodeCommittedRangeRequest(req: CommittedRangeRequest): Uint8Array {
  const w = new Writer(16);
  writeCommittedRangeRequest(w, req);
  return w.finish();
}

export function decodeCommittedRangeRequest(
  bytes: Uint8Array,
  limits: CodecLimits = defaultLimits,
): CommittedRangeRequest {
  const r = new Reader(bytes);
  const req = readCommittedRangeRequest(r, limits);
  r.end();
  return req;
}

export function encodeCommittedRangeResponse(res: CommittedRangeResponse): Uint8Array {
  let size = 1024 + res.proofHeaders.length * 512;
  for (const b of res.blocks) {
    size += 1024;
    for (const tx of b.txs) size += 120 + tx.payload.length;
  }
  const w = new Writer(size);
  writeCommittedRangeResponse(w, res);
  return w.finish();
}

export function decodeCommittedRangeResponse(
  bytes: Uint8Array,
  limits: CodecLimits = defaultLimits,
): CommittedRangeResponse {
  if (bytes.length > limits.maxMessageBytes) {
    throw new CodecError("TOO_LARGE", `message of ${bytes.length} bytes exceeds ${limits.maxMessageBytes}`);
  }
  const r = new Reader(bytes);
  const res = readCommittedRangeResponse(r, limits);
  r.end();
  return res;
}
