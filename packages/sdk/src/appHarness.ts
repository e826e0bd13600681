import { KeyPair, signTransaction, verifyTransaction } from "@ordo/crypto";
import {
  type Block,
  genesisQuorumCert,
  merkleRoot,
  OrdoError,
  sha256,
  type Transaction,
  transactionId,
  ZERO_HASH,
  blockId,
} from "@ordo/types";
import type { Application, CheckTxResponse, QueryResponse } from "./application.js";
import { type ExecutedBlock, ExecutionEngine } from "./execution/executionEngine.js";

/** A harness was handed something no node would execute. */
export class HarnessError extends OrdoError<"WRONG_CHAIN" | "BAD_SIGNATURE" | "NOT_EXECUTED"> {}

const SEED_DOMAIN = new TextEncoder().encode("ordo/harness-account");

/** The key of harness account `seed`: the same in every harness, so a genesis can name it first. */
export function harnessKey(seed: number): KeyPair {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError("seed must be a u32");
  const input = new Uint8Array(SEED_DOMAIN.length + 4);
  input.set(SEED_DOMAIN);
  new DataView(input.buffer).setUint32(SEED_DOMAIN.length, seed);
  return KeyPair.fromSeed(sha256(input));
}

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

export interface AppHarnessOptions {
  chainId?: string;
  /** Genesis `app.state`, as genesis.json would carry it. */
  appState?: unknown;
  genesisTime?: number;
  /** Sign block receipts as this validator (to test what a client would verify). */
  validator?: { key: KeyPair; index: number };
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

  /** Runs genesis (or, for an app whose state already exists, picks up at its last height). */
  static async create(app: Application, opts: AppHarnessOptions = {}): Promise<AppHarness> {
    const chainId = opts.chainId ?? "harness";
    const engine = new ExecutionEngine(
      {
        chainId,
        appState: opts.appState ?? null,
        genesisTime: opts.genesisTime ?? 0,
        validatorIndex: opts.validator?.index,
      },
      { app, key: opts.validator?.key },
    );
    await engine.init();
    return new AppHarness(app, chainId, engine);
  }

  /** A new account from a seed number (deterministic: one key per u32 seed), or a random one. */
  account(seed?: number): HarnessAccount {
    return new HarnessAccount(seed === undefined ? KeyPair.generate() : harnessKey(seed), this.chainId);
  }

  get height(): number {
    return this.engine.lastExecuted().height;
  }

  get appHash(): Uint8Array {
    return this.engine.lastExecuted().appHash;
  }

  /** Commits one block of `txs` and returns its execution (results per transaction, app hash). */
  async block(txs: Transaction[]): Promise<ExecutedBlock> {
    // A node admits only transactions signed by their sender for this chain: so does the harness,
    // so a test cannot pass with a transaction no validator would ever execute.
    txs.forEach((tx, i) => {
      if (tx.chainId !== this.chainId)
        throw new HarnessError("WRONG_CHAIN", `transaction ${i} is for chain "${tx.chainId}", not "${this.chainId}"`);
      if (!verifyTransaction(tx))
        throw new HarnessError("BAD_SIGNATURE", `transaction ${i} is not signed by its sender`);
    });
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
    if (!executed) throw new HarnessError("NOT_EXECUTED", `block ${height} was not executed`);
    return executed;
  }

  async checkTx(tx: Transaction): Promise<CheckTxResponse> {
    return this.app.checkTx({ id: transactionId(tx), sender: tx.sender, nonce: tx.nonce, payload: tx.payload });
  }

  async query(path: string, data: Uint8Array = new Uint8Array()): Promise<QueryResponse> {
    return this.app.query({ path, data });
  }
}
