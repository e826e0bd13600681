import type { AddOutcome } from "@ordo/consensus";
import { Domain, type VerificationPool } from "@ordo/crypto";
import type { Application, CheckTxResponse } from "@ordo/sdk";
import {
  type BoundedIdSet,
  type Transaction,
  transactionId,
  transactionIdHex,
  transactionSigningBytes,
} from "@ordo/types";
import type { SubmitOutcome } from "../api/nodeService.js";

export interface TxAdmissionOptions {
  chainId: string;
  txAuth: "ed25519" | "none";
}

export interface TxAdmissionModules {
  /** Verifies client signatures off the main thread. */
  pool: VerificationPool;
  /** Ids (hex) of transactions whose signature was found good: each is checked once per node. */
  verified: Pick<BoundedIdSet, "has" | "add">;
  app: Application;
  /** Hands verified, app-checked transactions to the consensus mempool. */
  admit: (txs: Transaction[]) => AddOutcome[];
  /**
   * Spreads client transactions to the other validators. Called before they enter the mempool:
   * a leader may propose them at once, and its (compact) proposal must not reach a validator
   * ahead of the transactions it names, on the same stream.
   */
  publish: (txs: Transaction[]) => void;
  /** Whether the mempool holds this transaction (by id, hex) or committed it lately: not relayed again. */
  known?: (idHex: string) => boolean;
  /** Counts a refusal, by reason (a metric). */
  onRejected?: (reason: string) => void;
}

/** A signature check under way: its batch's results, and where the transaction is in it. */
interface Check {
  batch: Promise<boolean[]>;
  index: number;
}

type Verdict = { readonly ok: true } | { ok: false; code: string; message: string };
/** Every passing transaction shares this verdict (one object per transaction was GC work at load). */
const PASS: Verdict = Object.freeze({ ok: true });

/**
 * Mempool admission, in the order that costs least first: chain id, then the client signature
 * (external validity: unsigned or badly signed commands never enter a block) in one batch on the
 * worker pool, then the app's `checkTx`, then the consensus mempool (dedup, capacity).
 * Transactions submitted by clients are relayed to the other validators once they pass the checks,
 * just before they enter the mempool (unless it already holds them); those that arrived relayed
 * are not relayed again (gossipsub forwards its own).
 */
export class TxAdmission {
  readonly #o: TxAdmissionOptions;
  readonly #m: TxAdmissionModules;
  /** Signature checks under way, by transaction id (hex). */
  readonly #verifying = new Map<string, Check>();

  constructor(opts: TxAdmissionOptions, modules: TxAdmissionModules) {
    this.#o = opts;
    this.#m = modules;
  }

  async submit(txs: readonly Transaction[], source: "client" | "gossip"): Promise<SubmitOutcome[]> {
    const verdicts: Verdict[] = txs.map((tx) =>
      tx.chainId === this.#o.chainId
        ? PASS
        : { ok: false, code: "WRONG_CHAIN", message: `transaction is for chain ${tx.chainId}, not ${this.#o.chainId}` },
    );
    await this.#checkSignatures(txs, verdicts);
    await this.#checkWithApp(txs, verdicts);

    const admitted: Transaction[] = [];
    for (const [i, v] of verdicts.entries()) if (v.ok) admitted.push(txs[i]!);
    if (source === "client") {
      const known = this.#m.known;
      const fresh = known ? admitted.filter((tx) => !known(transactionIdHex(tx))) : admitted;
      if (fresh.length > 0) this.#m.publish(fresh);
    }
    const added = admitted.length > 0 ? this.#m.admit(admitted) : [];
    let next = 0;
    const outcomes = txs.map((tx, i): SubmitOutcome => {
      const id = transactionId(tx);
      const v = verdicts[i]!;
      if (!v.ok) {
        this.#m.onRejected?.(v.code);
        return { accepted: false, id, code: v.code, message: v.message };
      }
      const outcome = added[next++]!;
      if (outcome === "full") {
        this.#m.onRejected?.("MEMPOOL_FULL");
        return { accepted: false, id, code: "MEMPOOL_FULL", message: "the mempool is full: retry later" };
      }
      // A duplicate or already-committed transaction is accepted: resubmitting is how clients retry.
      return { accepted: true, id };
    });
    return outcomes;
  }

