import type { TxResult } from "@ordo/types";
import type { StateBackend } from "./state/stateBackend.js";

/** A transaction as the application sees it: already signature-checked by Ordo. */
export interface TxContext {
  /** SHA-256 of the canonical transaction. */
  id: Uint8Array;
  /** The client's Ed25519 public key (it signed this transaction). */
  sender: Uint8Array;
  nonce: bigint;
  /** The application's own encoding: opaque to Ordo. */
  payload: Uint8Array;
}

export interface AppInfo {
  /**
   * False only for an app that has never committed its genesis (initChain). Height 0 alone cannot
   * tell: a node that restarts after genesis but before block 1 must not run initChain again.
   */
  initialized: boolean;
  /** Last height the application committed (0 before the first block). */
  lastHeight: number;
  /** App hash after that height. */
  appHash: Uint8Array;
}

export interface InitChainRequest {
  chainId: string;
  /** The `app.state` object of genesis.json, as parsed JSON. */
  appState: unknown;
  /** Genesis time, milliseconds since the epoch. */
  time: number;
}

export interface InitChainResponse {
  appHash?: Uint8Array;
}

export interface CheckTxResponse {
  code: number;
  log: string;
}

export interface FinalizeBlockRequest {
  height: number;
  /** The proposer's timestamp (ms): the same on every replica, unlike the local clock. */
  time: number;
  proposer: number;
  txs: TxContext[];
}

export interface FinalizeBlockResponse {
  /** One result per transaction, in block order. */
  results: TxResult[];
  /** Digest of the state after this block: equal on every correct replica. */
  appHash: Uint8Array;
}

export interface CommitResponse {
  /** Blocks below this height may be pruned by the node (0: keep everything). */
  retainHeight?: number;
}

export interface QueryRequest {
  path: string;
  data: Uint8Array;
}

export interface QueryResponse {
  code: number;
  value: Uint8Array;
  log: string;
  /** Height of the state the answer was read from. */
  height: number;
}

/**
 * What an app author implements (ABCI-like). Ordo calls `finalizeBlock` then `commit` exactly once
 * per height, in order, on every validator; both must be deterministic: same inputs, same outputs,
 * no clocks, no randomness, no I/O outside the state store.
 */
export interface Application {
  info(): Promise<AppInfo>;
  initChain(req: InitChainRequest): Promise<InitChainResponse>;
  /**
   * Mempool admission: reject what would surely fail. Must not change state. May answer at once
   * rather than through a promise (BaseApplication does): it runs for every transaction on every
   * validator, and a promise per call was a good part of admission's garbage.
   */
  checkTx(tx: TxContext): CheckTxResponse | Promise<CheckTxResponse>;
  finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse>;
  /** Makes the finalized block's state durable. */
  commit(): Promise<CommitResponse>;
  query(req: QueryRequest): Promise<QueryResponse>;
}

/** What the node hands an app factory: where committed state lives (the node's LMDB namespace). */
export interface AppFactoryOptions {
  backend?: StateBackend;
}

/** An app package's `createApp` export: how a node loads an app by name or path. */
export type AppFactory = (opts?: AppFactoryOptions) => Application;
