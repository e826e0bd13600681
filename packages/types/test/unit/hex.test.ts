import { expect } from "chai";
import { fromHex, toHex } from "../../src/index.js";

describe("fromHex / toHex", () => {
  it("round-trips bytes, reads either case, and gives a plain Uint8Array", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff);
    expect(fromHex(toHex(bytes))).to.deep.equal(bytes);
    expect(fromHex("ABcd01")).to.deep.equal(new Uint8Array([0xab, 0xcd, 0x01]));
    expect(fromHex("")).to.deep.equal(new Uint8Array(0));
    expect(Object.getPrototypeOf(fromHex("00ff"))).to.equal(Uint8Array.prototype);
  });

  it("toHex writes exactly the view's bytes: small and large arrays, views at an offset, Buffers, empty", () => {
    const expected = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    const large = Uint8Array.from({ length: 300 }, (_, i) => (i * 91 + 7) & 0xff);
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.from({ length: 32 }, (_, i) => 255 - i), // small: V8 keeps it on the heap
      large,
      large.subarray(17, 49), // a view at an offset: only its own bytes
      large.subarray(300),
      Buffer.from(large.subarray(5, 9)),
    ];
    for (const b of cases) expect(toHex(b)).to.equal(expected(b));
    // Reading does not change or detach the input.
    const small = Uint8Array.from([1, 2, 3]);
    toHex(small);
    expect(Array.from(small)).to.deep.equal([1, 2, 3]);
  });

  it("refuses odd lengths and any character that is not hex, wherever it is", () => {
    for (const bad of ["0", "abc", "zz", "0g", "g0", "00zz00", "abcx", "0 ", " 0", "00\n", "0x00", "ab-c"]) {
      expect(() => fromHex(bad), JSON.stringify(bad)).to.throw(TypeError, "invalid hex string");
    }
  });
});