  async #checkSignatures(txs: readonly Transaction[], verdicts: Verdict[]): Promise<void> {
    if (this.#o.txAuth === "none") return;
    const idx: number[] = [];
    for (const [i, v] of verdicts.entries()) if (v.ok) idx.push(i);
    const results = await this.#verify(idx.map((i) => txs[i]!));
    results.forEach((good, k) => {
      if (!good)
        verdicts[idx[k]!] = { ok: false, code: "BAD_SIGNATURE", message: "the client signature does not verify" };
    });
  }

  /**
   * Checks the client signatures of a proposal's transactions that this node has not checked yet,
   * on the worker pool, and remembers the good ones, so the consensus thread (which checks every
   * transaction of a proposal it has not verified) finds them verified. Bad ones are left for
   * consensus to refuse the proposal.
   */
  async preverify(txs: readonly Transaction[]): Promise<void> {
    if (this.#o.txAuth === "none") return;
    await this.#verify(txs);
  }

  /**
   * Verifies on the pool; remembers each good signature by the transaction id. One already found
   * good is not checked again, and one whose check is already under way (the same one relayed and
   * proposed at about the same time) waits for that check instead of being verified twice. The
   * bookkeeping is per batch (one promise and one callback), not per transaction: a promise, two
   * callbacks and a map entry each were ~3 us of a validator's main thread per signed transaction.
   */
  async #verify(txs: readonly Transaction[]): Promise<boolean[]> {
    const out: boolean[] = new Array(txs.length).fill(false);
    if (txs.length === 0) return out;
    const fresh: Transaction[] = [];
    const freshAt: number[] = [];
    const ids: string[] = [];
    let waits: { at: number; check: Check }[] | undefined;
    for (let k = 0; k < txs.length; k++) {
      const idHex = transactionIdHex(txs[k]!);
      if (this.#m.verified.has(idHex)) {
        out[k] = true;
        continue;
      }
      const check = this.#verifying.get(idHex);
      if (check) (waits ??= []).push({ at: k, check });
      else {
        fresh.push(txs[k]!);
        freshAt.push(k);
        ids.push(idHex);
      }
    }
    if (fresh.length > 0) {
      const batch = this.#m.pool
        .verifyBatch(
          fresh.map((tx) => ({
            publicKey: tx.sender,
            domain: Domain.transaction,
            chainId: tx.chainId,
            message: transactionSigningBytes(tx),
            signature: tx.signature,
          })),
        )
        .then(
          (results) => {
            for (let j = 0; j < ids.length; j++) {
              if (results[j] === true) this.#m.verified.add(ids[j]!);
              this.#verifying.delete(ids[j]!);
            }
            return results;
          },
          (err: unknown) => {
            for (const idHex of ids) this.#verifying.delete(idHex);
            throw err;
          },
        );
      for (let j = 0; j < ids.length; j++) this.#verifying.set(ids[j]!, { batch, index: j });
      const results = await batch;
      for (let j = 0; j < freshAt.length; j++) out[freshAt[j]!] = results[j] === true;
    }
    if (waits) for (const w of waits) out[w.at] = (await w.check.batch)[w.check.index] === true;
    return out;
  }

  /**
   * The app's `checkTx` for every transaction still passing, all at once. An answer given at once
   * is taken at once; a promise gets a `then` (not an async closure per transaction): this runs for
   * every transaction on every validator.
   */
  async #checkWithApp(txs: readonly Transaction[], verdicts: Verdict[]): Promise<void> {
    let pending: Promise<void>[] | undefined;
    const fail = (i: number, err: unknown) => {
      verdicts[i] = { ok: false, code: "APP_ERROR", message: `checkTx failed: ${(err as Error).message}` };
    };
    const take = (i: number, r: CheckTxResponse) => {
      if (r.code !== 0) verdicts[i] = { ok: false, code: `APP_${r.code}`, message: r.log || "refused by the app" };
    };
    for (let i = 0; i < txs.length; i++) {
      if (!verdicts[i]!.ok) continue;
      const tx = txs[i]!;
      let check: CheckTxResponse | Promise<CheckTxResponse>;
      try {
        check = this.#m.app.checkTx({ id: transactionId(tx), sender: tx.sender, nonce: tx.nonce, payload: tx.payload });
      } catch (err) {
        fail(i, err); // an app whose checkTx throws instead of rejecting
        continue;
      }
      if (typeof (check as Partial<PromiseLike<CheckTxResponse>>).then === "function")
        (pending ??= []).push(
          Promise.resolve(check).then(
            (r) => take(i, r),
            (err) => fail(i, err),
          ),
        );
      else take(i, check as CheckTxResponse);
    }
    if (pending !== undefined) await Promise.all(pending);
  }
}
