import { type Transaction, transactionIdHex } from "@ordo/types";

/**
 * Transactions received (from clients or relayed by other validators) whose admission is under
 * way, by id: with the mempool, where a compact proposal finds its transactions (a relayed batch
 * and a proposal naming it often arrive together). Each is removed once its admission ends, so
 * the map stays small; `capacity` bounds it anyway (oldest first). Holding a transaction here says
 * nothing about its validity: the proposal checks still verify every one.
 */
export class RecentTxs {
  readonly #byId = new Map<string, Transaction>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#byId.size;
  }

  add(txs: readonly Transaction[]): void {
    for (const tx of txs) this.#byId.set(transactionIdHex(tx), tx);
    // Maps iterate in insertion order: drop the oldest, in chunks so that eviction stays cheap.
    if (this.#byId.size > this.capacity) {
      let excess = this.#byId.size - this.capacity + Math.min(1024, this.capacity);
      for (const key of this.#byId.keys()) {
        if (excess-- <= 0) break;
        this.#byId.delete(key);
      }
    }
  }

  remove(txs: readonly Transaction[]): void {
    for (const tx of txs) this.#byId.delete(transactionIdHex(tx));
  }

  get(idHex: string): Transaction | undefined {
    return this.#byId.get(idHex);
  }
}
