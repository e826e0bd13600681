import { type Block, blockId, type QuorumCert, type TimeoutCert, toHex } from "@ordo/types";

/**
 * What consensus persists besides SafetyData, so a restarted replica rebuilds its block tree:
 * every verified block, its highest QC, and the committed chain with the QC certifying its tip.
 * Implemented in memory for the simulator and on LMDB (`@ordo/storage`) in a validator.
 */
export interface ConsensusStorage {
  saveBlock(id: Uint8Array, block: Block): void;
  getBlock(id: Uint8Array): Block | undefined;
  saveHighQc(qc: QuorumCert): void;
  highQc(): QuorumCert | undefined;
  /** The highest TC: without it a restarted replica could not re-enter the round it timed out of. */
  saveHighTc(tc: TimeoutCert): void;
  highTc(): TimeoutCert | undefined;
  /** Records newly committed blocks (oldest first); `tipQc` certifies the last of them. */
  saveCommitted(blocks: readonly Block[], tipQc: QuorumCert): void;
  /** The last committed block and the QC certifying it, if anything beyond genesis committed. */
  committedTip(): { block: Block; qc: QuorumCert } | undefined;
  committedBlockAt(height: number): Block | undefined;
  /** Stored blocks with a round above `round` (to rebuild the uncommitted part of the tree). */
  blocksAboveRound(round: number): Block[];
}

export class MemoryConsensusStorage implements ConsensusStorage {
  readonly #blocks = new Map<string, Block>();
  readonly #committed: Block[] = [];
  #highQc: QuorumCert | undefined;
  #tipQc: QuorumCert | undefined;
  #highTc: TimeoutCert | undefined;

  saveHighTc(tc: TimeoutCert): void {
    this.#highTc = tc;
  }

  highTc(): TimeoutCert | undefined {
    return this.#highTc;
  }

  saveBlock(id: Uint8Array, block: Block): void {
    this.#blocks.set(toHex(id), block);
  }

  getBlock(id: Uint8Array): Block | undefined {
    return this.#blocks.get(toHex(id));
  }

  saveHighQc(qc: QuorumCert): void {
    this.#highQc = qc;
  }

  highQc(): QuorumCert | undefined {
    return this.#highQc;
  }

  saveCommitted(blocks: readonly Block[], tipQc: QuorumCert): void {
    for (const b of blocks) {
      this.#blocks.set(toHex(blockId(b.header)), b);
      this.#committed[b.header.height] = b;
    }
    this.#tipQc = tipQc;
  }

  committedTip(): { block: Block; qc: QuorumCert } | undefined {
    const block = this.#committed[this.#committed.length - 1];
    return block && this.#tipQc ? { block, qc: this.#tipQc } : undefined;
  }

  committedBlockAt(height: number): Block | undefined {
    return this.#committed[height];
  }

  blocksAboveRound(round: number): Block[] {
    return [...this.#blocks.values()].filter((b) => b.header.round > round);
  }
}
