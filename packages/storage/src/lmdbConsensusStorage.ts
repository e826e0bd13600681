import type { ConsensusStorage } from "@ordo/consensus";
import {
  type Block,
  blockId,
  decodeQuorumCert,
  decodeTimeoutCert,
  encodeQuorumCert,
  encodeTimeoutCert,
  type QuorumCert,
  type TimeoutCert,
  toHex,
} from "@ordo/types";
import { StorageError, storageErrorFrom } from "./errors.js";
import type { OrdoStore } from "./ordoStore.js";

const HIGH_QC = "consensus/highQc";
const HIGH_TC = "consensus/highTc";

/**
 * ConsensusStorage on an OrdoStore. The interface is synchronous; LMDB commits are not: every
 * save queues an ordered write at once (LMDB batches them into few fsyncs) and returns, and a
 * value stays in a small pending map until its write lands, because LMDB shows an async `put`
 * to readers only after its transaction commits. So a read right after a write sees it, and
 * memory holds only writes in flight plus the high QC, high TC and committed tip.
 *
 * Durability: nothing is durable when a save returns; everything saved so far is once
 * `flushed()` resolves (and, writes being ordered, once any later OrdoStore write resolves).
 * Safety never depends on these writes (SafetyStorage does that): losing the last ones in a
 * crash costs a replica only blocks it fetches again. Committed blocks must be durable before
 * a receipt is served: await `flushed()`, or a later write such as `putResults`.
 *
 * Committed blocks go into the store's height index, with the tip QC in the same transaction,
 * and the round index of uncommitted blocks drops everything at or below the new tip (the
 * forks among them are deleted), so `blocksAboveRound(root round)` at a restart reads only the
 * tree above the root.
 *
 * A failed write (disk full...) fails every later save and `flushed()` with its StorageError.
 */
export class LmdbConsensusStorage implements ConsensusStorage {
  readonly #store: OrdoStore;
  /** Blocks whose write is in flight, by hex id. */
  readonly #pendingBlocks = new Map<string, Block>();
  /** Committed blocks whose write is in flight, by height. */
  readonly #pendingCommitted = new Map<number, Block>();
  readonly #inFlight = new Set<Promise<void>>();
  #highQc: QuorumCert | undefined;
  #highTc: TimeoutCert | undefined;
  #tip: { block: Block; qc: QuorumCert } | undefined;
  #failure: StorageError | undefined;

  constructor(store: OrdoStore) {
    this.#store = store;
    const qc = store.getRecord(HIGH_QC);
    const tc = store.getRecord(HIGH_TC);
    this.#highQc = qc && this.#decode(() => decodeQuorumCert(qc), "high QC");
    this.#highTc = tc && this.#decode(() => decodeTimeoutCert(tc), "high TC");
    this.#tip = store.committedTip();
  }

  /** The first write that failed, if any: every later save throws it. */
  get failure(): StorageError | undefined {
    return this.#failure;
  }

  saveBlock(id: Uint8Array, block: Block): void {
    this.#throwIfFailed();
    const key = toHex(id);
    this.#pendingBlocks.set(key, block);
    this.#track(this.#store.putUncommittedBlock(block, id), () => {
      if (this.#pendingBlocks.get(key) === block) this.#pendingBlocks.delete(key);
    });
  }

  getBlock(id: Uint8Array): Block | undefined {
    return this.#pendingBlocks.get(toHex(id)) ?? this.#store.getBlock(id);
  }

  saveHighQc(qc: QuorumCert): void {
    this.#throwIfFailed();
    this.#highQc = qc;
    this.#track(this.#store.putRecord(HIGH_QC, encodeQuorumCert(qc)));
  }

  highQc(): QuorumCert | undefined {
    return this.#highQc;
  }

  saveHighTc(tc: TimeoutCert): void {
    this.#throwIfFailed();
    this.#highTc = tc;
    this.#track(this.#store.putRecord(HIGH_TC, encodeTimeoutCert(tc)));
  }

  highTc(): TimeoutCert | undefined {
    return this.#highTc;
  }

  saveCommitted(blocks: readonly Block[], tipQc: QuorumCert): void {
    this.#throwIfFailed();
    const last = blocks[blocks.length - 1];
    if (!last) return;
    const batch = [...blocks];
    for (const b of batch) this.#pendingCommitted.set(b.header.height, b);
    this.#tip = { block: last, qc: tipQc };
    this.#track(this.#store.commitBlocks(batch, tipQc), () => {
      for (const b of batch) {
        if (this.#pendingCommitted.get(b.header.height) === b) this.#pendingCommitted.delete(b.header.height);
      }
    });
  }

  committedTip(): { block: Block; qc: QuorumCert } | undefined {
    return this.#tip;
  }

  committedBlockAt(height: number): Block | undefined {
    return this.#pendingCommitted.get(height) ?? this.#store.committedBlock(height);
  }

  /**
   * Blocks with a round above `round`: the uncommitted ones from the round index, and committed
   * ones walking down from the tip while their round is above `round` (none when `round` is the
   * committed root's, as at a restart). Never reads the rest of the chain.
   */
  blocksAboveRound(round: number): Block[] {
    const found = new Map<string, Block>();
    for (const b of this.#store.uncommittedAboveRound(round)) found.set(toHex(blockId(b.header)), b);
    for (const [key, b] of this.#pendingBlocks) if (b.header.round > round) found.set(key, b);
    if (this.#tip) {
      for (let h = this.#tip.block.header.height; h > 0; h--) {
        const b = this.committedBlockAt(h);
        if (!b || b.header.round <= round) break;
        found.set(toHex(blockId(b.header)), b);
      }
    }
    return [...found.values()];
  }

  /** Resolves once every write saved so far is on disk; rejects with the first write failure. */
  async flushed(): Promise<void> {
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
  }

  #track(write: Promise<void>, landed?: () => void): void {
    const tracked = write.then(
      () => landed?.(),
      (err: unknown) => {
        this.#failure ??= storageErrorFrom(err, this.#store.path, "writing consensus data");
      },
    );
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  #decode<T>(fn: () => T, what: string): T {
    try {
      return fn();
    } catch (err) {
      throw new StorageError(
        "CORRUPT",
        `the stored ${what} in ${this.#store.path} does not decode: ${(err as Error).message}`,
        {
          path: this.#store.path,
        },
      );
    }
  }
}
