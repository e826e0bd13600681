import { expect } from "chai";
import type { Timeout, Vote } from "@ordo/types";
import { MemorySafetyStorage, type SafetyData, SafetyRules, type SafetyStorage } from "../../../src/index.js";
import { safetyRulesSuite } from "../../../src/testing/index.js";
import { CHAIN, certify, child, genesis, keys } from "../fixtures.js";

safetyRulesSuite("MemorySafetyStorage", () => {
  const storage = new MemorySafetyStorage();
  return { storage, reopen: () => storage };
});

/** A storage whose writes complete when the test says so, in order (as a disk's fsync would). */
class ManualSafetyStorage implements SafetyStorage {
  durable: SafetyData = { lastVotedRound: 0, highestQcRound: 0 };
  readonly writes: { data: SafetyData; done: (err: Error | null) => void }[] = [];
  load(): SafetyData {
    return { ...this.durable };
  }
  store(data: SafetyData, done: (err: Error | null) => void): void {
    this.writes.push({ data, done });
  }
  complete(err: Error | null = null): void {
    const w = this.writes.shift()!;
    if (!err) this.durable = w.data;
    w.done(err);
  }
}

describe("SafetyRules persistence order", () => {
  const g = genesis();
  const b1 = child(g.rec, g.qc, 1);
  const b2 = child(b1, certify(b1), 2);

  it("releases a vote only once its data is durable, and refuses a second one in the round meanwhile", () => {
    const storage = new ManualSafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    const released: Vote[] = [];
    rules.vote(b1.block.header, b1.id, (v) => released.push(v));
    expect(released).to.have.length(0);
    expect(rules.data.lastVotedRound).to.equal(1);
    expect(() => rules.vote(b1.block.header, b1.id, (v) => released.push(v))).to.throw("not above last voted round");
    storage.complete();
    expect(released.map((v) => v.round)).to.deep.equal([1]);
    expect(storage.durable.lastVotedRound).to.equal(1);
  });

  it("a timeout in the round just voted in (no new data) still waits for the vote's write", () => {
    const storage = new ManualSafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    const out: string[] = [];
    rules.vote(b1.block.header, b1.id, () => out.push("vote"));
    rules.timeout(1, g.qc, null, () => out.push("timeout"));
    expect(storage.writes).to.have.length(1); // nothing new to write for the timeout
    expect(out).to.deep.equal([]);
    storage.complete();
    expect(out).to.deep.equal(["vote", "timeout"]);
    rules.timeout(1, g.qc, null, () => out.push("again"));
    expect(out).to.deep.equal(["vote", "timeout", "again"]); // durable already: released at once
  });

  it("two writes in flight: everything waits for the later one", () => {
    const storage = new ManualSafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    const out: number[] = [];
    rules.vote(b1.block.header, b1.id, (v) => out.push(v.round));
    rules.vote(b2.block.header, b2.id, (v) => out.push(v.round));
    storage.complete();
    expect(out).to.deep.equal([]);
    storage.complete();
    expect(out).to.deep.equal([1, 2]);
  });

  it("a failed write releases nothing and is reported; the next signature writes the data again", () => {
    const storage = new ManualSafetyStorage();
    const failures: Error[] = [];
    const rules = new SafetyRules(
      { chainId: CHAIN, index: 1 },
      { key: keys[1]!, storage, onStoreFailed: (e) => failures.push(e) },
    );
    const out: (Vote | Timeout)[] = [];
    rules.vote(b1.block.header, b1.id, (v) => out.push(v));
    storage.complete(new Error("disk full"));
    expect(out).to.have.length(0);
    expect(failures.map((e) => e.message)).to.deep.equal(["disk full"]);
    expect(rules.data.lastVotedRound).to.equal(1); // never votes in round 1 again, written or not
    rules.timeout(1, g.qc, null, (t) => out.push(t));
    expect(storage.writes.map((w) => w.data)).to.deep.equal([{ lastVotedRound: 1, highestQcRound: 0 }]);
    storage.complete();
    expect(out).to.have.length(1);
    expect(storage.durable).to.deep.equal({ lastVotedRound: 1, highestQcRound: 0 });
  });

  it("a storage that throws is a failed write, not an exception out of the rules", () => {
    const failing: SafetyStorage = {
      load: () => ({ lastVotedRound: 0, highestQcRound: 0 }),
      store: () => {
        throw new Error("disk gone");
      },
    };
    const failures: string[] = [];
    const rules = new SafetyRules(
      { chainId: CHAIN, index: 1 },
      { key: keys[1]!, storage: failing, onStoreFailed: (e) => failures.push(e.message) },
    );
    const out: unknown[] = [];
    rules.vote(b1.block.header, b1.id, (v) => out.push(v));
    expect(out).to.have.length(0);
    expect(failures).to.deep.equal(["disk gone"]);
  });

  it("writes once per new round, not on a repeated timeout", () => {
    const storage = new MemorySafetyStorage();
    const rules = new SafetyRules({ chainId: CHAIN, index: 1 }, { key: keys[1]!, storage });
    let released = 0;
    rules.timeout(1, g.qc, null, () => released++);
    rules.timeout(1, g.qc, null, () => released++);
    expect(storage.writes).to.equal(1);
    expect(released).to.equal(2);
  });
});
