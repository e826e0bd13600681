import { expect } from "chai";
import { verifyVoteSignature } from "@ordo/crypto";
import { MemorySafetyStorage, SafetyError, SafetyRules } from "../../../src/index.js";
import { CHAIN, certify, child, genesis, keys } from "../fixtures.js";

describe("SafetyRules", () => {
  const g = genesis();
  const b1 = child(g.rec, g.qc, 1);
  const b2 = child(b1, certify(b1), 2);

  it("signs a vote that verifies, and persists lastVotedRound and highestQcRound before returning it", () => {
    const storage = new MemorySafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    const vote = rules.vote(b2.block.header, b2.id);
    expect(verifyVoteSignature(keys[1]!.publicKey, CHAIN, vote)).to.equal(true);
    expect(vote).to.include({ round: 2, parentRound: 1, voter: 1 });
    expect(storage.load()).to.deep.equal({ lastVotedRound: 2, highestQcRound: 1 });
  });

  it("never votes twice in a round, even after a restart from its storage", () => {
    const storage = new MemorySafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    rules.vote(b1.block.header, b1.id);
    const other = child(g.rec, g.qc, 1, []);
    const twin = { ...other, block: { ...other.block, header: { ...other.block.header, timestamp: 99 } } };
    expect(() => rules.vote(twin.block.header, new Uint8Array(32))).to.throw(SafetyError);
    const restarted = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    expect(() => restarted.vote(twin.block.header, new Uint8Array(32))).to.throw(SafetyError);
  });

  it("never votes in a round it timed out in, and a failed check persists nothing", () => {
    const storage = new MemorySafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    rules.timeout(1, g.qc, null);
    expect(storage.load().lastVotedRound).to.equal(1);
    const writes = storage.writes;
    expect(() => rules.vote(b1.block.header, b1.id)).to.throw(SafetyError);
    expect(storage.writes).to.equal(writes);
    expect(() => rules.timeout(1, g.qc, null)).to.not.throw(); // retransmitting a timeout is fine
  });
});
