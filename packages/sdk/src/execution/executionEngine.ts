import type { Executor } from "@ordo/consensus";
import { type KeyPair, signReceipt } from "@ordo/crypto";
import {
  type Block,
  type BlockReceipt,
  blockId,
  type QuorumCert,
  resultsRoot as rootOfResults,
  type TxResult,
  transactionId,
} from "@ordo/types";
import type { Application, TxContext } from "../application.js";
import { ExecutionError } from "./errors.js";
import {
  defaultExecutionOptions,
  type ExecutionEngineOptions,
  type ResolvedExecutionOptions,
  validateExecutionOptions,
} from "./executionOptions.js";

/** One executed height: what the node stores, serves and announces. */
export interface ExecutedBlock {
  height: number;
  blockId: Uint8Array;
  block: Block;
  /** The QC whose arrival committed this block (shared by the blocks of one `deliver`). */
  commitQc: QuorumCert;
  txIds: Uint8Array[];
  results: TxResult[];
  /** Merkle root over `resultLeaf(txId, result)` of each transaction. */
  resultsRoot: Uint8Array;
  appHash: Uint8Array;
  /** This validator's signed block receipt, when it has a key. */
  receipt?: BlockReceipt;
}

export interface ExecutionEngineModules {
  app: Application;
  /** The validator key that signs block receipts (with `opts.validatorIndex`). */
  key?: KeyPair;
  /**
   * Awaited after finalizeBlock and before the app's commit: where the node makes the block's
   * results and receipt durable. If it throws, the app does not commit and execution halts.
   */
  beforeCommit?: (e: ExecutedBlock) => Promise<void> | void;
  /**
   * Set when `beforeCommit` writes to the same store as the app's commit, one that makes writes
   * durable in the order they are issued and fails a write batch as a whole (the validator's
   * OrdoStore, whose LMDB environment holds both). The app's commit is then issued right after the
   * results write, not after it is durable: both land in one write batch, one flush instead of two,
   * and a crash still never leaves the app ahead of its stored results.
   */
  commitWithResults?: boolean;
  /** Where an onExecuted listener's exception goes (default: a process warning). */
  onListenerError?: (err: unknown, height: number) => void;
}

/**
 * The execution layer: takes committed blocks in order, calls `finalizeBlock` then `commit` exactly
 * once per height, records results (durably, through `beforeCommit`, before the app commits), and
 * signs one receipt per block. On restart it asks the app
 * for its last height (`info`) and skips what the app already applied, so consensus may re-deliver.
 * Consensus never awaits it: a failure halts execution and is announced to `onFailure` listeners
 * (the node must stop serving), and `idle()` rejects with it.
 */
export class ExecutionEngine implements Executor {
  readonly #o: ResolvedExecutionOptions;
  readonly #app: Application;
  readonly #key: KeyPair | undefined;
  readonly #queue: { block: Block; commitQc: QuorumCert }[] = [];
  readonly #hashes = new Map<number, Uint8Array>();
  readonly #listeners = new Set<(e: ExecutedBlock) => void>();
  readonly #failureListeners = new Set<(err: ExecutionError) => void>();
  #initialized = false;
  #height = 0;
  #appHash: Uint8Array = new Uint8Array(32);
  #running: Promise<void> | null = null;
  #failure: ExecutionError | null = null;
  readonly #onListenerError: (err: unknown, height: number) => void;
  readonly #beforeCommit: ((e: ExecutedBlock) => Promise<void> | void) | undefined;
  readonly #commitWithResults: boolean;

  constructor(opts: ExecutionEngineOptions, modules: ExecutionEngineModules) {
    validateExecutionOptions(opts, modules.key !== undefined);
    this.#o = { ...defaultExecutionOptions, ...opts };
    this.#app = modules.app;
    this.#key = modules.key;
    this.#beforeCommit = modules.beforeCommit;
    this.#commitWithResults = modules.commitWithResults ?? false;
    this.#onListenerError =
      modules.onListenerError ??
      ((err, height) =>
        process.emitWarning(`ExecutionEngine: an onExecuted listener threw at height ${height}: ${String(err)}`));
  }

