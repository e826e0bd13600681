import type { AddOutcome } from "@ordo/consensus";
import { KeyPair, signTransaction, VerificationPool } from "@ordo/crypto";
import type { Application } from "@ordo/sdk";
import { BoundedSet, type Transaction, transactionIdHex } from "@ordo/types";
import { expect } from "chai";
import { TxAdmission } from "../../../src/validator/txAdmission.js";

const chainId = "ordo-test";

/** Signed transactions of one client (key seeded by `seedByte`), nonces counting up from 0. */
function clientTxs(seedByte: number, payloadByte: number): () => Transaction {
  const key = KeyPair.fromSeed(new Uint8Array(32).fill(seedByte));
  let nonce = 0n;
  return () =>
    signTransaction(key, { chainId, sender: key.publicKey, nonce: nonce++, payload: new Uint8Array([payloadByte]) });
}

describe("TxAdmission: each client signature checked once per node", () => {
  const tx = clientTxs(5, 1);

  let pool: VerificationPool;
  let checked: number;
  let verified: BoundedSet;
  let admission: TxAdmission;
  beforeEach(() => {
    pool = new VerificationPool({ threads: 1 });
    checked = 0;
    const counting = {
      verifyBatch: (items: Parameters<VerificationPool["verifyBatch"]>[0]) => {
        checked += items.length;
        return pool.verifyBatch(items);
      },
    } as VerificationPool;
    verified = new BoundedSet(100);
    const app = { checkTx: async () => ({ code: 0 }) } as unknown as Application;
    admission = new TxAdmission(
      { chainId, txAuth: "ed25519" },
      {
        pool: counting,
        verified,
        app,
        admit: (txs) => txs.map((): AddOutcome => "added"),
        publish: () => {},
      },
    );
  });
  afterEach(async () => {
    await pool.close();
  });

  it("a transaction relayed and proposed at the same time is verified once, and remembered", async () => {
    const t = tx();
    const [outcomes] = await Promise.all([admission.submit([t], "gossip"), admission.preverify([t])]);
    expect(outcomes[0]!.accepted).to.equal(true);
    expect(checked).to.equal(1);
    expect(verified.has(transactionIdHex(t))).to.equal(true);
    await admission.submit([t], "gossip"); // known good: no check at all
    expect(checked).to.equal(1);
  });

  it("a transaction waiting on another batch's check takes its own verdict from it, good or bad", async () => {
    const [good1, good2, good3] = [tx(), tx(), tx()];
    const bad = { ...tx(), signature: new Uint8Array(64).fill(2) };
    const [first, second] = await Promise.all([
      admission.submit([good1!, bad], "gossip"),
      admission.submit([good2!, bad, good1!, good3!], "gossip"),
    ]);
    expect(first.map((o) => o.accepted)).to.deep.equal([true, false]);
    expect(second.map((o) => o.accepted)).to.deep.equal([true, false, true, true]);
    expect(second[1]).to.deep.include({ code: "BAD_SIGNATURE" });
    expect(checked).to.equal(4); // good1 and bad once each, from the first batch
    expect(verified.has(transactionIdHex(bad))).to.equal(false);
    // Nothing is left under way: the bad one is checked again on its next arrival.
    await admission.preverify([bad]);
    expect(checked).to.equal(5);
  });

  it("a check that fails (the pool closing) fails its submission and leaves nothing under way", async () => {
    const t = tx();
    let failNext = true;
    const flaky = {
      verifyBatch: (items: Parameters<VerificationPool["verifyBatch"]>[0]) => {
        checked += items.length;
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("pool closed"));
        }
        return pool.verifyBatch(items);
      },
    } as VerificationPool;
    const a = new TxAdmission(
      { chainId, txAuth: "ed25519" },
      {
        pool: flaky,
        verified,
        app: { checkTx: () => ({ code: 0 }) } as unknown as Application,
        admit: (txs) => txs.map((): AddOutcome => "added"),
        publish: () => {},
      },
    );
    // A second submission of the same transaction waits on the failing check and fails with it.
    const results = await Promise.allSettled([a.submit([t], "gossip"), a.submit([t], "gossip")]);
    expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    expect(checked).to.equal(1);
    const [outcome] = await a.submit([t], "gossip");
    expect(outcome!.accepted).to.equal(true);
    expect(checked).to.equal(2);
  });

  it("a bad signature is refused and not remembered", async () => {
    const t = { ...tx(), signature: new Uint8Array(64).fill(1) };
    const [outcome] = await admission.submit([t], "client");
    expect(outcome).to.deep.include({ accepted: false, code: "BAD_SIGNATURE" });
    await admission.preverify([t]);
    expect(verified.has(transactionIdHex(t))).to.equal(false);
    expect(checked).to.equal(2);
  });
});

