import { expect } from "chai";
import { CryptoError, KeyPair, ValidatorSet } from "../../src/index.js";

describe("ValidatorSet", () => {
  it("computes f = floor((n-1)/3) and quorum = floor(2n/3) + 1, and quorum > (n + f) / 2 always", () => {
    const expected: Record<number, [number, number]> = {
      1: [0, 1],
      3: [0, 3],
      4: [1, 3],
      5: [1, 4],
      7: [2, 5],
      10: [3, 7],
      16: [5, 11],
      100: [33, 67],
    };
    for (const [n, [f, quorum]] of Object.entries(expected)) {
      const set = new ValidatorSet(
        Array.from({ length: Number(n) }, () => ({ publicKey: KeyPair.generate().publicKey })),
      );
      expect([set.f, set.quorum], `n=${n}`).to.deep.equal([f, quorum]);
    }
    for (let n = 1; n <= 200; n++) {
      const f = Math.floor((n - 1) / 3);
      const q = Math.floor((2 * n) / 3) + 1;
      // Two quorums intersect in at least f + 1 validators, so in at least one honest one.
      expect(2 * q - n, `n=${n}`).to.be.at.least(f + 1);
      expect(q, `n=${n}`).to.be.at.most(n - f);
    }
  });

  it("indexes validators by public key, in genesis order", () => {
    const keys = Array.from({ length: 5 }, () => KeyPair.generate());
    const set = new ValidatorSet(keys.map((k) => ({ publicKey: k.publicKey })));
    keys.forEach((k, i) => {
      expect(set.indexOf(k.publicKey)).to.equal(i);
      expect(set.publicKey(i)).to.deep.equal(k.publicKey);
    });
    expect(set.indexOf(KeyPair.generate().publicKey)).to.equal(-1);
    expect(set.has(5)).to.equal(false);
    expect(set.has(-1)).to.equal(false);
  });

  it("round-trips through JSON and rejects bad sets", () => {
    const set = new ValidatorSet([
      { publicKey: KeyPair.generate().publicKey, name: "a" },
      { publicKey: KeyPair.generate().publicKey },
    ]);
    const back = ValidatorSet.fromJSON(JSON.parse(JSON.stringify(set)));
    expect(back.validators).to.deep.equal(set.validators);
    const k = KeyPair.generate().publicKey;
    expect(() => new ValidatorSet([])).to.throw(CryptoError);
    expect(() => new ValidatorSet([{ publicKey: k }, { publicKey: k }])).to.throw(CryptoError);
    expect(() => new ValidatorSet([{ publicKey: new Uint8Array(31) }])).to.throw(CryptoError);
    expect(() => ValidatorSet.fromJSON({})).to.throw(CryptoError);
    expect(() => ValidatorSet.fromJSON([{ publicKey: "%%%" }])).to.throw(CryptoError);
  });
});
