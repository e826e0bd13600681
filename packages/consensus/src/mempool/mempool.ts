import { BoundedIdSet, type Transaction, transactionIdHex } from "@ordo/types";

export interface MempoolOptions {
  /** Most transactions held; beyond it new ones are refused (back-pressure to clients). */
  capacity: number;
  /** Committed ids remembered to refuse replays of recently committed transactions. */
  recentlyCommitted: number;
}

export const defaultMempoolOptions: Readonly<MempoolOptions> = Object.freeze({
  capacity: 100_000,
  recentlyCommitted: 200_000,
});

export type AddOutcome = "added" | "duplicate" | "committed" | "full";

interface Entry {
  tx: Transaction;
  id: Uint8Array;
  bytes: number;
}

/**
 * Verified transactions waiting for a block, deduplicated by id, in arrival order. A batch never
 * includes a transaction that is already in an uncommitted ancestor (the caller passes those ids)
 * or already committed.
 */
export class Mempool {
  readonly #opts: MempoolOptions;
  readonly #pending = new Map<string, Entry>();
  readonly #committed: BoundedIdSet;

  constructor(opts: Partial<MempoolOptions> = {}) {
    this.#opts = { ...defaultMempoolOptions, ...opts };
    this.#committed = new BoundedIdSet(this.#opts.recentlyCommitted);
  }

  get size(): number {
    return this.#pending.size;
  }

  has(idHex: string): boolean {
    return this.#pending.has(idHex);
  }

  /** The pending transaction with this id (hex), if any. */
  get(idHex: string): Transaction | undefined {
    return this.#pending.get(idHex)?.tx;
  }

  isCommitted(idHex: string): boolean {
    return this.#committed.has(idHex);
  }

  /** `tx` must already be verified (signature, size); `encodedBytes` is its encoded size. */
  add(tx: Transaction, id: Uint8Array, encodedBytes: number): AddOutcome {
    const idHex = transactionIdHex(tx);
    if (this.#committed.has(idHex)) return "committed";
    if (this.#pending.has(idHex)) return "duplicate";
    if (this.#pending.size >= this.#opts.capacity) return "full";
    this.#pending.set(idHex, { tx, id, bytes: encodedBytes });
    return "added";
  }

  /**
   * Up to `maxTxs` transactions and `maxBytes` encoded bytes, oldest first, skipping ids in `exclude`
   * (transactions already in the uncommitted chain the new block extends).
   */
  batch(maxTxs: number, maxBytes: number, exclude: ReadonlySet<string>): { txs: Transaction[]; ids: Uint8Array[] } {
    const txs: Transaction[] = [];
    const ids: Uint8Array[] = [];
    let bytes = 0;
    for (const [idHex, e] of this.#pending) {
      if (txs.length >= maxTxs) break;
      if (exclude.has(idHex)) continue;
      if (bytes + e.bytes > maxBytes) break;
      bytes += e.bytes;
      txs.push(e.tx);
      ids.push(e.id);
    }
    return { txs, ids };
  }

  /**
   * Every pending transaction, oldest first, in groups of at most `maxTxs` transactions and `maxBytes`
   * encoded bytes (a transaction larger than `maxBytes` makes a group of its own).
   */
  groups(maxTxs: number, maxBytes: number): Transaction[][] {
    const groups: Transaction[][] = [];
    let group: Transaction[] = [];
    let bytes = 0;
    for (const e of this.#pending.values()) {
      if (group.length > 0 && (group.length >= maxTxs || bytes + e.bytes > maxBytes)) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(e.tx);
      bytes += e.bytes;
    }
    if (group.length > 0) groups.push(group);
    return groups;
  }

  /** Whether any pending transaction is not in `exclude`. */
  hasPendingOutside(exclude: ReadonlySet<string>): boolean {
    if (exclude.size === 0) return this.#pending.size > 0;
    for (const idHex of this.#pending.keys()) if (!exclude.has(idHex)) return true;
    return false;
  }

  /** Committed transactions leave the pool and are remembered (bounded) so they are not taken again. */
  markCommitted(idHexes: Iterable<string>): void {
    for (const idHex of idHexes) {
      this.#pending.delete(idHex);
      this.#committed.add(idHex);
    }
  }
}
