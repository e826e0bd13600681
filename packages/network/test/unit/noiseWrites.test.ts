import { expect } from "chai";
import { joinEncryptedChunks } from "../../src/noiseWrites.js";

/** The slice of uint8arraylist's behaviour noise's `encrypt` result is used through. */
class ChunkList {
  bufs: Uint8Array[] = [];
  get byteLength(): number {
    return this.bufs.reduce((n, b) => n + b.length, 0);
  }
  append(buf: Uint8Array): void {
    this.bufs.push(buf);
  }
  consume(bytes: number): void {
    if (bytes !== this.byteLength) throw new Error("only whole consumes in this fake");
    this.bufs = [];
  }
  subarray(): Uint8Array {
    return Uint8Array.from(this.bufs.flatMap((b) => [...b]));
  }
}

/** A stand-in for noise's EncryptedMessageStream: a 2-byte length, then the "ciphertext". */
function connection() {
  return {
    calls: 0,
    encrypt(this: { calls: number }, chunk: Uint8Array): ChunkList {
      this.calls++;
      const out = new ChunkList();
      out.append(Uint8Array.of(chunk.length >> 8, chunk.length & 0xff));
      out.append(chunk.map((b) => b ^ 0x5a));
      return out;
    },
  };
}

describe("joinEncryptedChunks (one socket write per noise message)", () => {
  it("returns a small message as one chunk holding the same bytes in the same order", () => {
    const plain = connection();
    const joined = connection();
    joinEncryptedChunks(joined);
    const message = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const expected = plain.encrypt(message);
    const got = joined.encrypt(message);
    expect(got.bufs).to.have.length(1);
    expect([...got.bufs[0]!]).to.deep.equal([...expected.subarray()]);
    expect(joined.calls).to.equal(1); // the original ran, on its own object
  });

  it("leaves a message over 16 KB in its chunks (the copy would cost more than the write it saves)", () => {
    const c = connection();
    joinEncryptedChunks(c);
    const out = c.encrypt(new Uint8Array(20_000));
    expect(out.bufs.map((b) => b.length)).to.deep.equal([2, 20_000]);
  });

  it("fails loudly on a connection without noise's encrypt (a renamed internal)", () => {
    expect(() => joinEncryptedChunks({ sendData() {} })).to.throw(/no encrypt method/);
  });
});
