import type { Executor } from "@ordo/consensus";
import { type Block, blockId, type QuorumCert, sha256, toHex, transactionId } from "@ordo/types";

/**
 * The simulated application: executes committed blocks in order and derives an app hash from the
 * chain of block ids. It survives a replica's crash (its state is "on disk") but may lose its
 * last few heights, as an app that crashed before its own commit would; consensus must re-deliver.
 */
export class SimExecutor implements Executor {
  readonly ids: string[] = [];
  readonly appHashes: Uint8Array[] = [sha256()];
  readonly txIds = new Set<string>();
  readonly #txsAt: string[][] = [];
  duplicateDeliveries = 0;
  outOfOrderDeliveries = 0;

  constructor(private readonly onExecuted: (height: number, idHex: string) => void) {}

  deliver(blocks: readonly Block[], _commitQc: QuorumCert): void {
    for (const b of blocks) {
      const h = b.header.height;
      const expected = this.ids.length + 1;
      if (h < expected) {
        this.duplicateDeliveries++;
        continue;
      }
      if (h > expected) {
        this.outOfOrderDeliveries++;
        continue;
      }
      const idHex = toHex(blockId(b.header));
      this.ids.push(idHex);
      this.appHashes.push(sha256(this.appHashes[this.appHashes.length - 1]!, blockId(b.header)));
      const txs = b.txs.map((tx) => toHex(transactionId(tx)));
      this.#txsAt.push(txs);
      for (const t of txs) this.txIds.add(t);
      this.onExecuted(h, idHex);
    }
  }

  lastExecuted(): { height: number; appHash: Uint8Array } {
    return { height: this.ids.length, appHash: this.appHashes[this.ids.length]! };
  }

  appHashAt(height: number): Uint8Array | undefined {
    return height <= this.ids.length ? this.appHashes[height] : undefined;
  }

  /** A crash before the app committed its last `k` heights. */
  loseLast(k: number): void {
    for (let i = 0; i < k && this.ids.length > 0; i++) {
      this.ids.pop();
      this.appHashes.pop();
      for (const t of this.#txsAt.pop()!) this.txIds.delete(t);
    }
  }
}
