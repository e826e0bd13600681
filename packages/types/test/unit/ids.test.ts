import { expect } from "chai";
import {
  blockId,
  encodeBlockHeader,
  decodeBlock,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
  fromBase64,
  payloadRoot,
  sha256,
  toBase64,
  transactionId,
} from "../../src/index.js";
import { arbitraryBlock, arbitraryTransaction, forEachSeed } from "../../src/testing/index.js";

describe("ids", () => {
  it("a transaction id is SHA-256 of its canonical encoding and changes with any field", () => {
    forEachSeed(50, (rng) => {
      const tx = arbitraryTransaction(rng);
      expect(transactionId(tx)).to.deep.equal(sha256(encodeTransaction(tx)));
      expect(transactionId({ ...tx, nonce: tx.nonce ^ 1n })).to.not.deep.equal(transactionId(tx));
      expect(transactionId({ ...tx, chainId: `${tx.chainId}x` })).to.not.deep.equal(transactionId(tx));
    });
  });

  it("a decoded transaction keeps the bytes it came from: same id and encoding as a fresh copy of its fields", () => {
    forEachSeed(50, (rng) => {
      const tx = arbitraryTransaction(rng);
      const bytes = encodeTransaction(tx);
      const decoded = decodeTransaction(bytes);
      const fresh = { ...decoded }; // a new object: no cached encoding
      expect(encodeTransaction(decoded)).to.deep.equal(encodeTransaction(fresh));
      expect(transactionId(decoded)).to.deep.equal(sha256(encodeTransaction(fresh)));
      expect(transactionId(decoded)).to.deep.equal(transactionId(tx));
    });
    forEachSeed(20, (rng) => {
      const block = arbitraryBlock(rng);
      const again = decodeBlock(encodeBlock(block));
      expect(again.txs.map((t) => transactionId(t))).to.deep.equal(block.txs.map((t) => transactionId({ ...t })));
      expect(encodeBlock(again)).to.deep.equal(encodeBlock(block));
    });
  });

  it("a string starting with a byte order mark decodes to itself, so the encoding stays canonical", () => {
    forEachSeed(5, (rng) => {
      const tx = { ...arbitraryTransaction(rng), chainId: "\uFEFFordo" };
      const decoded = decodeTransaction(encodeTransaction(tx));
      expect(decoded.chainId).to.equal("\uFEFFordo");
      expect(encodeTransaction({ ...decoded })).to.deep.equal(encodeTransaction(tx));
    });
  });

  it("SHA-256 of several parts equals SHA-256 of their concatenation, small or large", () => {
    forEachSeed(30, (rng) => {
      const parts = Array.from({ length: rng.int(0, 4) }, () => rng.bytes(rng.int(0, rng.bool() ? 40 : 3000)));
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        at += p.length;
      }
      expect(sha256(...parts)).to.deep.equal(sha256(joined));
    });
  });

  it("a block id is SHA-256 of the header, and the payload root binds the transactions in order", () => {
    forEachSeed(50, (rng) => {
      const block = arbitraryBlock(rng);
      expect(blockId(block.header)).to.deep.equal(sha256(encodeBlockHeader(block.header)));
      expect(
        blockId({ ...block.header, round: block.header.round === 0 ? 1 : block.header.round - 1 }),
      ).to.not.deep.equal(blockId(block.header));
      if (block.txs.length > 1) {
        expect(payloadRoot([...block.txs].reverse())).to.not.deep.equal(payloadRoot(block.txs));
      }
    });
  });

  it("strict base64 round-trips and rejects junk", () => {
    forEachSeed(20, (rng) => {
      const bytes = rng.bytes(rng.int(0, 50));
      expect(fromBase64(toBase64(bytes))).to.deep.equal(bytes);
    });
    for (const bad of ["a", "ab=c", "!!!!", "YQ==YQ==", "YR=="]) expect(() => fromBase64(bad), bad).to.throw(TypeError);
  });
});
