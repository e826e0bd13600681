import { expect } from "chai";
import { bytesEqual, CodecError } from "../../src/index.js";
import { forEachSeed } from "../../src/testing/index.js";
import { codecs } from "./codecs.js";

describe("canonical codec: round trip", () => {
  for (const c of codecs) {
    it(`${c.name}: decode(encode(x)) equals x and re-encodes to the same bytes`, () => {
      forEachSeed(300, (rng) => {
        const value = c.arbitrary(rng);
        const bytes = c.encode(value as never);
        const decoded = c.decode(bytes);
        expect(decoded).to.deep.equal(value);
        expect(bytesEqual(c.encode(decoded as never), bytes)).to.equal(true);
      });
    });

    it(`${c.name}: every strict prefix is rejected as truncated`, () => {
      forEachSeed(20, (rng) => {
        const bytes = c.encode(c.arbitrary(rng) as never);
        for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 97))) {
          expect(() => c.decode(bytes.subarray(0, cut)), `prefix of ${cut}/${bytes.length} bytes`)
            .to.throw(CodecError)
            .with.property("code")
            .that.is.oneOf(["TRUNCATED", "TOO_LARGE", "OUT_OF_RANGE", "NON_CANONICAL"]);
        }
      });
    });

    it(`${c.name}: a trailing byte is rejected`, () => {
      forEachSeed(
        20,
        (rng) => {
          const bytes = c.encode(c.arbitrary(rng) as never);
          const longer = new Uint8Array(bytes.length + 1);
          longer.set(bytes);
          expect(() => c.decode(longer))
            .to.throw(CodecError)
            .with.property("code", "TRAILING_BYTES");
        },
        7,
      );
    });
  }
});
