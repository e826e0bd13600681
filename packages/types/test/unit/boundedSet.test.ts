import { expect } from "chai";
import { BoundedSet } from "../../src/index.js";

describe("BoundedSet", () => {
  it("forgets the oldest additions beyond its capacity; a lookup or a repeated add does not refresh", () => {
    const s = new BoundedSet(2);
    s.add("a");
    s.add("b");
    expect(s.has("a")).to.equal(true);
    s.add("a"); // held already: keeps its place
    s.add("c"); // evicts a, the oldest addition
    expect([s.has("a"), s.has("b"), s.has("c")]).to.deep.equal([false, true, true]);
    expect(s.size).to.equal(2);
    s.add("a");
    expect([s.has("a"), s.has("b"), s.has("c")]).to.deep.equal([true, false, true]);
  });

  it("holds exactly the last `capacity` distinct values over a long stream", () => {
    const s = new BoundedSet<number>(100);
    for (let i = 0; i < 10_000; i++) s.add(i);
    expect(s.size).to.equal(100);
    for (let i = 9_800; i < 10_000; i++) expect(s.has(i), `value ${i}`).to.equal(i >= 9_900);
  });

  it("capacity 0 holds nothing; a bad capacity is refused", () => {
    const s = new BoundedSet(0);
    s.add("x");
    expect(s.has("x")).to.equal(false);
    expect(() => new BoundedSet(-1)).to.throw(RangeError);
    expect(() => new BoundedSet(1.5)).to.throw(RangeError);
  });
});
