import { type CertificateVerifier, verifyBlockSignature, verifyTransaction } from "@ordo/crypto";
import { type Block, bytesEqual, merkleRoot, transactionId, transactionIdHex } from "@ordo/types";
import type { BlockRecord, BlockTree } from "./blockTree/blockTree.js";
import { ProposalError } from "./errors.js";

export interface ProposalCheckOptions {
  chainId: string;
  maxTxsPerBlock: number;
  /** "none": transactions are authenticated outside Ordo (permissioned ordering); signatures are not checked. */
  txAuth: "ed25519" | "none";
}

/**
 * Everything about a proposal that can be checked without the block tree: the proposer's
 * signature, certificates, the payload root, and every transaction's signature (external validity).
 * Returns the transaction ids (hex), which the caller needs anyway.
 */
export function checkProposal(
  block: Block,
  id: Uint8Array,
  expectedProposer: number,
  verifier: CertificateVerifier,
  opts: ProposalCheckOptions,
  alreadyVerified: (idHex: string) => boolean,
): string[] {
  const h = block.header;
  const fail = (why: string): never => {
    throw new ProposalError(why, { round: h.round, proposer: h.proposer });
  };
  if (h.proposer !== expectedProposer)
    fail(`proposer ${h.proposer} is not the leader ${expectedProposer} of round ${h.round}`);
  const proposerKey = verifier.validators.publicKey(h.proposer);
  if (!proposerKey || !verifyBlockSignature(proposerKey, opts.chainId, id, block.signature))
    fail("bad proposer signature");
  if (!bytesEqual(h.parentId, h.qc.blockId)) fail("parent id differs from the QC's block");
  if (h.qc.round >= h.round) fail("QC round not below the block round");
  if (h.tc && h.tc.round >= h.round) fail("TC round not below the block round");
  if (block.txs.length > opts.maxTxsPerBlock) fail(`${block.txs.length} transactions exceed ${opts.maxTxsPerBlock}`);
  verifier.verifyQuorumCert(h.qc);
  if (h.tc) verifier.verifyTimeoutCert(h.tc);
  const ids = block.txs.map(transactionId);
  if (!bytesEqual(merkleRoot(ids), h.payloadRoot)) fail("payload root does not match the transactions");
  const idHexes = block.txs.map(transactionIdHex);
  if (new Set(idHexes).size !== idHexes.length) fail("duplicate transaction in block");
  block.txs.forEach((tx, i) => {
    if (tx.chainId !== opts.chainId) fail(`transaction ${i} is for chain ${JSON.stringify(tx.chainId)}`);
    if (opts.txAuth === "ed25519" && !alreadyVerified(idHexes[i]!) && !verifyTransaction(tx)) {
      fail(`transaction ${i} has a bad signature`);
    }
  });
  return idHexes;
}

/** A block must not repeat a transaction of an uncommitted ancestor (from `parent` up to the root) or a committed one. */
export function checkNoReplay(
  tree: BlockTree,
  parent: BlockRecord,
  txIds: readonly string[],
  isCommitted: (idHex: string) => boolean,
): void {
  if (txIds.length === 0) return;
  const seen = new Set<string>();
  for (const b of [parent, ...tree.ancestors(parent.idHex)]) {
    if (b.idHex === tree.root.idHex) break;
    for (const tx of b.block.txs) seen.add(transactionIdHex(tx));
  }
  for (const idHex of txIds) {
    if (seen.has(idHex) || isCommitted(idHex)) {
      throw new ProposalError(`transaction ${idHex.slice(0, 16)} is already in the chain`);
    }
  }
}
