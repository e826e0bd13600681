import { expect } from "chai";
import { describe, it } from "mocha";
import { verifyVoteSignature } from "@ordo/crypto";
import { SafetyError } from "../errors.js";
import { SafetyRules } from "../safety/safetyRules.js";
import type { SafetyStorage } from "../safety/safetyStorage.js";
import type { BlockHeader, QuorumCert, Timeout, Vote } from "@ordo/types";
import { CHAIN, certify, child, genesis, keys } from "./fixtures.js";

/**
 * SafetyRules over any SafetyStorage backend: the same suite runs against each one (the durable
 * backend passes a factory reopening its store for `reopen`).
 */
/** The vote `rules` releases for `h`, once its data is durable (throws what `vote` throws). */
export function voteReleased(rules: SafetyRules, h: BlockHeader, id: Uint8Array): Promise<Vote> {
  return new Promise((resolve) => rules.vote(h, id, resolve));
}

/** The timeout `rules` releases for `round`, once its data is durable (throws what `timeout` throws). */
export function timeoutReleased(rules: SafetyRules, round: number, highQc: QuorumCert): Promise<Timeout> {
  return new Promise((resolve) => rules.timeout(round, highQc, null, resolve));
}

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
    const ignore = () => {};

    it("signs a vote that verifies, and persists lastVotedRound and highestQcRound before releasing it", async () => {
      const { storage } = make();
      const vote = await voteReleased(rulesOn(storage), b2.block.header, b2.id);
      expect(verifyVoteSignature(keys[1]!.publicKey, CHAIN, vote)).to.equal(true);
      expect(vote).to.include({ round: 2, parentRound: 1, voter: 1 });
      expect(storage.load()).to.deep.equal({ lastVotedRound: 2, highestQcRound: 1 });
    });

    it("never votes twice in a round, even after a restart from its storage", async () => {
      const { storage, reopen } = make();
      const rules = rulesOn(storage);
      const first = voteReleased(rules, b1.block.header, b1.id);
      const twin = child(g.rec, g.qc, 1, []);
      const header = { ...twin.block.header, timestamp: 99 };
      // refused at once, before the first vote's write is even done
      expect(() => rules.vote(header, new Uint8Array(32), ignore)).to.throw(SafetyError);
      await first;
      expect(() => rulesOn(reopen()).vote(header, new Uint8Array(32), ignore)).to.throw(SafetyError);
    });

    it("never votes in a round it timed out in, even after a restart, and a failed check persists nothing", async () => {
      const { storage, reopen } = make();
      const rules = rulesOn(storage);
      await timeoutReleased(rules, 1, g.qc);
      expect(storage.load().lastVotedRound).to.equal(1);
      expect(() => rules.vote(b1.block.header, b1.id, ignore)).to.throw(SafetyError);
      expect(storage.load()).to.deep.equal({ lastVotedRound: 1, highestQcRound: 0 });
      expect(() => rulesOn(reopen()).vote(b1.block.header, b1.id, ignore)).to.throw(SafetyError);
      await timeoutReleased(rules, 1, g.qc); // retransmitting a timeout is fine
    });
  });
}
