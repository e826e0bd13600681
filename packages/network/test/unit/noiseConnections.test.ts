import { expect } from "chai";
import { LengthPrefixedDecoder } from "@libp2p/utils";
import { joinEncryptedChunks, reuseLengthDecoderError } from "../../src/noiseConnections.js";

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

describe("reuseLengthDecoderError (no stack trace captured per read)", () => {
  function decoded(chunks: Uint8Array[], tuned: boolean): number[][] {
    const connection = {
      decoder: new LengthPrefixedDecoder({
        // noise's own decoder, as @chainsafe/libp2p-noise 17 writes it
        lengthDecoder: (data) => {
          if (data.length < 2) throw new RangeError("Could not decode int16BE");
          return data instanceof Uint8Array ? (data[0]! << 8) + data[1]! : data.getUint16(0);
        },
        encodingLength: () => 2,
      }),
    };
    if (tuned) reuseLengthDecoderError(connection);
    const out: number[][] = [];
    for (const chunk of chunks) for (const m of connection.decoder.decode(chunk)) out.push([...m.subarray()]);
    return out;
  }

  it("splits the same messages out of any chunking, lengths cut in half included", () => {
    // Three messages (lengths 3, 0 skipped by the decoder, 300), cut at every awkward place.
    const wire = Uint8Array.from([0, 3, 1, 2, 3, 0, 0, 1, 44, ...Array.from({ length: 300 }, (_, i) => i & 0xff)]);
    for (const cut of [1, 2, 3, 5, 6, 7, 8, 9, 100]) {
      const chunks = [wire.subarray(0, cut), wire.subarray(cut)];
      expect(decoded(chunks, true), `cut at ${cut}`).to.deep.equal(decoded(chunks, false));
      expect(decoded(chunks, true).map((m) => m.length)).to.deep.equal([3, 300]);
    }
  });

  it("throws one and the same RangeError whenever a read is used up", () => {
    const connection = { decoder: { lengthDecoder: () => 0 } };
    reuseLengthDecoderError(connection);
    const caught = (bytes: Uint8Array) => {
      try {
        (connection.decoder.lengthDecoder as (d: Uint8Array) => number)(bytes);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const first = caught(new Uint8Array(1));
    expect(first).to.be.instanceOf(RangeError);
    expect(caught(new Uint8Array(0))).to.equal(first);
    expect((connection.decoder.lengthDecoder as (d: Uint8Array) => number)(Uint8Array.of(1, 2))).to.equal(258);
  });

  it("fails loudly on a connection without noise's decoder (a renamed internal)", () => {
    expect(() => reuseLengthDecoderError({ encrypt() {} })).to.throw(/no length decoder/);
  });
});
