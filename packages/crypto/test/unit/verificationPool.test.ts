import { expect } from "chai";
import { forEachSeed } from "@ordo/types/testing";
import {
  CryptoError,
  Domain,
  KeyPair,
  type VerificationItem,
  VerificationPool,
  verifySignature,
} from "../../src/index.js";

describe("VerificationPool (worker threads)", () => {
  let pool: VerificationPool;
  before(() => {
    pool = new VerificationPool({ threads: 2, inlineBelow: 4 });
  });
  after(() => pool.close());

  const keys = Array.from({ length: 4 }, () => KeyPair.generate());

  it("agrees with the single-threaded verifier on random batches with tampered items, in order", async () => {
    const batches: { items: VerificationItem[]; expected: boolean[] }[] = [];
    forEachSeed(8, (rng) => {
      const items: VerificationItem[] = [];
      for (let i = rng.int(0, 200); i > 0; i--) {
        const key = rng.pick(keys);
        const message = rng.bytes(rng.int(0, 300));
        let signature = key.sign(Domain.transaction, "c", message);
        let publicKey = key.publicKey;
        let chainId = "c";
        switch (rng.int(0, 5)) {
          case 0:
            signature = signature.slice();
            signature[rng.int(0, 63)]! ^= 1;
            break;
          case 1:
            publicKey = rng.pick(keys).publicKey;
            break;
          case 2:
            chainId = "other";
            break;
          case 3:
            signature = signature.subarray(0, 10);
            break;
        }
        items.push({ publicKey, domain: Domain.transaction, chainId, message, signature });
      }
      batches.push({
        items,
        expected: items.map((it) => verifySignature(it.publicKey, it.domain, it.chainId, it.message, it.signature)),
      });
    });
    for (const { items, expected } of batches) {
      expect(await pool.verifyBatch(items)).to.deep.equal(expected);
    }
    expect(batches.some((b) => b.expected.includes(false) && b.expected.includes(true))).to.equal(true);
  });

  it("runs concurrent batches without mixing their results", async () => {
    const key = keys[0]!;
    const make = (valid: boolean) =>
      Array.from({ length: 50 }, (_, i) => {
        const message = new Uint8Array([i]);
        const signature = key.sign(Domain.vote, "c", message);
        return { publicKey: key.publicKey, domain: Domain.vote, chainId: valid ? "c" : "x", message, signature };
      });
    const [a, b, c] = await Promise.all([
      pool.verifyBatch(make(true)),
      pool.verifyBatch(make(false)),
      pool.verifyBatch(make(true)),
    ]);
    expect(a.every(Boolean)).to.equal(true);
    expect(b.some(Boolean)).to.equal(false);
    expect(c.every(Boolean)).to.equal(true);
  });

  it("refuses work after close", async () => {
    const p = new VerificationPool({ threads: 1 });
    await p.close();
    try {
      await p.verifyBatch([]);
      expect.fail("should have thrown");
    } catch (err) {
      expect(err).to.be.instanceOf(CryptoError).with.property("code", "CLOSED");
    }
  });
});
