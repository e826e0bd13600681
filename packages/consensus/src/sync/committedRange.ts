import type { CertificateVerifier } from "@ordo/crypto";
import {
  type Block,
  type BlockHeader,
  blockId,
  bytesEqual,
  type CommittedRangeRequest,
  type CommittedRangeResponse,
  encodedTransactionLength,
  payloadRoot,
  type QuorumCert,
} from "@ordo/types";
import { SyncError } from "../errors.js";

/** What a replica's committed chain offers to serve block sync (read-only views of tree and storage). */
export interface CommittedChainSource {
  /** Height of the committed root (the last committed block). */
  rootHeight: number;
  /** The committed block at `height` (<= rootHeight), or undefined once pruned. */
  blockAt(height: number): Block | undefined;
  /** The QC certifying the committed root (stored with the tip), if known. */
  rootQc: QuorumCert | undefined;
  /** The root's child whose QC committed the root (`highCommitQc`), if this replica holds it. */
  rootChild: { header: BlockHeader; qc: QuorumCert } | undefined;
}

export interface ServeRangeOptions {
  maxBlocks: number;
  /** Byte budget of the blocks in one response (at least one block is always served). */
  maxBytes: number;
  /** Block header overhead estimate per block, in bytes (certificates included). */
  blockOverheadBytes: number;
}

/**
 * Serves committed blocks `fromHeight ..` with a proof that the last one is committed: the headers
 * after it up to a block `C` whose round is its parent's plus one, and the QC on `C` (2-chain
 * rule). The range is shortened when the proof can only be made for an earlier block, and empty
 * when nothing from `fromHeight` can be proven (or it was pruned).
 */
export function serveCommittedRange(
  req: CommittedRangeRequest,
  src: CommittedChainSource,
  opts: ServeRangeOptions,
): CommittedRangeResponse {
  const empty: CommittedRangeResponse = {
    committedHeight: src.rootHeight,
    blocks: [],
    proofHeaders: [],
    proofQc: null,
  };
  if (req.fromHeight < 1 || req.fromHeight > src.rootHeight) return empty;
  const blocks: Block[] = [];
  let bytes = 0;
  const want = Math.min(req.count, opts.maxBlocks);
  for (let h = req.fromHeight; h <= src.rootHeight && blocks.length < want; h++) {
    const b = src.blockAt(h);
    if (!b) break;
    bytes += opts.blockOverheadBytes;
    for (const tx of b.txs) bytes += encodedTransactionLength(tx);
    if (blocks.length > 0 && bytes > opts.maxBytes) break;
    blocks.push(b);
  }
  if (blocks.length === 0) return empty;

  // Header at height h on the committed chain (or the root's child, one above the root).
  const headerAt = (h: number): BlockHeader | undefined =>
    h <= src.rootHeight ? src.blockAt(h)?.header : h === src.rootHeight + 1 ? src.rootChild?.header : undefined;
  // The QC certifying the block at height h.
  const qcOn = (h: number): QuorumCert | undefined =>
    h < src.rootHeight ? src.blockAt(h + 1)?.header.qc : h === src.rootHeight ? src.rootQc : src.rootChild?.qc;
  /** Proof that the block at height k is committed: its child's header, one round later, and the QC on it. */
  const direct = (k: number): { child: BlockHeader; qc: QuorumCert } | undefined => {
    const parent = headerAt(k);
    const child = headerAt(k + 1);
    if (!parent || !child || child.round !== parent.round + 1) return undefined;
    const qc = qcOn(k + 1);
    if (!qc || qc.round !== child.round || !bytesEqual(qc.blockId, blockId(child))) return undefined;
    return { child, qc };
  };

  const last = blocks[blocks.length - 1]!.header.height;
  // Forwards: the first directly committed block at or above the last one served.
  const headers: BlockHeader[] = [];
  for (let k = last; k <= Math.min(src.rootHeight, last + opts.maxBlocks - 1); k++) {
    const proof = direct(k);
    if (proof) {
      headers.push(proof.child);
      return { committedHeight: src.rootHeight, blocks, proofHeaders: headers, proofQc: proof.qc };
    }
    const next = headerAt(k + 1);
    if (!next) break;
    headers.push(next);
  }
  // Else backwards: serve fewer blocks, up to one that is directly committed.
  for (let k = last - 1; k >= req.fromHeight; k--) {
    const proof = direct(k);
    if (proof) {
      return {
        committedHeight: src.rootHeight,
        blocks: blocks.slice(0, k - req.fromHeight + 1),
        proofHeaders: [proof.child],
        proofQc: proof.qc,
      };
    }
  }
  return empty;
}

