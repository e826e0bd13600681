import { expect } from "chai";
import { CodecError } from "../../src/index.js";
import { SeededRandom } from "../../src/testing/index.js";
import { codecs } from "./codecs.js";

/**
 * Feeds random and mutated byte strings to every decoder: the only acceptable outcomes are a
 * decoded value or a CodecError. Anything else (TypeError, RangeError, a hang) fails the test.
 */
const PER_DECODER = Number(process.env.ORDO_FUZZ_ITERATIONS ?? 100_000);

function mutate(rng: SeededRandom, seedBytes: Uint8Array): Uint8Array {
  const out = seedBytes.slice();
  switch (rng.int(0, 5)) {
    case 0: // flip a few bytes
      for (let i = rng.int(1, 4); i > 0 && out.length > 0; i--) out[rng.int(0, out.length - 1)] = rng.nextU32() & 0xff;
      return out;
    case 1: // truncate
      return out.subarray(0, rng.int(0, out.length));
    case 2: {
      // insert random bytes
      const at = rng.int(0, out.length);
      const extra = rng.bytes(rng.int(1, 8));
      const grown = new Uint8Array(out.length + extra.length);
      grown.set(out.subarray(0, at));
      grown.set(extra, at);
      grown.set(out.subarray(at), at + extra.length);
      return grown;
    }
    case 3: // a length or count field set to something huge
      if (out.length >= 4) out.fill(0xff, rng.int(0, out.length - 4), rng.int(0, out.length - 4) + 4);
      return out;
    case 4: // pure noise
      return rng.bytes(rng.int(0, 256));
    default: // swap two bytes
      if (out.length > 1) {
        const a = rng.int(0, out.length - 1);
        const b = rng.int(0, out.length - 1);
        [out[a], out[b]] = [out[b]!, out[a]!];
      }
      return out;
  }
}

describe("canonical codec: fuzz", () => {
  for (const c of codecs) {
    it(`${c.name}: ${PER_DECODER} random/mutated inputs yield a value or a CodecError, nothing else`, function () {
      this.timeout(120_000);
      const seed = Number(process.env.ORDO_SEED ?? 0x5eed);
      const rng = new SeededRandom(seed);
      const corpus = Array.from({ length: 64 }, () => c.encode(c.arbitrary(rng) as never));
      let decoded = 0;
      for (let i = 0; i < PER_DECODER; i++) {
        const input = mutate(rng, corpus[i % corpus.length]!);
        try {
          c.decode(input);
          decoded++;
        } catch (err) {
          if (!(err instanceof CodecError)) {
            throw new Error(
              `[seed ${seed}, iteration ${i}] ${c.name} threw ${String(err)} for input ${Buffer.from(input).toString("hex")}`,
            );
          }
        }
      }
      // Some mutations (e.g. a flipped signature byte) stay valid: the corpus really was exercised.
      expect(decoded).to.be.greaterThan(0);
    });
  }
});
