import { type Block, merkleProof, resultLeaf, type TxResult, transactionId } from "@ordo/types";

/**
 * Merkle paths of results within their block. A client polls every transaction of a block, so the
 * leaves of the last few heights are kept (a bounded map) instead of rehashed per request.
 */
export class ResultProofs {
  readonly #leaves = new Map<number, Uint8Array[]>();

  constructor(private readonly capacity = 32) {}

  proof(height: number, block: Block, results: readonly TxResult[], index: number): Uint8Array[] {
    let leaves = this.#leaves.get(height);
    if (leaves === undefined) {
      leaves = block.txs.map((tx, i) => resultLeaf(transactionId(tx), i, results[i]!));
      this.#leaves.set(height, leaves);
      if (this.#leaves.size > this.capacity) this.#leaves.delete(this.#leaves.keys().next().value!);
    }
    return merkleProof(leaves, index);
  }
}