/** Where a committed range must attach: the requester's committed root. */
export interface RangeAnchor {
  id: Uint8Array;
  height: number;
  round: number;
  parentId: Uint8Array;
  /** Round of the QC in the anchor's header (its parent's round). */
  parentRound: number;
}

export function anchorOf(block: Block, id: Uint8Array): RangeAnchor {
  const h = block.header;
  return { id, height: h.height, round: h.round, parentId: h.parentId, parentRound: h.qc.round };
}

/** A committed range that passed every check: what the round manager commits and delivers. */
export interface VerifiedRange {
  /** Where it attached (the committed root it was verified against). */
  anchor: RangeAnchor;
  blocks: Block[];
  ids: Uint8Array[];
  /** The QC certifying the last block (the new committed root's QC). */
  tipQc: QuorumCert;
  /** The QC that proves the last block committed. */
  commitQc: QuorumCert;
  /** The server's committed height when it answered. */
  peerHeight: number;
}

/**
 * Checks a committed range against the anchor it was asked from: every block is the child of the
 * previous one (height, parent id, its QC certifies the previous block and verifies), its
 * transactions match its payload root; the proof headers continue the chain the same way, and
 * the proof QC verifies and certifies the last header one round after its parent. Together they
 * prove the last block (so every block) committed. Throws SyncError naming the first failure.
 */
export function verifyCommittedRange(
  res: CommittedRangeResponse,
  anchor: RangeAnchor,
  verifier: CertificateVerifier,
  peer: number,
): VerifiedRange {
  const fail = (why: string, meta: Record<string, unknown> = {}): never => {
    throw new SyncError(`committed range from ${peer} rejected: ${why}`, { peer, ...meta });
  };
  if (res.blocks.length === 0 || res.proofHeaders.length === 0 || !res.proofQc) fail("no blocks or no proof");
  let prev = {
    id: anchor.id,
    height: anchor.height,
    round: anchor.round,
    parentId: anchor.parentId,
    parentRound: anchor.parentRound,
  };
  const link = (h: BlockHeader, what: string): Uint8Array => {
    if (h.height !== prev.height + 1) fail(`${what} has height ${h.height}, expected ${prev.height + 1}`);
    if (!bytesEqual(h.parentId, prev.id)) fail(`${what} at height ${h.height} does not extend the previous block`);
    const qc = h.qc;
    if (!bytesEqual(qc.blockId, prev.id) || qc.round !== prev.round) fail(`${what}'s QC does not certify its parent`);
    if (!bytesEqual(qc.parentId, prev.parentId) || qc.parentRound !== prev.parentRound) {
      fail(`${what}'s QC names the wrong grandparent`, { height: h.height });
    }
    if (h.round <= qc.round) fail(`${what}'s round is not above its QC's`, { height: h.height });
    try {
      verifier.verifyQuorumCert(qc);
    } catch (err) {
      fail(`${what}'s QC does not verify: ${(err as Error).message}`, { height: h.height });
    }
    const id = blockId(h);
    prev = { id, height: h.height, round: h.round, parentId: h.parentId, parentRound: qc.round };
    return id;
  };
  const ids: Uint8Array[] = [];
  for (const b of res.blocks) {
    ids.push(link(b.header, "block"));
    if (!bytesEqual(payloadRoot(b.txs), b.header.payloadRoot)) {
      fail("transactions do not match the payload root", { height: b.header.height });
    }
  }
  let lastHeader: BlockHeader = res.blocks[res.blocks.length - 1]!.header;
  for (const h of res.proofHeaders) {
    link(h, "proof header");
    lastHeader = h;
  }
  const qc = res.proofQc!;
  if (!bytesEqual(qc.blockId, prev.id) || qc.round !== lastHeader.round)
    fail("proof QC does not certify the last header");
  if (!bytesEqual(qc.parentId, lastHeader.parentId) || qc.parentRound !== lastHeader.qc.round) {
    fail("proof QC names the wrong parent");
  }
  if (lastHeader.round !== lastHeader.qc.round + 1) fail("proof QC is not one round after its parent (no 2-chain)");
  try {
    verifier.verifyQuorumCert(qc);
  } catch (err) {
    fail(`proof QC does not verify: ${(err as Error).message}`);
  }
  return {
    anchor,
    blocks: res.blocks,
    ids,
    tipQc: res.proofHeaders[0]!.qc,
    commitQc: qc,
    peerHeight: res.committedHeight,
  };
}
