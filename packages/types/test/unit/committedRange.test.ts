import { expect } from "chai";
import * as T from "../../src/index.js";
import { arbitraryBlock, arbitraryBlockHeader, arbitraryQuorumCert, SeededRandom } from "../../src/testing/index.js";

function expectCodecError(fn: () => unknown, code: T.CodecErrorCode): void {
  expect(fn).to.throw(T.CodecError).with.property("code", code);
}

const rng = new SeededRandom(7);

describe("committed range (block sync) codec: rejection", () => {
  it("a request for height 0 (genesis) or for 0 or too many blocks is refused", () => {
    expectCodecError(
      () => T.decodeCommittedRangeRequest(T.encodeCommittedRangeRequest({ fromHeight: 0, count: 1 })),
      "OUT_OF_RANGE",
    );
    expectCodecError(
      () => T.decodeCommittedRangeRequest(T.encodeCommittedRangeRequest({ fromHeight: 5, count: 0 })),
      "OUT_OF_RANGE",
    );
    const limits = T.validateLimits({ maxBlocksPerResponse: 8 });
    const nine = T.encodeCommittedRangeRequest({ fromHeight: 5, count: 9 });
    expectCodecError(() => T.decodeCommittedRangeRequest(nine, limits), "OUT_OF_RANGE");
    expect(
      T.decodeCommittedRangeRequest(T.encodeCommittedRangeRequest({ fromHeight: 5, count: 8 }), limits),
    ).to.deep.equal({
      fromHeight: 5,
      count: 8,
    });
  });

  it("blocks without a proof, a proof without blocks, or blocks with a QC but no proof headers are refused", () => {
    const block = arbitraryBlock(rng, 2);
    const header = arbitraryBlockHeader(rng);
    const qc = arbitraryQuorumCert(rng);
    const bad: T.CommittedRangeResponse[] = [
      { committedHeight: 9, blocks: [block], proofHeaders: [header], proofQc: null },
      { committedHeight: 9, blocks: [], proofHeaders: [], proofQc: qc },
      { committedHeight: 9, blocks: [], proofHeaders: [header], proofQc: null },
      { committedHeight: 9, blocks: [block], proofHeaders: [], proofQc: qc },
    ];
    for (const res of bad)
      expectCodecError(() => T.decodeCommittedRangeResponse(T.encodeCommittedRangeResponse(res)), "INVALID_VALUE");
  });

  it("more blocks or proof headers than the response limit are refused before they are decoded", () => {
    const limits = T.validateLimits({ maxBlocksPerResponse: 2 });
    const blocks = [arbitraryBlock(rng, 1), arbitraryBlock(rng, 1), arbitraryBlock(rng, 1)];
    const res = { committedHeight: 9, blocks, proofHeaders: [blocks[0]!.header], proofQc: arbitraryQuorumCert(rng) };
    expectCodecError(() => T.decodeCommittedRangeResponse(T.encodeCommittedRangeResponse(res), limits), "TOO_LARGE");
    const headers = {
      committedHeight: 9,
      blocks: [blocks[0]!],
      proofHeaders: blocks.map((b) => b.header),
      proofQc: arbitraryQuorumCert(rng),
    };
    expectCodecError(
      () => T.decodeCommittedRangeResponse(T.encodeCommittedRangeResponse(headers), limits),
      "TOO_LARGE",
    );
  });

  it("a huge block count with few bytes behind it is refused as truncated, not allocated", () => {
    const w = new T.Writer();
    w.u64(9).u32(64);
    expectCodecError(() => T.decodeCommittedRangeResponse(w.finish()), "TRUNCATED");
  });

  it("an oversized response is refused from its length", () => {
    const limits = T.validateLimits({ maxMessageBytes: 100 });
    expectCodecError(() => T.decodeCommittedRangeResponse(new Uint8Array(101), limits), "TOO_LARGE");
  });
});
