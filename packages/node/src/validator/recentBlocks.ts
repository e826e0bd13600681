import type { StoredResults } from "@ordo/storage";
import { type Block, MerkleTree, resultLeaf, transactionId, transactionIdHex } from "@ordo/types";

export interface RecentBlock {
  block: Block;
  stored: StoredResults;
  /** The results tree, built on the first proof asked for. */
  tree?: MerkleTree;
}

/**
 * Decoded committed blocks and results of the last few heights. Clients poll every transaction of
 * a fresh block on every validator, so without this each poll would decode the whole block and
 * its results from the store and rehash every result leaf. Bounded: memory does not grow with the chain.
 */
export class RecentBlocks {
  readonly #byHeight = new Map<number, RecentBlock>();

  constructor(
    private readonly load: (height: number) => RecentBlock | undefined,
    private readonly capacity = 64,
  ) {}

  get(height: number): RecentBlock | undefined {
    let entry = this.#byHeight.get(height);
    if (entry === undefined) {
      entry = this.load(height);
      if (entry === undefined) return undefined;
      this.remember(height, entry);
    }
    return entry;
  }

  /** Adds a block just executed (so the first polls find it decoded). */
  remember(height: number, entry: RecentBlock): void {
    this.#byHeight.set(height, entry);
    while (this.#byHeight.size > this.capacity) this.#byHeight.delete(this.#byHeight.keys().next().value!);
  }

  /**
   * Where the transaction with id `idHex` is among the heights held (for a store that does not
   * index transactions: only recent ones can be found). Oldest first, as the index keeps a tx's
   * first location: a replay is never mistaken for the original.
   */
  find(idHex: string): { height: number; index: number } | undefined {
    const heights = [...this.#byHeight.keys()].sort((a, b) => a - b);
    for (const height of heights) {
      const index = this.#byHeight.get(height)!.block.txs.findIndex((tx) => transactionIdHex(tx) === idHex);
      if (index >= 0) return { height, index };
    }
    return undefined;
  }

  /** The Merkle path of result `index` of `height` to the receipt's results root. */
  proof(entry: RecentBlock, index: number): Uint8Array[] {
    entry.tree ??= new MerkleTree(
      entry.block.txs.map((tx, i) => resultLeaf(transactionId(tx), entry.stored.results[i]!)),
    );
    return entry.tree.proof(index);
  }
}
