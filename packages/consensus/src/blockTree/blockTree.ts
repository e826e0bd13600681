import { type Block, type QuorumCert, toHex } from "@ordo/types";

/** A verified block in the tree, with what the protocol looks up often precomputed. */
export interface BlockRecord {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly parentHex: string;
  readonly block: Block;
  readonly round: number;
  readonly height: number;
}

export function blockRecord(block: Block, id: Uint8Array): BlockRecord {
  return {
    id,
    idHex: toHex(id),
    parentHex: toHex(block.header.parentId),
    block,
    round: block.header.round,
    height: block.header.height,
  };
}

export interface CommitResult {
  /** Newly committed blocks, oldest first. */
  blocks: BlockRecord[];
  /** The QC that committed them (certifies the child of the last one). */
  commitQc: QuorumCert;
}

/**
 * Verified, not yet pruned blocks keyed by id, rooted at the last committed block. Tracks the
 * highest QC and applies the 2-chain rule: a QC for B' whose parent B has `B'.round == B.round + 1`
 * commits B and its uncommitted ancestors, oldest first. Everything not descending from the
 * committed root is pruned.
 */
export class BlockTree {
  readonly #blocks = new Map<string, BlockRecord>();
  readonly #children = new Map<string, Set<string>>();
  #root: BlockRecord;
  #highQc: QuorumCert;
  #highCommitQc: QuorumCert;

  constructor(root: BlockRecord, rootQc: QuorumCert) {
    this.#root = root;
    this.#highQc = rootQc;
    this.#highCommitQc = rootQc;
    this.#blocks.set(root.idHex, root);
  }

  get root(): BlockRecord {
    return this.#root;
  }

  get highQc(): QuorumCert {
    return this.#highQc;
  }

  get highCommitQc(): QuorumCert {
    return this.#highCommitQc;
  }

  get size(): number {
    return this.#blocks.size;
  }

  get(idHex: string): BlockRecord | undefined {
    return this.#blocks.get(idHex);
  }

  has(idHex: string): boolean {
    return this.#blocks.has(idHex);
  }

  /** Adds a block whose parent is in the tree (the caller verified it). Blocks at or below the root are ignored. */
  insert(rec: BlockRecord): boolean {
    if (this.#blocks.has(rec.idHex) || rec.round <= this.#root.round) return false;
    const parent = this.#blocks.get(rec.parentHex);
    if (!parent) throw new RangeError(`parent ${rec.parentHex} of block ${rec.idHex} is not in the tree`);
    this.#blocks.set(rec.idHex, rec);
    let kids = this.#children.get(rec.parentHex);
    if (!kids) this.#children.set(rec.parentHex, (kids = new Set()));
    kids.add(rec.idHex);
    return true;
  }

  /**
   * Records a verified QC whose block is in the tree: raises the high QC, and returns what it
   * commits under the 2-chain rule (nothing if its parent round is not one below, or if already committed).
   */
  insertQc(qc: QuorumCert): CommitResult | null {
    const certified = this.#blocks.get(toHex(qc.blockId));
    if (!certified) throw new RangeError("QC for a block not in the tree");
    if (qc.round > this.#highQc.round) this.#highQc = qc;
    if (qc.round !== qc.parentRound + 1) return null;
    const target = this.#blocks.get(certified.parentHex);
    if (!target || target.round <= this.#root.round) return null;
    const path: BlockRecord[] = [];
    for (
      let b: BlockRecord | undefined = target;
      b && b.idHex !== this.#root.idHex;
      b = this.#blocks.get(b.parentHex)
    ) {
      path.push(b);
    }
    path.reverse();
    if (path.length === 0 || path[0]!.parentHex !== this.#root.idHex) {
      throw new RangeError("committed chain does not reach the committed root");
    }
    this.#root = target;
    this.#highCommitQc = qc;
    this.#prune();
    return { blocks: path, commitQc: qc };
  }

  /** Blocks from `idHex` back to (excluding) the root, newest first; stops early at a missing block. */
  *ancestors(idHex: string): Generator<BlockRecord> {
    for (let b = this.#blocks.get(idHex); b && b.idHex !== this.#root.idHex; b = this.#blocks.get(b.parentHex)) yield b;
  }

  /** Drops every block that does not descend from the root (including the root's ancestors). */
  #prune(): void {
    const keep = new Set<string>([this.#root.idHex]);
    const stack = [this.#root.idHex];
    while (stack.length > 0) {
      for (const kid of this.#children.get(stack.pop()!) ?? []) {
        keep.add(kid);
        stack.push(kid);
      }
    }
    for (const idHex of this.#blocks.keys()) {
      if (!keep.has(idHex)) {
        this.#blocks.delete(idHex);
        this.#children.delete(idHex);
      }
    }
  }
}
