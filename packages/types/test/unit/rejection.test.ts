import { expect } from "chai";
import * as T from "../../src/index.js";
import { arbitraryBlock, arbitraryQuorumCert, arbitraryTransaction, SeededRandom } from "../../src/testing/index.js";

function expectCodecError(fn: () => unknown, code: T.CodecErrorCode): void {
  expect(fn).to.throw(T.CodecError).with.property("code", code);
}

const rng = new SeededRandom(42);

describe("canonical codec: rejection of malformed input", () => {
  it("rejects an unknown consensus message tag", () => {
    const bytes = T.encodeConsensusMessage({
      kind: "vote",
      vote: { ...arbitraryQuorumCert(rng), voter: 1, signature: rng.bytes(64) },
    });
    for (const tag of [0, 7, 200, 255]) {
      const bad = bytes.slice();
      bad[0] = tag;
      expectCodecError(() => T.decodeConsensusMessage(bad), "BAD_TAG");
    }
  });

  it("rejects an option tag other than 0 or 1 (block tc, sync info last tc)", () => {
    const header = { ...arbitraryBlock(rng).header, tc: null };
    const bytes = T.encodeBlockHeader(header);
    // The tc option tag follows height, round, parent id and the QC.
    const tagOffset = 8 + 8 + 32 + T.encodeQuorumCert(header.qc).length;
    expect(bytes[tagOffset]).to.equal(0);
    const bad = bytes.slice();
    bad[tagOffset] = 2;
    expectCodecError(() => T.decodeBlockHeader(bad), "BAD_TAG");
  });

  it("rejects a signer bitmap with padding bits set", () => {
    const qc = { ...arbitraryQuorumCert(rng), signers: [0, 2], signatures: [rng.bytes(64), rng.bytes(64)] };
    const bytes = T.encodeQuorumCert(qc);
    // width u16 (=3) at offset 80, then one bitmap byte 0b1010_0000; set a padding bit.
    expect(bytes[81]).to.equal(3);
    expect(bytes[82]).to.equal(0b1010_0000);
    const bad = bytes.slice();
    bad[82] = 0b1010_0001;
    expectCodecError(() => T.decodeQuorumCert(bad), "NON_CANONICAL");
  });

  it("rejects a signer bitmap whose width is not minimal", () => {
    const w = new T.Writer();
    T.writeVoteData(w, { blockId: rng.bytes(32), round: 5, parentId: rng.bytes(32), parentRound: 4 });
    w.u16(9).raw(new Uint8Array([0b1000_0000, 0])); // signer 0 only, but width 9
    w.raw(rng.bytes(64));
    expectCodecError(() => T.decodeQuorumCert(w.finish()), "NON_CANONICAL");
  });

  it("rejects a signer bitmap wider than the validator limit", () => {
    const qc = { ...arbitraryQuorumCert(rng), signers: [10], signatures: [rng.bytes(64)] };
    const limits = T.validateLimits({ maxValidators: 8 });
    expectCodecError(() => T.decodeQuorumCert(T.encodeQuorumCert(qc), limits), "TOO_LARGE");
  });

  it("rejects a bool byte other than 0 or 1", () => {
    const bytes = T.encodeSyncInfo({
      highQc: arbitraryQuorumCert(rng),
      highCommitQc: arbitraryQuorumCert(rng),
      lastTc: null,
    });
    const bad = bytes.slice();
    bad[bad.length - 1] = 3;
    expectCodecError(() => T.decodeSyncInfo(bad), "BAD_TAG");
  });

  it("rejects a round above 2^53 - 1 as out of range", () => {
    const bytes = T.encodeVote({
      blockId: rng.bytes(32),
      round: 1,
      parentId: rng.bytes(32),
      parentRound: 0,
      voter: 0,
      signature: rng.bytes(64),
    });
    const bad = bytes.slice();
    bad.fill(0xff, 32, 40);
    expectCodecError(() => T.decodeVote(bad), "OUT_OF_RANGE");
  });

  it("rejects a voter index outside the validator limit", () => {
    const vote = {
      blockId: rng.bytes(32),
      round: 1,
      parentId: rng.bytes(32),
      parentRound: 0,
      voter: 600,
      signature: rng.bytes(64),
    };
    expectCodecError(() => T.decodeVote(T.encodeVote(vote), T.validateLimits({ maxValidators: 100 })), "OUT_OF_RANGE");
  });

  it("rejects a chain id that is not valid UTF-8", () => {
    const tx = { ...arbitraryTransaction(rng), chainId: "ab" };
    const bad = T.encodeTransaction(tx).slice();
    bad[2] = 0xff;
    expectCodecError(() => T.decodeTransaction(bad), "NON_CANONICAL");
  });

  it("rejects a transaction over maxTxBytes, whole or inside a block", () => {
    const limits = T.validateLimits({ maxTxBytes: 300 });
    const big = { ...arbitraryTransaction(rng), payload: rng.bytes(290) };
    expectCodecError(() => T.decodeTransaction(T.encodeTransaction(big), limits), "TOO_LARGE");
    const block = { ...arbitraryBlock(rng), txs: [big] };
    expectCodecError(() => T.decodeBlock(T.encodeBlock(block), limits), "TOO_LARGE");
  });

  it("rejects a payload length prefix larger than the limit before reading it", () => {
    const w = new T.Writer();
    w.string("c").raw(rng.bytes(32)).bigU64(1n).u32(0xffffffff);
    expectCodecError(() => T.decodeTransaction(w.finish()), "TOO_LARGE");
  });

  it("rejects a block with more transactions than maxTxsPerBlock", () => {
    const block = {
      ...arbitraryBlock(rng),
      txs: [arbitraryTransaction(rng), arbitraryTransaction(rng), arbitraryTransaction(rng)],
    };
    expectCodecError(() => T.decodeBlock(T.encodeBlock(block), T.validateLimits({ maxTxsPerBlock: 2 })), "TOO_LARGE");
  });

  it("rejects a transaction count that cannot fit in the remaining bytes without allocating", () => {
    const w = new T.Writer();
    T.writeBlockHeader(w, arbitraryBlock(rng).header);
    w.u32(9_999);
    expectCodecError(() => T.decodeBlock(w.finish()), "TRUNCATED");
  });

  it("rejects a block over maxBlockBytes, and any message over maxMessageBytes", () => {
    const block = { ...arbitraryBlock(rng), txs: Array.from({ length: 10 }, () => arbitraryTransaction(rng)) };
    const bytes = T.encodeBlock(block);
    expectCodecError(
      () => T.decodeBlock(bytes, T.validateLimits({ maxBlockBytes: bytes.length - 1, maxTxBytes: 1000 })),
      "TOO_LARGE",
    );
    const msg = T.encodeConsensusMessage({ kind: "proposal", block });
    expectCodecError(() => T.decodeConsensusMessage(msg, T.validateLimits({ maxMessageBytes: 100 })), "TOO_LARGE");
  });

  it("rejects a block request for zero or too many blocks", () => {
    for (const count of [0, 65, 0xffffffff]) {
      const w = new T.Writer();
      w.u8(T.MessageTag.blockRequest).raw(rng.bytes(32)).u32(count);
      expectCodecError(() => T.decodeConsensusMessage(w.finish()), "OUT_OF_RANGE");
    }
  });

  it("rejects empty input and non-Uint8Array input with typed errors", () => {
    expectCodecError(() => T.decodeConsensusMessage(new Uint8Array(0)), "TRUNCATED");
    expectCodecError(() => T.decodeVote("hello" as unknown as Uint8Array), "INVALID_VALUE");
  });

  it("refuses to encode values that have no canonical form", () => {
    const qc = arbitraryQuorumCert(rng);
    expectCodecError(
      () => T.encodeQuorumCert({ ...qc, signers: [2, 1], signatures: [rng.bytes(64), rng.bytes(64)] }),
      "INVALID_VALUE",
    );
    expectCodecError(
      () => T.encodeQuorumCert({ ...qc, signers: [1, 1], signatures: [rng.bytes(64), rng.bytes(64)] }),
      "INVALID_VALUE",
    );
    expectCodecError(() => T.encodeQuorumCert({ ...qc, signers: [1], signatures: [] }), "INVALID_VALUE");
    expectCodecError(
      () =>
        T.encodeVote({
          blockId: rng.bytes(32),
          round: -1,
          parentId: rng.bytes(32),
          parentRound: 0,
          voter: 0,
          signature: rng.bytes(64),
        }),
      "OUT_OF_RANGE",
    );
    expectCodecError(
      () =>
        T.encodeVote({
          blockId: rng.bytes(31),
          round: 1,
          parentId: rng.bytes(32),
          parentRound: 0,
          voter: 0,
          signature: rng.bytes(64),
        }),
      "INVALID_VALUE",
    );
    expectCodecError(() => T.encodeTransaction({ ...arbitraryTransaction(rng), nonce: 1n << 64n }), "OUT_OF_RANGE");
  });

  it("validates limits", () => {
    expect(() => T.validateLimits({ maxTxBytes: 0 })).to.throw(T.CodecError);
    expect(() => T.validateLimits({ maxTxBytes: 1.5 })).to.throw(T.CodecError);
    expect(() => T.validateLimits({ maxValidators: 70000 })).to.throw(T.CodecError);
    expect(() => T.validateLimits({ maxTxBytes: 100, maxBlockBytes: 50 })).to.throw(T.CodecError);
    expect(T.validateLimits({ maxTxBytes: 100 }).maxTxBytes).to.equal(100);
  });
});

