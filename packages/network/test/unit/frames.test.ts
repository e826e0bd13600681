import { expect } from "chai";
import { encodeFrame, FrameDecoder, FrameTooLargeError } from "../../src/index.js";
import { encodeFrames } from "../../src/frames.js";

function collect(decoder: FrameDecoder, chunks: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of chunks) decoder.push(c, (f) => out.push(f));
  return out;
}

describe("frames", () => {
  const bodies = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(1000).fill(7), new Uint8Array([9])];

  it("round-trips frames written back to back in one buffer", () => {
    const bytes = encodeFrames(bodies, 0, bodies.length);
    expect(collect(new FrameDecoder(4096), [bytes])).to.deep.equal(bodies);
  });

  it("reassembles frames split at every possible byte boundary", () => {
    const bytes = encodeFrames(bodies, 0, bodies.length);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const decoder = new FrameDecoder(4096);
      expect(collect(decoder, [bytes.subarray(0, cut), bytes.subarray(cut)])).to.deep.equal(bodies);
      expect(decoder.idle).to.equal(true);
    }
    // One byte at a time.
    const decoder = new FrameDecoder(4096);
    expect(
      collect(
        decoder,
        Array.from(bytes, (b) => new Uint8Array([b])),
      ),
    ).to.deep.equal(bodies);
  });

  it("reports a partial frame as not idle", () => {
    const decoder = new FrameDecoder(100);
    collect(decoder, [encodeFrame(new Uint8Array(10)).subarray(0, 6)]);
    expect(decoder.idle).to.equal(false);
  });

  it("rejects an oversized length prefix before any body arrives", () => {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, 101);
    const decoder = new FrameDecoder(100);
    expect(() => collect(decoder, [header])).to.throw(FrameTooLargeError);
    expect(() => collect(new FrameDecoder(100), [encodeFrame(new Uint8Array(100))])).not.to.throw();
  });

  it("hands out copies, not views into the transport's chunk", () => {
    const chunk = encodeFrame(new Uint8Array([5, 6]));
    const [frame] = collect(new FrameDecoder(10), [chunk]);
    chunk[4] = 0;
    expect([...frame!]).to.deep.equal([5, 6]);
  });
});
