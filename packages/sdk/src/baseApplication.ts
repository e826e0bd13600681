import { CodecError, type TxResult } from "@ordo/types";
import type {
  AppInfo,
  Application,
  CheckTxResponse,
  CommitResponse,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InitChainRequest,
  InitChainResponse,
  QueryRequest,
  QueryResponse,
  TxContext,
} from "./application.js";
import { Code } from "./resultCodes.js";
import { MemoryBackend, type StateBackend } from "./state/stateBackend.js";
import { StateStore } from "./state/stateStore.js";

/** A decoder's CodecError means the input was malformed (BAD_PAYLOAD); anything else is an app bug. */
const thrownCode = (err: unknown): number => (err instanceof CodecError ? Code.BAD_PAYLOAD : Code.INTERNAL);

/** What a transaction handler returns. */
export interface TxOutcome {
  code: number;
  data?: Uint8Array;
  log?: string;
}

export const ok = (data: Uint8Array = new Uint8Array(), log = ""): TxOutcome => ({ code: Code.OK, data, log });
export const fail = (code: number, log: string): TxOutcome => ({ code, log });

/** Block facts a handler may use (deterministic: the same on every replica). */
export interface BlockContext {
  height: number;
  time: number;
}

/**
 * Sensible defaults for an Application over a StateStore: genesis writes committed at height 0,
 * one handler call per transaction with its writes undone if it fails or throws (a CodecError
 * thrown by a decoder is reported as Code.BAD_PAYLOAD, any other exception as Code.INTERNAL), the app hash
 * from the store, and queries dispatched by path. Override `genesis`, `deliverTx`, `check` and
 * `queries`.
 */
export abstract class BaseApplication implements Application {
  readonly store: StateStore;

  constructor(backend: StateBackend = new MemoryBackend()) {
    this.store = new StateStore(backend);
  }

  /** Writes the genesis state (from genesis.json `app.state`). */
  protected genesis(_appState: unknown, _chainId: string): void {}

  /** Executes one transaction against `this.store`. Throwing is reported as Code.INTERNAL. */
  protected abstract deliverTx(tx: TxContext, block: BlockContext): TxOutcome;

  /** Mempool admission check: reads the committed state; a write throws (READ_ONLY). */
  protected check(_tx: TxContext): TxOutcome {
    return ok();
  }

  /** Query handlers by path over the committed state, each returning the answer bytes (or a failed outcome). */
  protected queries: Record<string, (data: Uint8Array) => TxOutcome> = {};

  async info(): Promise<AppInfo> {
    return { initialized: this.store.initialized, lastHeight: this.store.height, appHash: this.store.appHash };
  }

  async initChain(req: InitChainRequest): Promise<InitChainResponse> {
    this.genesis(req.appState, req.chainId);
    const appHash = this.store.finalize(0);
    await this.store.commit();
    return { appHash };
  }

  checkTx(tx: TxContext): CheckTxResponse {
    try {
      const r = this.store.readCommitted(() => this.check(tx));
      return { code: r.code, log: r.log ?? "" };
    } catch (err) {
      return { code: thrownCode(err), log: `checkTx threw: ${(err as Error).message}` };
    }
  }

  async finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse> {
    this.store.rollback(); // a block finalized but never committed (its persist failed) is redone from scratch
    const block = { height: req.height, time: req.time };
    const results: TxResult[] = req.txs.map((tx) => {
      const cp = this.store.checkpoint();
      let outcome: TxOutcome;
      try {
        outcome = this.deliverTx(tx, block);
      } catch (err) {
        outcome = fail(thrownCode(err), `deliverTx threw: ${(err as Error).message}`);
      }
      if (outcome.code !== Code.OK) this.store.revert(cp);
      return { code: outcome.code, data: outcome.data ?? new Uint8Array(), log: (outcome.log ?? "").slice(0, 1024) };
    });
    return { results, appHash: this.store.finalize(req.height) };
  }

  async commit(): Promise<CommitResponse> {
    await this.store.commit();
    return {};
  }

  async query(req: QueryRequest): Promise<QueryResponse> {
    const handler = this.queries[req.path];
    if (!handler)
      return {
        code: Code.UNKNOWN_QUERY,
        value: new Uint8Array(),
        log: `unknown query path ${req.path}`,
        height: this.store.height,
      };
    try {
      const r = this.store.readCommitted(() => handler(req.data));
      return { code: r.code, value: r.data ?? new Uint8Array(), log: r.log ?? "", height: this.store.height };
    } catch (err) {
      return { code: thrownCode(err), value: new Uint8Array(), log: (err as Error).message, height: this.store.height };
    }
  }
}
