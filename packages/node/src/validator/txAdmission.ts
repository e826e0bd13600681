import type { AddOutcome } from "@ordo/consensus";
import { Domain, type VerificationPool } from "@ordo/crypto";
import type { Application } from "@ordo/sdk";
import { type Transaction, transactionId, transactionSigningBytes } from "@ordo/types";
import type { SubmitOutcome } from "../api/nodeService.js";

export interface TxAdmissionOptions {
  chainId: string;
  txAuth: "ed25519" | "none";
}

export interface TxAdmissionModules {
  /** Verifies client signatures off the main thread. */
  pool: VerificationPool;
  app: Application;
  /** Hands verified, app-checked transactions to the consensus mempool. */
  admit: (txs: Transaction[]) => AddOutcome[];
  /** Spreads newly admitted client transactions to the other validators. */
  publish: (txs: Transaction[]) => void;
  /** Counts a refusal, by reason (a metric). */
  onRejected?: (reason: string) => void;
}

type Verdict = { ok: true } | { ok: false; code: string; message: string };

/**
 * Mempool admission, in the order that costs least first: chain id, then the client signature
 * (external validity: unsigned or badly signed commands never enter a block) in one batch on the
 * worker pool, then the app's `checkTx`, then the consensus mempool (dedup, capacity).
 * Transactions submitted by clients are gossiped to the other validators once admitted; those
 * that arrived by gossip are not re-published (gossipsub forwards them itself).
 */
export class TxAdmission {
  readonly #o: TxAdmissionOptions;
  readonly #m: TxAdmissionModules;
  #outbox: Transaction[] = [];
  #flushScheduled = false;

  constructor(opts: TxAdmissionOptions, modules: TxAdmissionModules) {
    this.#o = opts;
    this.#m = modules;
  }

  async submit(txs: readonly Transaction[], source: "client" | "gossip"): Promise<SubmitOutcome[]> {
    const verdicts: Verdict[] = txs.map((tx) =>
      tx.chainId === this.#o.chainId
        ? { ok: true }
        : { ok: false, code: "WRONG_CHAIN", message: `transaction is for chain ${tx.chainId}, not ${this.#o.chainId}` },
    );
    await this.#checkSignatures(txs, verdicts);
    await this.#checkWithApp(txs, verdicts);

    const admitted: Transaction[] = [];
    for (const [i, v] of verdicts.entries()) if (v.ok) admitted.push(txs[i]!);
    const added = admitted.length > 0 ? this.#m.admit(admitted) : [];
    const fresh: Transaction[] = [];
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
      if (outcome === "added") fresh.push(tx);
      return { accepted: true, id };
    });
    if (source === "client" && fresh.length > 0) this.#enqueuePublish(fresh);
    return outcomes;
  }

  async #checkSignatures(txs: readonly Transaction[], verdicts: Verdict[]): Promise<void> {
    if (this.#o.txAuth === "none") return;
    const idx: number[] = [];
    for (const [i, v] of verdicts.entries()) if (v.ok) idx.push(i);
    if (idx.length === 0) return;
    const results = await this.#m.pool.verifyBatch(
      idx.map((i) => {
        const tx = txs[i]!;
        return {
          publicKey: tx.sender,
          domain: Domain.transaction,
          chainId: tx.chainId,
          message: transactionSigningBytes(tx),
          signature: tx.signature,
        };
      }),
    );
    results.forEach((good, k) => {
      if (!good)
        verdicts[idx[k]!] = { ok: false, code: "BAD_SIGNATURE", message: "the client signature does not verify" };
    });
  }

  async #checkWithApp(txs: readonly Transaction[], verdicts: Verdict[]): Promise<void> {
    await Promise.all(
      txs.map(async (tx, i) => {
        if (!verdicts[i]!.ok) return;
        try {
          const r = await this.#m.app.checkTx({
            id: transactionId(tx),
            sender: tx.sender,
            nonce: tx.nonce,
            payload: tx.payload,
          });
          if (r.code !== 0) verdicts[i] = { ok: false, code: `APP_${r.code}`, message: r.log || "refused by the app" };
        } catch (err) {
          verdicts[i] = { ok: false, code: "APP_ERROR", message: `checkTx failed: ${(err as Error).message}` };
        }
      }),
    );
  }

  /** Coalesces what many HTTP requests admit in one tick into one gossip message. */
  #enqueuePublish(txs: Transaction[]): void {
    for (const tx of txs) this.#outbox.push(tx);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      const out = this.#outbox;
      this.#outbox = [];
      this.#m.publish(out);
    });
  }
}
