import { expect } from "chai";
import { fromBase64 } from "@ordo/types";
import { CryptoError, Domain, KeyPair, verifySignature } from "../../src/index.js";

const msg = new TextEncoder().encode("hello ordo");

describe("KeyPair", () => {
  it("signs and verifies under the same domain and chain id", () => {
    const key = KeyPair.generate();
    const sig = key.sign(Domain.vote, "chain-a", msg);
    expect(sig.length).to.equal(64);
    expect(verifySignature(key.publicKey, Domain.vote, "chain-a", msg, sig)).to.equal(true);
  });

  it("a signature for one domain does not verify for any other domain", () => {
    const key = KeyPair.generate();
    const domains = Object.values(Domain);
    for (const signed of domains) {
      const sig = key.sign(signed, "chain-a", msg);
      for (const checked of domains) {
        expect(verifySignature(key.publicKey, checked, "chain-a", msg, sig), `${signed} as ${checked}`).to.equal(
          signed === checked,
        );
      }
    }
  });

  it("a signature on one chain id does not verify on another", () => {
    const key = KeyPair.generate();
    const sig = key.sign(Domain.transaction, "chain-a", msg);
    expect(verifySignature(key.publicKey, Domain.transaction, "chain-b", msg, sig)).to.equal(false);
    expect(verifySignature(key.publicKey, Domain.transaction, "chain-a ", msg, sig)).to.equal(false);
    expect(verifySignature(key.publicKey, Domain.transaction, "", msg, sig)).to.equal(false);
  });

  it("rejects a flipped bit in the message, the signature or the key, and wrong sizes", () => {
    const key = KeyPair.generate();
    const sig = key.sign(Domain.receipt, "c", msg);
    const badMsg = msg.slice();
    badMsg[0]! ^= 1;
    const badSig = sig.slice();
    badSig[10]! ^= 1;
    const other = KeyPair.generate();
    expect(verifySignature(key.publicKey, Domain.receipt, "c", badMsg, sig)).to.equal(false);
    expect(verifySignature(key.publicKey, Domain.receipt, "c", msg, badSig)).to.equal(false);
    expect(verifySignature(other.publicKey, Domain.receipt, "c", msg, sig)).to.equal(false);
    expect(verifySignature(key.publicKey, Domain.receipt, "c", msg, sig.subarray(0, 63))).to.equal(false);
    expect(verifySignature(key.publicKey.subarray(0, 31), Domain.receipt, "c", msg, sig)).to.equal(false);
  });

  it("exports to JSON and imports back to the same key", () => {
    const key = KeyPair.generate();
    const json = JSON.parse(JSON.stringify(key));
    const back = KeyPair.fromJSON(json);
    expect(back.publicKey).to.deep.equal(key.publicKey);
    const sig = back.sign(Domain.vote, "c", msg);
    expect(verifySignature(key.publicKey, Domain.vote, "c", msg, sig)).to.equal(true);
  });

  it("is deterministic from its seed, and its libp2p raw key is seed || public key", () => {
    const seed = new Uint8Array(32).fill(9);
    const a = KeyPair.fromSeed(seed);
    const b = KeyPair.fromSeed(seed);
    expect(a.publicKey).to.deep.equal(b.publicKey);
    const raw = a.libp2pRawPrivateKey();
    expect(raw.length).to.equal(64);
    expect(raw.subarray(0, 32)).to.deep.equal(seed);
    expect(raw.subarray(32)).to.deep.equal(a.publicKey);
  });

  it("rejects malformed key files with a clear error", () => {
    const good = KeyPair.generate().toJSON();
    const other = KeyPair.generate().toJSON();
    const bad: unknown[] = [
      null,
      {},
      { ...good, type: "secp256k1" },
      { ...good, privateKey: "not base64!" },
      { ...good, privateKey: "AAAA" },
      { ...good, publicKey: other.publicKey },
    ];
    for (const json of bad) expect(() => KeyPair.fromJSON(json), JSON.stringify(json)).to.throw(CryptoError);
    expect(() => KeyPair.fromSeed(fromBase64("AAAA"))).to.throw(CryptoError);
  });
});
