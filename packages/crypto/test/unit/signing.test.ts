import { expect } from "chai";
import { fromBase64 } from "@ordo/types";
import { Domain, KeyPair, signTransaction, verifySignature, verifyTransaction } from "../../src/index.js";

describe("transaction signing (external validity)", () => {
  const key = KeyPair.generate();
  const tx = signTransaction(key, {
    chainId: "c1",
    sender: key.publicKey,
    nonce: 7n,
    payload: new Uint8Array([1, 2, 3]),
  });

  it("a transaction signed by its sender verifies", () => {
    expect(verifyTransaction(tx)).to.equal(true);
  });

  it("any change to a signed transaction makes it invalid", () => {
    const other = KeyPair.generate();
    expect(verifyTransaction({ ...tx, nonce: 8n })).to.equal(false);
    expect(verifyTransaction({ ...tx, chainId: "c2" })).to.equal(false);
    expect(verifyTransaction({ ...tx, payload: new Uint8Array([1, 2, 4]) })).to.equal(false);
    expect(verifyTransaction({ ...tx, sender: other.publicKey })).to.equal(false);
    expect(verifyTransaction({ ...tx, signature: new Uint8Array(64) })).to.equal(false);
  });

  it("a transaction signed by someone other than its sender is invalid", () => {
    const other = KeyPair.generate();
    expect(
      verifyTransaction(
        signTransaction(other, { chainId: "c1", sender: key.publicKey, nonce: 1n, payload: new Uint8Array() }),
      ),
    ).to.equal(false);
  });

  it("a transaction signature does not verify as a vote or receipt signature", () => {
    const { signature, ...unsigned } = tx;
    expect(unsigned.chainId).to.equal("c1");
    const raw = fromBase64("AAAA");
    expect(verifySignature(key.publicKey, Domain.vote, "c1", raw, signature)).to.equal(false);
  });
});
