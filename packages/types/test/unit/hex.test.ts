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

  it("refuses odd lengths and any character that is not hex, wherever it is", () => {
    for (const bad of ["0", "abc", "zz", "0g", "g0", "00zz00", "abcx", "0 ", " 0", "00\n", "0x00", "ab-c"]) {
      expect(() => fromHex(bad), JSON.stringify(bad)).to.throw(TypeError, "invalid hex string");
    }
  });
});