describe("Reader.string: the last short string decoded is reused by its bytes", () => {
  const encoded = (...strings: string[]) => {
    const w = new T.Writer(64);
    for (const s of strings) w.string(s);
    return w.finish();
  };

  it("gives each string back, equal-length neighbours and the empty string included", () => {
    const strings = ["ordo-a", "ordo-b", "ordo-b", "ordo-a", "", "ünï", "ordo-a"];
    const r = new T.Reader(encoded(...strings));
    expect(strings.map(() => r.string(64))).to.deep.equal(strings);
    r.end();
  });

  it("still refuses bytes that are not UTF-8 right after a string of the same length", () => {
    const good = encoded("ab");
    const bad = good.slice();
    bad[2] = 0xc3; // a lead byte followed by "b": not UTF-8
    expect(new T.Reader(good).string(8)).to.equal("ab");
    expectCodecError(() => new T.Reader(bad).string(8), "NON_CANONICAL");
  });

  it("does not see a change to the bytes it decoded before (its memo is a copy)", () => {
    const bytes = encoded("chain-1");
    expect(new T.Reader(bytes).string(16)).to.equal("chain-1");
    bytes[bytes.length - 1] = "2".charCodeAt(0);
    expect(new T.Reader(bytes).string(16)).to.equal("chain-2");
  });
});
