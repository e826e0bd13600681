import { type KeyPair, signBlockId } from "@ordo/crypto";
import {
  type Block,
  type BlockHeader,
  blockId,
  maxHighQcRound,
  merkleRoot,
  type QuorumCert,
  type TimeoutCert,
  toHex,
  transactionIdHex,
} from "@ordo/types";
import type { BlockTree } from "../blockTree/blockTree.js";
import type { Executor } from "../executor.js";
import type { Mempool } from "../mempool/mempool.js";
import type { TimeService } from "../timeService.js";

export interface ProposalGeneratorOptions {
  chainId: string;
  index: number;
  maxTxsPerBlock: number;
  /** Bytes a batch may take: the block limit minus the header and certificates. */
  maxBatchBytes: number;
  maxBatchWaitMs: number;
  /**
   * Propose an empty block on top of a certified one whose parent holds transactions, so that the
   * replicas that only learn QCs from proposals learn the parent's commit. Not needed when every
   * replica forms the QCs itself (votes sent to all). Default true.
   */
  drainForOthers?: boolean;
}

/**
 * What the leader should do now: propose `block`, wait for the batch to fill (`inChain`: how many
 * of the mempool's transactions are already in the uncommitted chain), or nothing.
 */
export type ProposalDecision = { block: Block } | { wait: true; inChain: number } | null;

/**
 * Builds the leader's block for a round on top of its high QC (and the TC that justifies the
 * round, if it was entered by timeout), with a batch of transactions not already in the
 * uncommitted chain. With nothing to order it proposes an empty block only while a non-empty
 * block still needs QCs above it to commit (so the pipeline drains), else nothing.
 */
export class ProposalGenerator {
  constructor(
    private readonly opts: ProposalGeneratorOptions,
    private readonly modules: { key: KeyPair; mempool: Mempool; executor: Executor; time: TimeService },
  ) {}

  /** `force`: the max wait is over (or a full batch is waiting), so do not wait any longer. */
  generate(round: number, tree: BlockTree, lastTc: TimeoutCert | null, force: boolean): ProposalDecision {
    const { mempool, executor, time, key } = this.modules;
    const highQc: QuorumCert = tree.highQc;
    const parent = tree.get(toHex(highQc.blockId));
    if (!parent) return null;
    const tc = highQc.round + 1 === round ? null : lastTc && lastTc.round + 1 === round ? lastTc : null;
    if (tc === null && highQc.round + 1 !== round) return null; // cannot justify this round
    // A TC whose signers saw a higher QC than ours: proposing on ours would be rejected (rule 2).
    if (tc && highQc.round < maxHighQcRound(tc)) return null;

    const inFlight = new Set<string>();
    let needsDrain = parent.block.txs.length > 0;
    for (const b of tree.ancestors(parent.idHex)) {
      for (const tx of b.block.txs) inFlight.add(transactionIdHex(tx));
      if (b.block.txs.length > 0) needsDrain = true;
    }
    if (this.opts.drainForOthers !== false) {
      const grandparent = tree.get(parent.parentHex);
      if (grandparent && grandparent.block.txs.length > 0 && grandparent.height > 0) needsDrain = true;
    }
    const hasTxs = mempool.hasPendingOutside(inFlight);
    if (!hasTxs && !needsDrain) return null;
    // Pending transactions stay in the mempool until committed: those in the chain do not fill this block.
    const waiting = mempool.size - inFlight.size;
    const full = waiting >= this.opts.maxTxsPerBlock;
    // Wait for a fuller batch only when transactions are coming in more than one at a time: a lone
    // transaction (a client waiting for each answer) would only be delayed by the wait.
    if (hasTxs && !force && !full && waiting > 1 && this.opts.maxBatchWaitMs > 0) {
      return { wait: true, inChain: inFlight.size };
    }

    const { txs, ids } = mempool.batch(this.opts.maxTxsPerBlock, this.opts.maxBatchBytes, inFlight);
    const executed = executor.lastExecuted();
    const header: BlockHeader = {
      height: parent.height + 1,
      round,
      parentId: highQc.blockId,
      qc: highQc,
      tc,
      proposer: this.opts.index,
      timestamp: Math.max(time.now(), parent.block.header.timestamp),
      payloadRoot: merkleRoot(ids),
      execHeight: executed.height,
      appHash: executed.appHash,
    };
    const id = blockId(header);
    return { block: { header, txs, signature: signBlockId(key, this.opts.chainId, id) } };
  }
}
