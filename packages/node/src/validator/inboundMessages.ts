import type { ConsensusEvent } from "@ordo/consensus";
import type { ConsensusMessage, Transaction } from "@ordo/types";

export interface InboundMessagesModules {
  /** Hands a message to the consensus event loop. */
  post: (event: ConsensusEvent) => void;
  /** The transactions of a proposal whose client signatures this node has not checked yet. */
  unverified: (txs: readonly Transaction[]) => Transaction[];
  /** Checks them (on the worker pool) and remembers the good ones; never rejects. */
  preverify: (txs: readonly Transaction[]) => Promise<void>;
}

/**
 * Consensus messages on their way to the round manager, kept in arrival order. A proposal carrying
 * transactions this node has not verified (not in its mempool, not seen good) first has them checked
 * on the worker pool, so the consensus thread never verifies them itself, one by one, while the pool
 * may be checking the same ones for admission; the messages after it wait behind it.
 */
export class InboundMessages {
  readonly #queue: { from: number; message: ConsensusMessage; ready: boolean }[] = [];

  constructor(private readonly m: InboundMessagesModules) {}

  /** Messages held back behind a proposal being checked. */
  get waiting(): number {
    return this.#queue.length;
  }

  receive(from: number, message: ConsensusMessage): void {
    const entry = { from, message, ready: true };
    if (message.kind === "proposal") {
      const unverified = this.m.unverified(message.block.txs);
      if (unverified.length > 0) {
        entry.ready = false;
        void this.m.preverify(unverified).finally(() => {
          entry.ready = true;
          this.#release();
        });
      }
    }
    this.#queue.push(entry);
    this.#release();
  }

  #release(): void {
    while (this.#queue.length > 0 && this.#queue[0]!.ready) {
      const { from, message } = this.#queue.shift()!;
      this.m.post({ kind: "message", from, message });
    }
  }
}
