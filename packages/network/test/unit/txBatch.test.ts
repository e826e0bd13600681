import { CodecError, encodeTransaction, type Transaction } from "@ordo/types";
import { arbitraryTransaction, forEachSeed } from "@ordo/types/testing";
import { expect } from "chai";
import { decodeTxBatch, encodeTxBatch } from "../../src/index.js";

describe("transaction batch codec", () => {
  it("round-trips random batches", () => {
    forEachSeed(50, (rng) => {
      const txs: Transaction[] = Array.from({ length: rng.int(1, 20) }, () => ({
        ...arbitraryTransaction(rng),
        chainId: "c",
      }));
      const back = decodeTxBatch(encodeTxBatch(txs), "c", 100);
      expect(back.map(encodeTransaction)).to.deep.equal(txs.map(encodeTransaction));
    });
  });

  it("rejects empty, oversized, truncated, trailing and foreign-chain batches", () => {
    forEachSeed(5, (rng) => {
      const txs = [0, 1, 2].map(() => ({ ...arbitraryTransaction(rng), chainId: "c" }));
      const bytes = encodeTxBatch(txs);
      expect(() => decodeTxBatch(encodeTxBatch([]), "c", 10)).to.throw(CodecError);
      expect(() => decodeTxBatch(bytes, "c", 2)).to.throw(CodecError);
      expect(() => decodeTxBatch(bytes.subarray(0, bytes.length - 1), "c", 10)).to.throw(CodecError);
      expect(() => decodeTxBatch(new Uint8Array([...bytes, 0]), "c", 10)).to.throw(CodecError);
      expect(() => decodeTxBatch(bytes, "d", 10)).to.throw(CodecError);
    });
  });
});
