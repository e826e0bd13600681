import { expect } from "chai";
import {
  blockId,
  encodeBlockHeader,
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
