import { expect } from "chai";
import { KeyPair } from "@ordo/crypto";
import { decodeTransaction, toHex, transactionIdHex } from "@ordo/types";
import { type BenchApp, type PreparedTx, TxFactory } from "../../../src/bench/txFactory.js";

const accounts = [1, 2, 3].map((b) => KeyPair.fromSeed(new Uint8Array(32).fill(b)));

function factory(app: BenchApp, sign: boolean, payloadBytes = 8): TxFactory {
  return new TxFactory({ app, chainId: "bench-test", sign, payloadBytes, accounts, recipient: new Uint8Array(32) });
}

/** What a test keeps of a prepared transaction (its bytes copied: a view may share a buffer). */
const plain = (tx: PreparedTx) => ({ idHex: tx.idHex, hex: toHex(tx.bytes), account: tx.account });

describe("TxFactory", () => {
  for (const [app, sign] of [
    ["noop", false],
    ["bank", true],
  ] as const) {
    it(`${app}${sign ? ", signed" : ""}: prebuilt transactions are the ones it would build inline, in order`, () => {
      const inline = factory(app, sign);
      const expected = Array.from({ length: 40 }, () => plain(inline.next()));
      expect(inline.builtInline).to.equal(40);

      // Prebuilt in two rounds, the second one while part of the first is still in the pool, then dry.
      const pooled = factory(app, sign);
      pooled.prebuild(10);
      const got = Array.from({ length: 4 }, () => plain(pooled.next()));
      pooled.prebuild(20);
      expect(pooled.ready).to.equal(26);
      while (got.length < 30) got.push(plain(pooled.next()));
      expect(pooled.ready).to.equal(0);
      // Dry: built inline, then a new pool starts where the sequence is.
      got.push(plain(pooled.next()), plain(pooled.next()));
      pooled.prebuild(8);
      while (got.length < 40) got.push(plain(pooled.next()));
      expect(pooled.builtInline).to.equal(2);
      expect(got).to.deep.equal(expected);

      for (const [j, tx] of got.entries()) {
        const decoded = decodeTransaction(Buffer.from(tx.hex, "hex"));
        expect(transactionIdHex(decoded)).to.equal(tx.idHex);
        expect(decoded.nonce).to.equal(BigInt(Math.floor(j / accounts.length)));
        expect(tx.account).to.equal(j % accounts.length);
      }
    });
  }

  it("a pool larger than its first buffers grows and keeps every transaction", () => {
    // More transactions than the first 4,096 slots, more bytes than the first MiB.
    const n = 5_000;
    const pooled = factory("noop", false, 300);
    pooled.prebuild(n);
    const inline = factory("noop", false, 300);
    for (let j = 0; j < n; j++) {
      const a = pooled.next();
      const b = inline.next();
      if (a.idHex !== b.idHex || toHex(a.bytes) !== toHex(b.bytes)) throw new Error(`transaction ${j} differs`);
    }
    expect(pooled.builtInline).to.equal(0);
  });
});