describe("TxAdmission: relaying client transactions", () => {
  const tx = clientTxs(6, 2);

  it("relays a client's good transactions before they enter the mempool, leaving out bad, known and relayed ones", async () => {
    const pool = new VerificationPool({ threads: 1 });
    const steps: string[] = [];
    const inMempool = new Set<string>();
    const admission = new TxAdmission(
      { chainId, txAuth: "ed25519" },
      {
        pool,
        verified: new BoundedSet(100),
        app: { checkTx: async () => ({ code: 0 }) } as unknown as Application,
        admit: (txs) =>
          txs.map((t): AddOutcome => {
            steps.push(`admit ${t.nonce}`);
            const id = transactionIdHex(t);
            if (inMempool.has(id)) return "duplicate";
            inMempool.add(id);
            return "added";
          }),
        publish: (txs) => steps.push(`relay ${txs.map((t) => t.nonce).join(",")}`),
        known: (idHex) => inMempool.has(idHex),
      },
    );
    try {
      const [a, b, c] = [tx(), tx(), tx()];
      const bad = { ...tx(), signature: new Uint8Array(64).fill(3) };
      await admission.submit([a, bad, b], "client");
      expect(steps).to.deep.equal([`relay ${a.nonce},${b.nonce}`, `admit ${a.nonce}`, `admit ${b.nonce}`]);
      steps.length = 0;
      await admission.submit([b, c], "client"); // b is in the mempool already
      expect(steps).to.deep.equal([`relay ${c.nonce}`, `admit ${b.nonce}`, `admit ${c.nonce}`]);
      steps.length = 0;
      await admission.submit([tx()], "gossip"); // arrived relayed: not relayed again
      expect(steps.filter((s) => s.startsWith("relay"))).to.deep.equal([]);
    } finally {
      await pool.close();
    }
  });
});

describe("TxAdmission: the app's checkTx", () => {
  it("admits what passes and names what the app refused, rejected or threw, each for its own transaction", async () => {
    const next = clientTxs(9, 2);
    const txs = [next(), next(), next(), next(), next(), next(), next()];
    const admitted: Transaction[] = [];
    // By nonce: 0 passes, 1 is refused with code 7, 2 rejects, 3 throws before returning a promise;
    // 4 passes and 5 is refused at once (no promise), 6 passes through a thenable that is not a Promise.
    const app = {
      checkTx: (tx: { nonce: bigint }) => {
        if (tx.nonce === 3n) throw new Error("boom");
        if (tx.nonce === 2n) return Promise.reject(new Error("gone"));
        if (tx.nonce === 4n) return { code: 0, log: "" };
        if (tx.nonce === 5n) return { code: 9, log: "at once" };
        // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise, on purpose
        if (tx.nonce === 6n) return { then: (ok: (r: unknown) => void) => ok({ code: 0, log: "" }) };
        return Promise.resolve(tx.nonce === 1n ? { code: 7, log: "no funds" } : { code: 0, log: "" });
      },
    } as unknown as Application;
    const admission = new TxAdmission(
      { chainId, txAuth: "none" },
      {
        pool: {} as VerificationPool,
        verified: new BoundedSet(10),
        app,
        admit: (batch) => {
          admitted.push(...batch);
          return batch.map((): AddOutcome => "added");
        },
        publish: () => {},
      },
    );
    const outcomes = await admission.submit(txs, "client");
    expect(outcomes.map((o) => o.accepted)).to.deep.equal([true, false, false, false, true, false, true]);
    expect(outcomes.map((o) => (o.accepted ? "" : `${o.code}: ${o.message}`))).to.deep.equal([
      "",
      "APP_7: no funds",
      "APP_ERROR: checkTx failed: gone",
      "APP_ERROR: checkTx failed: boom",
      "",
      "APP_9: at once",
      "",
    ]);
    expect(admitted).to.deep.equal([txs[0], txs[4], txs[6]]);
  });
});
