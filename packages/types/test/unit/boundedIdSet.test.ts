import { expect } from "chai";
import { BoundedIdSet, BoundedSet, toHex } from "../../src/index.js";
import { forEachSeed } from "../../src/testing/index.js";

describe("BoundedIdSet", () => {
  it("answers exactly as BoundedSet over random adds and lookups (small tables: long probe runs, wrap-around, evictions)", () => {
    forEachSeed(20, (rng) => {
      const capacity = rng.int(1, 40);
      const pool = Array.from({ length: capacity * 3 }, () => toHex(rng.bytes(32)));
      const model = new BoundedSet(capacity);
      const fast = new BoundedIdSet(capacity);
      for (let step = 0; step < 2_000; step++) {
        const v = rng.pick(pool);
        if (rng.int(0, 2) > 0) {
          model.add(v);
          fast.add(v);
        } else expect(fast.has(v), `step ${step}: has`).to.equal(model.has(v));
        expect(fast.size, `step ${step}: size`).to.equal(model.size);
      }
      for (const v of pool) expect(fast.has(v)).to.equal(model.has(v));
    });
  });

  it("holds exactly the last `capacity` distinct ids of a long stream; a lookup or a repeated add does not refresh", () => {
    forEachSeed(2, (rng) => {
      const ids = Array.from({ length: 5_000 }, () => toHex(rng.bytes(32)));
      const s = new BoundedIdSet(1_000);
      for (const id of ids) s.add(id);
      expect(s.size).to.equal(1_000);
      ids.forEach((id, i) => {
        expect(s.has(id), `id ${i}`).to.equal(i >= 4_000);
      });
      s.has(ids[4_000]!);
      s.add(ids[4_000]!); // held: keeps its place, so it is the next one out
      s.add(ids[0]!);
      expect([s.has(ids[4_000]!), s.has(ids[4_001]!), s.has(ids[0]!)]).to.deep.equal([false, true, true]);
    });
  });

  it("takes any string; capacity 0 holds nothing; a bad capacity is refused", () => {
    const s = new BoundedIdSet(3);
    for (const v of ["", "a", "same-prefix-1", "same-prefix-2"]) s.add(v);
    expect([s.has(""), s.has("a"), s.has("same-prefix-1"), s.has("same-prefix-2")]).to.deep.equal([
      false,
      true,
      true,
      true,
    ]);
    const none = new BoundedIdSet(0);
    none.add("x");
    expect(none.has("x")).to.equal(false);
    expect(() => new BoundedIdSet(-1)).to.throw(RangeError);
    expect(() => new BoundedIdSet(2.5)).to.throw(RangeError);
  });
});
