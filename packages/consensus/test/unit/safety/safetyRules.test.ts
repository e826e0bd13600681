import { expect } from "chai";
import { MemorySafetyStorage, SafetyRules, type SafetyStorage } from "../../../src/index.js";
import { safetyRulesSuite } from "../../../src/testing/index.js";
import { CHAIN, child, genesis, keys } from "../fixtures.js";

safetyRulesSuite("MemorySafetyStorage", () => {
  const storage = new MemorySafetyStorage();
  return { storage, reopen: () => storage };
});

describe("SafetyRules persistence order", () => {
  const g = genesis();
  const b1 = child(g.rec, g.qc, 1);

  it("releases no signature when persisting fails, and keeps its old data", () => {
    const failing: SafetyStorage = {
      load: () => ({ lastVotedRound: 0, highestQcRound: 0 }),
      store: () => {
        throw new Error("disk full");
      },
    };
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage: failing });
    expect(() => rules.vote(b1.block.header, b1.id)).to.throw("disk full");
    expect(() => rules.timeout(1, g.qc, null)).to.throw("disk full");
    expect(rules.data).to.deep.equal({ lastVotedRound: 0, highestQcRound: 0 });
  });

  it("writes once per new round, not on a repeated timeout", () => {
    const storage = new MemorySafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    rules.timeout(1, g.qc, null);
    rules.timeout(1, g.qc, null);
    expect(storage.writes).to.equal(1);
  });
});
