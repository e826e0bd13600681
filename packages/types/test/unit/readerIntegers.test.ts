import { expect } from "chai";
import { Reader, Writer } from "../../src/index.js";
import { forEachSeed } from "../../src/testing/index.js";

describe("Reader integers", () => {
  it("reads back every width at its edges, big-endian, from small arrays and from views at an offset", () => {
    const u16s = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff];
    const u32s = [0, 1, 0xff, 0x8000_0000, 0x7fff_ffff, 0xffff_fffe, 0xffff_ffff];
    const u64s = [0, 1, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER];
    const big = [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x8000_0000_0000_0000n, (1n << 64n) - 1n];
    const w = new Writer(8);
    for (const v of u16s) w.u16(v);
    for (const v of u32s) w.u32(v);
    for (const v of u64s) w.u64(v);
    for (const v of big) w.bigU64(v);
    const bytes = w.finish();
    // The same bytes as a plain small-ish copy and as a view in the middle of a larger array.
    const host = new Uint8Array(bytes.length + 13);
    host.set(bytes, 7);
    for (const input of [bytes.slice(), host.subarray(7, 7 + bytes.length)]) {
      const r = new Reader(input);
      for (const v of u16s) expect(r.u16()).to.equal(v);
      for (const v of u32s) expect(r.u32()).to.equal(v);
      for (const v of u64s) expect(r.u64()).to.equal(v);
      for (const v of big) expect(r.bigU64()).to.equal(v);
      r.end();
    }
    expect(Array.from(new Writer(4).u32(0x0102_0304).finish())).to.deep.equal([1, 2, 3, 4]);
  });

  it("agrees with DataView on random bytes", () => {
    forEachSeed(50, (rng) => {
      const bytes = rng.bytes(8);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
      const r = new Reader(bytes);
      expect(r.bigU64()).to.equal(view.getBigUint64(0));
      const r2 = new Reader(bytes);
      expect(r2.u16()).to.equal(view.getUint16(0));
      expect(r2.u32()).to.equal(view.getUint32(2));
    });
  });
});
