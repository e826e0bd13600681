import { KeyPair, signTransaction } from "@ordo/crypto";
import {
  type Block,
  genesisQuorumCert,
  merkleRoot,
  sha256,
  type Transaction,
  transactionId,
  ZERO_HASH,
  blockId,
} from "@ordo/types";
import type { Application, CheckTxResponse, QueryResponse } from "./application.js";
import { type ExecutedBlock, ExecutionEngine } from "./execution/executionEngine.js";

/** A client key with its next nonce, for building signed transactions in tests. */
export class HarnessAccount {
  nonce = 0n;

  constructor(
    readonly key: KeyPair,
    private readonly chainId: string,
  ) {}

  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }

  /** A signed transaction with this account's next nonce. */
  tx(payload: Uint8Array, nonce: bigint = this.nonce++): Transaction {
    return signTransaction(this.key, { chainId: this.chainId, sender: this.key.publicKey, nonce, payload });
  }
}

/**
 * Runs an application in-process through genesis, blocks and queries, with the real execution
 * layer but no network or consensus: how an app author tests an app.
 */
export class AppHarness {
  #parent: Uint8Array = ZERO_HASH;
  #time = 1_700_000_000_000;

  private constructor(
    readonly app: Application,
    readonly chainId: string,
    readonly engine: ExecutionEngine,
  ) {}

  static async create(app: Application, opts: { chainId?: string; appState?: unknown } = {}): Promise<AppHarness> {
    const chainId = opts.chainId ?? "harness";
    const engine = new ExecutionEngine({ chainId, appState: opts.appState ?? null }, { app });
    await engine.init();
    return new AppHarness(app, chainId, engine);
  }

  /** A new account from a seed number (deterministic), or a random one. */
  account(seed?: number): HarnessAccount {
    const key =
      seed === undefined
        ? KeyPair.generate()
        : KeyPair.fromSeed(sha256(new Uint8Array([seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff, 1])));
    return new HarnessAccount(key, this.chainId);
  }

  get height(): number {
    return this.engine.lastExecuted().height;
  }

  get appHash(): Uint8Array {
    return this.engine.lastExecuted().appHash;
  }

  /** Commits one block of `txs` and returns its execution (results per transaction, app hash). */
  async block(txs: Transaction[]): Promise<ExecutedBlock> {
    const height = this.height + 1;
    const qc = genesisQuorumCert(this.#parent);
    const block: Block = {
      header: {
        height,
        round: height,
        parentId: this.#parent,
        qc,
        tc: null,
        proposer: 0,
        timestamp: (this.#time += 1000),
        payloadRoot: merkleRoot(txs.map(transactionId)),
        execHeight: this.height,
        appHash: this.appHash,
      },
      txs,
      signature: new Uint8Array(64),
    };
    let executed: ExecutedBlock | undefined;
    const off = this.engine.onExecuted((e) => {
      executed = e;
    });
    this.engine.deliver([block], qc);
    await this.engine.idle();
    off();
    this.#parent = blockId(block.header);
    if (!executed) throw new Error("block was not executed");
    return executed;
  }

  async checkTx(tx: Transaction): Promise<CheckTxResponse> {
    return this.app.checkTx({ id: transactionId(tx), sender: tx.sender, nonce: tx.nonce, payload: tx.payload });
  }

  async query(path: string, data: Uint8Array = new Uint8Array()): Promise<QueryResponse> {
    return this.app.query({ path, data });
  }
}
