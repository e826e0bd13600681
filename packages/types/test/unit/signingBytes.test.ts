import { expect } from "chai";
import { decodeTransaction, encodeTransaction, transactionSigningBytes } from "../../src/index.js";
import { arbitraryTransaction, forEachSeed } from "../../src/testing/index.js";

describe("transactionSigningBytes", () => {
  it("of a decoded transaction (taken from its encoding) equals the bytes written from its fields", () => {
    forEachSeed(200, (rng) => {
      const built = arbitraryTransaction(rng);
      const fromFields = transactionSigningBytes(built);
      // Decoded from inside a larger message, as transactions arrive in blocks and batches.
      const encoded = encodeTransaction(built);
      const host = new Uint8Array(encoded.length + 10);
      host.set(encoded, 3);
      const decoded = decodeTransaction(host.subarray(3, 3 + encoded.length));
      const fromEncoding = transactionSigningBytes(decoded);
      expect(Array.from(fromEncoding)).to.deep.equal(Array.from(fromFields));
      // Without the signature, and without the fields' own copy: a spread object has no cached encoding.
      expect(fromEncoding.length).to.equal(encoded.length - 64);
      expect(Array.from(transactionSigningBytes({ ...decoded }))).to.deep.equal(Array.from(fromFields));
    });
  });
});
