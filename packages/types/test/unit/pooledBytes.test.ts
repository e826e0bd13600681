import { expect } from "chai";
import { pooledBytes, Writer } from "../../src/index.js";

describe("pooledBytes and the Writer's buffers (carved from Buffer's shared pool)", () => {
  it("gives plain Uint8Arrays that never overlap, also across the pool's slabs", () => {
    const parts = Array.from({ length: 400 }, (_, i) => {
      const b = pooledBytes(100);
      b.fill(i & 0xff);
      return b;
    });
    for (const [i, b] of parts.entries()) {
      expect(Object.getPrototypeOf(b)).to.equal(Uint8Array.prototype);
      expect(b.length).to.equal(100);
      expect(
        b.every((x) => x === (i & 0xff)),
        `part ${i} was overwritten`,
      ).to.equal(true);
    }
  });

  it("a finished encoding is a copy: later writes and other writers leave it alone", () => {
    const w = new Writer(8);
    w.u32(0xdeadbeef).fixed(new Uint8Array(70).fill(7), 70);
    const first = w.finish();
    w.u32(1); // grows past its start and rewrites nothing already finished
    const other = new Writer().u64(42).finish();
    expect(Object.getPrototypeOf(first)).to.equal(Uint8Array.prototype);
    expect([...first.subarray(0, 4)]).to.deep.equal([0xde, 0xad, 0xbe, 0xef]);
    expect(first.length).to.equal(74);
    expect(first.subarray(4).every((x) => x === 7)).to.equal(true);
    expect([...other]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 42]);
    expect(w.finish().length).to.equal(78);
  });
});
