import { expect } from "chai";
import { CodecError, encodeBlock, transactionIdHex, validateLimits } from "@ordo/types";
import { arbitraryBlock, arbitraryTransaction, SeededRandom } from "@ordo/types/testing";
import {
  COMPACT_PROPOSAL_FRAME_TAG,
  decodeCompactProposalFrame,
  encodeCompactProposalFrame,
  resolveCompactProposal,
} from "../../src/index.js";

describe("compact proposals", () => {
  const limits = validateLimits({ maxTxsPerBlock: 10 });

  it("encode then decode gives the header, signature and ids back; resolving with every transaction gives the block", () => {
    const rng = new SeededRandom(11);
    for (let k = 0; k < 20; k++) {
      const block = arbitraryBlock(rng, k % 5);
      const frame = encodeCompactProposalFrame(block);
      expect(frame[0]).to.equal(COMPACT_PROPOSAL_FRAME_TAG);
      const p = decodeCompactProposalFrame(frame, limits);
      const byId = new Map(block.txs.map((t) => [transactionIdHex(t), t]));
      const rebuilt = resolveCompactProposal(p, (idHex) => byId.get(idHex));
      expect(rebuilt).to.not.equal(undefined);
      expect(encodeBlock(rebuilt!)).to.deep.equal(encodeBlock(block));
      if (block.txs.length > 0) {
        byId.delete(transactionIdHex(block.txs[block.txs.length - 1]!));
        expect(resolveCompactProposal(p, (idHex) => byId.get(idHex))).to.equal(undefined);
      }
    }
  });

  it("refuses a trailing byte, a cut frame, another tag and more ids than a block may hold", () => {
    const rng = new SeededRandom(12);
    const frame = encodeCompactProposalFrame({ ...arbitraryBlock(rng, 0), txs: [arbitraryTransaction(rng)] });
    const wrongTag = Uint8Array.from(frame);
    wrongTag[0] = 0x80;
    const bad = [Uint8Array.from([...frame, 0]), frame.subarray(0, frame.length - 1), frame.subarray(0, 40), wrongTag];
    for (const b of bad) expect(() => decodeCompactProposalFrame(b, limits)).to.throw(CodecError);
    const txs = Array.from({ length: 11 }, () => arbitraryTransaction(rng));
    const many = encodeCompactProposalFrame({ ...arbitraryBlock(rng, 0), txs });
    expect(() => decodeCompactProposalFrame(many, limits))
      .to.throw(CodecError)
      .with.property("code", "TOO_LARGE");
  });
});
