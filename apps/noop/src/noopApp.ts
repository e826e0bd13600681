import {
  type AppFactory,
  type AppFactoryOptions,
  BaseApplication,
  type CheckTxResponse,
  type FinalizeBlockRequest,
  type FinalizeBlockResponse,
  ok,
  type TxOutcome,
  type TxResult,
} from "@ordo/sdk";

// One shared, frozen result: a block of 10,000 transactions costs one array, not 10,000 objects.
const OK_RESULT: TxResult = Object.freeze({ code: 0, data: new Uint8Array(0), log: "" });
const OK_CHECK: CheckTxResponse = Object.freeze({ code: 0, log: "" });

/**
 * Ordering only: every transaction succeeds with code 0 and writes nothing. The only state is
 * BaseApplication's height and app-hash chain (`H_h = SHA-256(H_{h-1} || h || no writes)`), so a
 * restarted node still replays to the same app hash. What a benchmark runs to measure consensus,
 * admission and receipts alone: the per-transaction cost here is one array slot.
 */
export class NoopApp extends BaseApplication {
  protected override deliverTx(): TxOutcome {
    return ok();
  }

  override checkTx(): CheckTxResponse {
    return OK_CHECK;
  }

  override async finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse> {
    this.store.rollback(); // as BaseApplication: a block finalized but never committed is redone
    const results = new Array<TxResult>(req.txs.length).fill(OK_RESULT);
    return { results, appHash: this.store.finalize(req.height) };
  }
}

/** The factory the node loads (`--app noop`). */
export const createApp = ((opts: AppFactoryOptions = {}) => new NoopApp(opts.backend)) satisfies AppFactory;
