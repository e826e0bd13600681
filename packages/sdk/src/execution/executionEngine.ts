import type { Executor } from "@ordo/consensus";
import { type KeyPair, signReceipt } from "@ordo/crypto";
import {
  type Block,
  type BlockReceipt,
  blockId,
  merkleRoot,
  OrdoError,
  type QuorumCert,
  resultLeaf,
  type TxResult,
  transactionId,
} from "@ordo/types";
import type { Application, TxContext } from "../application.js";

export class ExecutionError extends OrdoError<"GAP" | "APP_FAILED"> {}

/** One executed height: what the node stores, serves and announces. */
export interface ExecutedBlock {
  height: number;
  blockId: Uint8Array;
  block: Block;
  txIds: Uint8Array[];
  results: TxResult[];
  /** Merkle root over `resultLeaf(txId, index, result)` of each transaction. */
  resultsRoot: Uint8Array;
  appHash: Uint8Array;
  /** This validator's signed block receipt, when it has a key. */
  receipt?: BlockReceipt;
}

export interface ExecutionEngineOptions {
  chainId: string;
  /** Sign block receipts as this validator. */
  validatorIndex?: number;
  /** Genesis `app.state` and time, passed to initChain on a fresh app. */
  appState?: unknown;
  genesisTime?: number;
  /** How many recent app hashes to keep for divergence checks. */
  hashWindow?: number;
}

/**
 * The execution layer: takes committed blocks in order, calls `finalizeBlock` then `commit` exactly
 * once per height, records results, and signs one receipt per block. On restart it asks the app
 * for its last height (`info`) and skips what the app already applied, so consensus may re-deliver.
 */
export class ExecutionEngine implements Executor {
  readonly #o: ExecutionEngineOptions;
  readonly #app: Application;
  readonly #key: KeyPair | undefined;
  readonly #queue: Block[] = [];
  readonly #hashes = new Map<number, Uint8Array>();
  readonly #listeners = new Set<(e: ExecutedBlock) => void>();
  #height = 0;
  #appHash: Uint8Array = new Uint8Array(32);
  #running: Promise<void> | null = null;
  #failure: Error | null = null;

  constructor(opts: ExecutionEngineOptions, modules: { app: Application; key?: KeyPair }) {
    this.#o = { hashWindow: 1024, ...opts };
    this.#app = modules.app;
    this.#key = modules.key;
  }

  /** Reads the app's last height; runs initChain on a fresh app. Call once before consensus starts. */
  async init(): Promise<void> {
    const info = await this.#app.info();
    if (info.lastHeight === 0) {
      const r = await this.#app.initChain({
        chainId: this.#o.chainId,
        appState: this.#o.appState ?? null,
        time: this.#o.genesisTime ?? 0,
      });
      this.#appHash = r.appHash ?? (await this.#app.info()).appHash;
    } else {
      this.#appHash = info.appHash;
    }
    this.#height = info.lastHeight;
    this.#hashes.set(this.#height, this.#appHash);
  }

  get failure(): Error | null {
    return this.#failure;
  }

  onExecuted(listener: (e: ExecutedBlock) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  deliver(blocks: readonly Block[], _commitQc: QuorumCert): void {
    this.#queue.push(...blocks);
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  lastExecuted(): { height: number; appHash: Uint8Array } {
    return { height: this.#height, appHash: this.#appHash };
  }

  appHashAt(height: number): Uint8Array | undefined {
    return this.#hashes.get(height);
  }

  /** Resolves when every delivered block is executed (rejects if the app failed). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#failure) {
      const block = this.#queue.shift()!;
      const h = block.header.height;
      if (h <= this.#height) continue; // already applied before a restart
      if (h !== this.#height + 1) {
        this.#failure = new ExecutionError("GAP", `block at height ${h} delivered after height ${this.#height}`);
        return;
      }
      try {
        this.#emit(await this.#execute(block));
      } catch (err) {
        this.#failure = new ExecutionError(
          "APP_FAILED",
          `the application failed at height ${h}: ${(err as Error).message}`,
        );
        return;
      }
    }
  }

  async #execute(block: Block): Promise<ExecutedBlock> {
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
      throw new Error(`finalizeBlock returned ${results.length} results for ${txs.length} txs`);
    await this.#app.commit();
    const resultsRoot = merkleRoot(results.map((r, i) => resultLeaf(txIds[i]!, i, r)));
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
    this.#height = height;
    this.#appHash = appHash;
    this.#hashes.set(height, appHash);
    this.#hashes.delete(height - this.#o.hashWindow!);
    return { height, blockId: id, block, txIds, results, resultsRoot, appHash, receipt };
  }

  #emit(e: ExecutedBlock): void {
    for (const l of this.#listeners) l(e);
  }
}