  /** Reads the app's last height; runs initChain on a fresh app. Call once before consensus starts. */
  async init(): Promise<void> {
    const info = await this.#app.info();
    if (!info.initialized) {
      const r = await this.#app.initChain({
        chainId: this.#o.chainId,
        appState: this.#o.appState,
        time: this.#o.genesisTime,
      });
      this.#appHash = r.appHash ?? (await this.#app.info()).appHash;
      this.#height = 0;
    } else {
      this.#appHash = info.appHash;
      this.#height = info.lastHeight;
    }
    this.#hashes.set(this.#height, this.#appHash);
    this.#initialized = true;
  }

  /** Why execution halted, or null while it is healthy. */
  get failure(): ExecutionError | null {
    return this.#failure;
  }

  /** Called after each height is committed by the app, in height order. Listener errors are contained. */
  onExecuted(listener: (e: ExecutedBlock) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called once if execution halts (gap, app failure, misuse). */
  onFailure(listener: (err: ExecutionError) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  deliver(blocks: readonly Block[], commitQc: QuorumCert): void {
    if (!this.#initialized) {
      this.#fail(new ExecutionError("NOT_INITIALIZED", "deliver() before init(): the app's height is unknown"));
      return;
    }
    if (this.#failure) return; // halted: nothing more is executed
    for (const block of blocks) this.#queue.push({ block, commitQc });
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  /** Committed blocks delivered but not executed yet (a metric: execution falling behind consensus). */
  get backlog(): number {
    return this.#queue.length;
  }

  lastExecuted(): { height: number; appHash: Uint8Array } {
    return { height: this.#height, appHash: this.#appHash };
  }

  appHashAt(height: number): Uint8Array | undefined {
    return this.#hashes.get(height);
  }

  /** Resolves when every delivered block is executed (rejects if execution halted). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#failure) {
      // Yield first: deliver() runs inside a consensus handler, which must not wait for the app's
      // CPU; between blocks, pending network I/O (votes, proposals) goes ahead of the next block.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#failure || this.#queue.length === 0) return;
      const { block, commitQc } = this.#queue.shift()!;
      const h = block.header.height;
      if (h <= this.#height) continue; // already applied before a restart
      if (h !== this.#height + 1) {
        this.#fail(new ExecutionError("GAP", `block at height ${h} delivered after height ${this.#height}`));
        return;
      }
      let executed: ExecutedBlock;
      try {
        executed = await this.#execute(block, commitQc);
      } catch (err) {
        const e =
          err instanceof ExecutionError
            ? err
            : new ExecutionError("APP_FAILED", `the application failed at height ${h}: ${(err as Error).message}`);
        this.#fail(e);
        return;
      }
      this.#emit(executed);
    }
  }

  async #execute(block: Block, commitQc: QuorumCert): Promise<ExecutedBlock> {
    const height = block.header.height;
    const txIds = block.txs.map(transactionId);
    const txs: TxContext[] = block.txs.map((tx, i) => ({
      id: txIds[i]!,
      sender: tx.sender,
      nonce: tx.nonce,
      payload: tx.payload,
    }));
    const { results, appHash } = await this.#app.finalizeBlock({
      height,
      time: block.header.timestamp,
      proposer: block.header.proposer,
      txs,
    });
    if (results.length !== txs.length)
      throw new ExecutionError(
        "BAD_RESULTS",
        `finalizeBlock returned ${results.length} results for ${txs.length} transactions at height ${height}`,
      );
    const resultsRoot = rootOfResults(txIds, results);
    const id = blockId(block.header);
    let receipt: BlockReceipt | undefined;
    if (this.#key && this.#o.validatorIndex !== undefined) {
      const unsigned = { height, blockId: id, resultsRoot, appHash };
      receipt = {
        ...unsigned,
        validator: this.#o.validatorIndex,
        signature: signReceipt(this.#key, this.#o.chainId, unsigned),
      };
    }
    const executed: ExecutedBlock = {
      height,
      blockId: id,
      block,
      commitQc,
      txIds,
      results,
      resultsRoot,
      appHash,
      receipt,
    };
    // Results are stored no later than the app's commit: after a crash in between, the app is still at
    // height - 1 and re-executes this block to the same results; never the reverse (app ahead of
    // stored results, which could not be recomputed).
    const persisted = this.#persist(executed);
    if (this.#commitWithResults) {
      // Issued now, ordered after the results write by the shared store; a failed results write
      // fails the app's write with it. Both settle before the height counts as executed.
      const committed = (async () => this.#app.commit())();
      for (const r of await Promise.allSettled([persisted, committed])) if (r.status === "rejected") throw r.reason;
    } else {
      await persisted;
      await this.#app.commit();
    }
    this.#height = height;
    this.#appHash = appHash;
    this.#hashes.set(height, appHash);
    this.#hashes.delete(height - this.#o.hashWindow);
    return executed;
  }

  async #persist(executed: ExecutedBlock): Promise<void> {
    if (!this.#beforeCommit) return;
    try {
      await this.#beforeCommit(executed);
    } catch (err) {
      throw new ExecutionError(
        "PERSIST_FAILED",
        `storing the results of height ${executed.height} failed: ${(err as Error).message}`,
      );
    }
  }

  // A listener's bug must not halt execution: the state is already committed.
  #emit(e: ExecutedBlock): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.#onListenerError(err, e.height);
      }
    }
  }

  #fail(err: ExecutionError): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#queue.length = 0;
    for (const l of this.#failureListeners) {
      try {
        l(err);
      } catch {
        // the halt stands whatever a listener does
      }
    }
  }
}
