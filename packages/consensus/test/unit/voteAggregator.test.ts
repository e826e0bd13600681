import { expect } from "chai";
import { signVote } from "@ordo/crypto";
import { VoteAggregator } from "../../src/index.js";
import { CHAIN, certify, child, genesis, keys } from "./fixtures.js";

describe("VoteAggregator", () => {
  const g = genesis();
  const b1 = child(g.rec, g.qc, 1);
  const other = child(g.rec, g.qc, 1, []);
  const data = (rec: typeof b1) => ({
    blockId: rec.id,
    round: rec.round,
    parentId: rec.block.header.parentId,
    parentRound: rec.block.header.qc.round,
  });
  const vote = (voter: number, rec = b1) => signVote(keys[voter]!, CHAIN, data(rec), voter);

  it("forms a QC once, at quorum, with ascending signers and their signatures", () => {
    const agg = new VoteAggregator(3);
    expect(agg.add(vote(2))).to.equal(null);
    expect(agg.add(vote(2))).to.equal(null); // a repeat counts once
    expect(agg.add(vote(0))).to.equal(null);
    const qc = agg.add(vote(1));
    expect(qc).to.deep.equal(certify(b1));
    expect(agg.add(vote(3))).to.equal(null); // already certified
  });

  it("reports a voter's second vote for another block in the same round and does not count it", () => {
    const agg = new VoteAggregator(3);
    const forked = { ...other, id: new Uint8Array(32).fill(5) };
    agg.add(vote(0));
    expect(agg.add(vote(0, forked))).to.equal("equivocation");
    agg.add(vote(1, forked));
    expect(agg.add(vote(2, forked))).to.equal(null); // only 1 and 2 count for the fork
  });

  it("never mixes votes that agree on the block but not on the parent data they signed", () => {
    const agg = new VoteAggregator(3);
    agg.add(vote(0));
    agg.add(vote(1));
    const skewed = signVote(keys[2]!, CHAIN, { ...data(b1), parentRound: 7 }, 2);
    expect(agg.add(skewed)).to.equal(null);
  });

  it("forgets rounds below the pruning point", () => {
    const agg = new VoteAggregator(3);
    agg.add(vote(0));
    agg.add(vote(1));
    agg.pruneBelow(2);
    expect(agg.add(vote(2))).to.equal(null); // the first two votes are gone
  });
});
