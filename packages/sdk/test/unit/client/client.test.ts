import { expect } from "chai";
import { KeyPair } from "@ordo/crypto";
import { toHex, type Transaction, transactionId } from "@ordo/types";
import {
  Client,
  type ClientInit,
  ClientOptionsError,
  ConflictingReceiptsError,
  NoQuorumError,
  TransportError,
  TxRejectedError,
} from "../../../src/index.js";
import { FakeCluster } from "./fakeValidators.js";

const user = KeyPair.fromSeed(new Uint8Array(32).fill(7));

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

describe("Client", () => {
  let cluster: FakeCluster;
  let client: Client;
  const makeClient = (extra: Partial<ClientInit> = {}) =>
    new Client({
      urls: cluster.urls,
      chainId: cluster.chainId,
      validators: cluster.validatorSet,
      key: user,
      pollMinMs: 2,
      pollMaxMs: 20,
      commitTimeoutMs: 5_000,
      ...extra,
    });
  const tx = (nonce: bigint, payload = new Uint8Array([1])): Promise<Transaction> => client.buildTx(payload, { nonce });

  beforeEach(async () => {
    cluster = await FakeCluster.start(4);
    client = makeClient();
  });
  afterEach(async () => {
    client.close();
    await cluster.close();
  });

  describe("options", () => {
    it("refuses no URLs, a bad URL and an empty chain id", () => {
      const base = { chainId: "c", validators: cluster.validatorSet };
      expect(() => new Client({ ...base, urls: [] })).to.throw(ClientOptionsError, /urls/);
      expect(() => new Client({ ...base, urls: ["ftp://x"] })).to.throw(ClientOptionsError, /urls/);
      expect(() => new Client({ ...base, chainId: "", urls: cluster.urls })).to.throw(ClientOptionsError, /chainId/);
      expect(() => new Client({ ...base, urls: cluster.urls, pollMinMs: 0 })).to.throw(ClientOptionsError, /pollMinMs/);
    });
  });

  describe("nonces", () => {
    it("counts per sender from startNonce, and loads a sender's first nonce once from a callback", async () => {
      let loads = 0;
      client = makeClient({
        startNonce: async () => {
          loads++;
          return 40n;
        },
      });
      const other = KeyPair.generate();
      const nonces = await Promise.all([client.nextNonce(), client.nextNonce(), client.nextNonce(other.publicKey)]);
      expect(nonces).to.deep.equal([40n, 41n, 40n]);
      expect(loads).to.equal(2);
      const t = await client.buildTx(new Uint8Array([5]));
      expect(t.nonce).to.equal(42n);
      expect(t.chainId).to.equal(cluster.chainId);
      client.setNonce(user.publicKey, 7n);
      expect((await client.buildTx(new Uint8Array([5]))).nonce).to.equal(7n);
    });

    it("a client without a key refuses to build", async () => {
      client = makeClient({ key: undefined });
      const err = await rejection(client.buildTx(new Uint8Array([1])));
      expect(err).to.be.instanceOf(ClientOptionsError).with.property("code", "NO_KEY");
    });
  });

  describe("waitForCommit", () => {
    it("resolves with f + 1 matching verified receipts", async () => {
      const t = await tx(0n);
      cluster.commit([await tx(1n), t, await tx(2n)]);
      const c = await client.waitForCommit(transactionId(t));
      expect(c.height).to.equal(1);
      expect(c.index).to.equal(1);
      expect(c.result.code).to.equal(0);
      expect(c.confirmedBy).to.have.length.of.at.least(2);
      expect(new Set(c.confirmedBy).size).to.equal(c.confirmedBy.length);
      expect(c.receipts.map((r) => r.validator)).to.deep.equal(c.confirmedBy);
    });

    it("submitAndWait submits and resolves once the block commits", async () => {
      cluster.autoCommit = true;
      const c = await client.submitAndWait(await tx(0n, new Uint8Array([42])));
      expect(c.result.data).to.deep.equal(new Uint8Array([42]));
      const again = await client.send(new Uint8Array([43]));
      expect(again.height).to.equal(2);
    });

    for (const behaviour of ["forgedSignature", "wrongProof", "differentResult"] as const) {
      it(`ignores a Byzantine validator (${behaviour}); the f + 1 honest ones still resolve`, async () => {
        // Validator 0 lies, 3 is down: a result can only be learnt from 1 and 2, and must be theirs.
        cluster.validators[0]!.behaviour = behaviour;
        await cluster.validators[3]!.close();
        const t = await tx(0n);
        cluster.commit([t, await tx(1n)]);
        const c = await client.waitForCommit(toHex(transactionId(t)));
        expect(c.confirmedBy).to.deep.equal([1, 2]);
        expect(c.result.code).to.equal(0);
      });
    }

    it("rejects with NO_QUORUM after the timeout when only f validators answer", async () => {
      await cluster.validators[2]!.close();
      await cluster.validators[3]!.close();
      cluster.validators[1]!.behaviour = "pending";
      const t = await tx(0n);
      cluster.commit([t]);
      const started = Date.now();
      const err = await rejection(client.waitForCommit(transactionId(t), { timeoutMs: 300 }));
      expect(Date.now() - started).to.be.at.least(290);
      expect(err).to.be.instanceOf(NoQuorumError).with.property("code", "NO_QUORUM");
      expect(err.message).to.match(/1 of 4 validators confirmed .* need 2/);
      expect(err.message).to.match(/unreachable/);
      expect(err.message).to.match(/pending/);
    });

    it("counts validators by receipt signer, not URL: one validator behind two URLs is one", async () => {
      // URL 3 serves validator 0's answers; 1 and 2 are pending: only validator 0 has confirmed.
      cluster.validators[3]!.behaviour = "copyNext";
      cluster.validators[1]!.behaviour = "pending";
      cluster.validators[2]!.behaviour = "pending";
      const t = await tx(0n);
      cluster.commit([t]);
      const err = await rejection(client.waitForCommit(transactionId(t), { timeoutMs: 200 }));
      expect(err).to.be.instanceOf(NoQuorumError);
      expect((err as NoQuorumError).meta.groups).to.deep.equal([
        {
          height: 1,
          index: 0,
          code: 0,
          blockId: toHex(cluster.validators[0]!.committed.get(toHex(transactionId(t)))!.receipt.blockId),
          validators: [0],
        },
      ]);
    });

    it("names the validators of each result when verified results conflict and none reaches f + 1", async () => {
      cluster.validators[0]!.behaviour = "differentResult";
      await cluster.validators[2]!.close();
      await cluster.validators[3]!.close();
      const t = await tx(0n);
      cluster.commit([t]);
      const err = await rejection(client.waitForCommit(transactionId(t), { timeoutMs: 200 }));
      expect(err).to.be.instanceOf(ConflictingReceiptsError).with.property("code", "CONFLICTING_RECEIPTS");
      expect(err.message).to.match(/code 99 .*from validator 0/);
      expect(err.message).to.match(/code 0 .*from validator 1/);
    });

    it("rejects at once when disagreement already rules out f + 1", async () => {
      client = makeClient({ urls: cluster.urls.slice(0, 2) });
      cluster.validators[0]!.behaviour = "differentResult";
      const t = await tx(0n);
      cluster.commit([t]);
      const started = Date.now();
      const err = await rejection(client.waitForCommit(transactionId(t), { timeoutMs: 10_000 }));
      expect(err).to.be.instanceOf(ConflictingReceiptsError);
      expect(Date.now() - started).to.be.below(5_000);
    });

    it("verifies each block receipt once and reuses it for every transaction of the block", async () => {
      // Only validators 1 and 2 up, so exactly their two receipts count.
      await cluster.validators[0]!.close();
      await cluster.validators[3]!.close();
      const txs = [await tx(0n), await tx(1n), await tx(2n)];
      cluster.commit(txs);
      for (const t of txs) await client.waitForCommit(transactionId(t));
      expect(client.verifier.signatureChecks).to.equal(2);
      const next = await tx(3n);
      cluster.commit([next]);
      await client.waitForCommit(transactionId(next));
      expect(client.verifier.signatureChecks).to.equal(4);
    });

    it("the cache does not let a forged receipt for a verified block through", async () => {
      await cluster.validators[3]!.close();
      const t = await tx(0n);
      cluster.commit([t]);
      const good = cluster.validators[0]!.committed.get(toHex(transactionId(t)))!.receipt;
      expect(client.verifier.verifyReceipt(good)).to.equal(true);
      const forged = { ...good, signature: good.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
      expect(client.verifier.verifyReceipt(forged)).to.equal(false);
      expect(client.verifier.verifyReceipt({ ...good, validator: 1 })).to.equal(false);
      expect(client.verifier.signatureChecks).to.equal(3);
    });

    it("close() rejects waits in flight", async () => {
      const t = await tx(0n);
      const p = client.waitForCommit(transactionId(t));
      client.close();
      expect((await rejection(p)).name).to.equal("ClientClosedError");
    });
  });

  describe("submit", () => {
    it("falls back to the next validator when the first URL is dead", async () => {
      await cluster.validators[0]!.close();
      const t = await tx(0n);
      const s = await client.submit(t);
      expect(s.url).to.equal(cluster.urls[1]);
      expect(s.idHex).to.equal(toHex(transactionId(t)));
      expect(cluster.validators[1]!.submitted).to.have.length(1);
      // The validator that answered is tried first next time: no second attempt at the dead one.
      await client.submit(await tx(1n));
      expect(cluster.validators[1]!.submitted).to.have.length(2);
    });

    it("throws UNREACHABLE naming every URL when none answers", async () => {
      await cluster.close();
      const err = await rejection(client.submit(await tx(0n)));
      expect(err).to.be.instanceOf(TransportError).with.property("code", "UNREACHABLE");
      for (const url of cluster.urls) expect(err.message).to.contain(url);
    });

    it("a refused transaction is a TxRejectedError with the node's reason, not a fallback", async () => {
      const err = await rejection(client.submit(await tx(0n, new Uint8Array([0xff]))));
      expect(err).to.be.instanceOf(TxRejectedError);
      expect((err as TxRejectedError).meta.reason).to.equal("CHECK_TX_FAILED");
      expect(cluster.validators[1]!.count("POST /v1/tx")).to.equal(0);
    });

    it("submits many transactions in batches of maxTxsPerRequest, one outcome each", async () => {
      client = makeClient({ maxTxsPerRequest: 10 });
      const txs = await Promise.all(
        Array.from({ length: 25 }, (_, i) => tx(BigInt(i), new Uint8Array([i === 13 ? 0xff : 1]))),
      );
      const out = await client.submitMany(txs);
      expect(out).to.have.length(25);
      expect(cluster.validators[0]!.count("POST /v1/txs")).to.equal(3);
      expect(cluster.validators[0]!.count("POST /v1/tx")).to.equal(0);
      expect(out.filter((o) => o.accepted)).to.have.length(24);
      expect(out[13]).to.include({ accepted: false, code: "CHECK_TX_FAILED" });
      expect(out[0]).to.deep.equal({ accepted: true, idHex: toHex(transactionId(txs[0]!)) });
    });

    it("refuses a transaction for another chain", async () => {
      const other = await client.buildTx(new Uint8Array([1]), { nonce: 0n });
      const err = await rejection(client.submit({ ...other, chainId: "other" }));
      expect(err).to.be.instanceOf(ClientOptionsError);
    });
  });

  describe("query and status", () => {
    it("query asks one validator, falling back when it is down", async () => {
      await cluster.validators[0]!.close();
      const q = await client.query("balance", new Uint8Array([1, 2, 3]));
      expect(new TextDecoder().decode(q.value)).to.equal("balance:3");
      expect(q.urls).to.deep.equal([cluster.urls[1]]);
    });

    it("queryQuorum needs f + 1 equal answers and ignores a lying validator", async () => {
      cluster.validators[0]!.behaviour = "differentResult";
      const q = await client.queryQuorum("get", new Uint8Array([1]));
      expect(new TextDecoder().decode(q.value)).to.equal("get:1");
      expect(q.urls).to.not.include(cluster.urls[0]);
      expect(q.urls.length).to.be.at.least(2);
    });

    it("queryQuorum rejects with NO_QUORUM when only one validator answers", async () => {
      await Promise.all([1, 2, 3].map((i) => cluster.validators[i]!.close()));
      const err = await rejection(client.queryQuorum("get", new Uint8Array(), { timeoutMs: 100 }));
      expect(err).to.be.instanceOf(NoQuorumError);
    });

    it("status returns the node's status", async () => {
      const s = await client.status(cluster.urls[2]);
      expect(s.validatorIndex).to.equal(2);
      expect(s.chainId).to.equal(cluster.chainId);
    });
  });
});
