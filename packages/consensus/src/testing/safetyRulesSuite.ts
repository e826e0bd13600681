import { expect } from "chai";
import { describe, it } from "mocha";
import { verifyVoteSignature } from "@ordo/crypto";
import { SafetyError } from "../errors.js";
import { SafetyRules } from "../safety/safetyRules.js";
import type { SafetyStorage } from "../safety/safetyStorage.js";
import { CHAIN, certify, child, genesis, keys } from "./fixtures.js";

/**
 * SafetyRules over any SafetyStorage backend: the same suite runs against each one (the durable
 * backend passes a factory reopening its store for `reopen`).
 */
export function safetyRulesSuite(
  name: string,
  make: () => { storage: SafetyStorage; reopen: () => SafetyStorage },
): void {
  describe(`SafetyRules on ${name}`, () => {
    const g = genesis();
    const b1 = child(g.rec, g.qc, 1);
    const b2 = child(b1, certify(b1), 2);
    const rulesOn = (storage: SafetyStorage) =>
      new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });

    it("signs a vote that verifies, and persists lastVotedRound and highestQcRound before returning it", () => {
      const { storage } = make();
      const vote = rulesOn(storage).vote(b2.block.header, b2.id);
      expect(verifyVoteSignature(keys[1]!.publicKey, CHAIN, vote)).to.equal(true);
      expect(vote).to.include({ round: 2, parentRound: 1, voter: 1 });
      expect(storage.load()).to.deep.equal({ lastVotedRound: 2, highestQcRound: 1 });
    });

    it("never votes twice in a round, even after a restart from its storage", () => {
      const { storage, reopen } = make();
      const rules = rulesOn(storage);
      rules.vote(b1.block.header, b1.id);
      const twin = child(g.rec, g.qc, 1, []);
      const header = { ...twin.block.header, timestamp: 99 };
      expect(() => rules.vote(header, new Uint8Array(32))).to.throw(SafetyError);
      expect(() => rulesOn(reopen()).vote(header, new Uint8Array(32))).to.throw(SafetyError);
    });

    it("never votes in a round it timed out in, even after a restart, and a failed check persists nothing", () => {
      const { storage, reopen } = make();
      const rules = rulesOn(storage);
      rules.timeout(1, g.qc, null);
      expect(storage.load().lastVotedRound).to.equal(1);
      expect(() => rules.vote(b1.block.header, b1.id)).to.throw(SafetyError);
      expect(storage.load()).to.deep.equal({ lastVotedRound: 1, highestQcRound: 0 });
      expect(() => rulesOn(reopen()).vote(b1.block.header, b1.id)).to.throw(SafetyError);
      expect(() => rules.timeout(1, g.qc, null)).to.not.throw(); // retransmitting a timeout is fine
    });
  });
}
