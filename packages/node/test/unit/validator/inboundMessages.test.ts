import type { ConsensusEvent } from "@ordo/consensus";
import type { ConsensusMessage, Transaction } from "@ordo/types";
import { arbitraryBlock, arbitraryVote, SeededRandom } from "@ordo/types/testing";
import { expect } from "chai";
import { InboundMessages } from "../../../src/validator/inboundMessages.js";

describe("InboundMessages (proposals checked on the pool before consensus sees them)", () => {
  const rng = new SeededRandom(7);
  const proposal = (): ConsensusMessage => {
    let block = arbitraryBlock(rng, 5);
    while (block.txs.length === 0) block = arbitraryBlock(rng, 5);
    return { kind: "proposal", block };
  };
  const vote = (): ConsensusMessage => ({ kind: "vote", vote: arbitraryVote(rng) });

  function harness(unverified: (txs: readonly Transaction[]) => Transaction[]) {
    const posted: ConsensusEvent[] = [];
    const checks: { txs: readonly Transaction[]; done: () => void }[] = [];
    const inbound = new InboundMessages({
      post: (e) => posted.push(e),
      unverified,
      preverify: (txs) => new Promise<void>((resolve) => checks.push({ txs, done: resolve })),
    });
    const kinds = () => posted.map((e) => (e.kind === "message" ? e.message.kind : e.kind));
    return { inbound, posted, checks, kinds };
  }

  it("holds a proposal with unchecked transactions, and what came after it, until the check is done", async () => {
    const h = harness((txs) => [...txs]);
    const p = proposal();
    h.inbound.receive(1, vote());
    h.inbound.receive(2, p);
    h.inbound.receive(3, vote());
    expect(h.kinds()).to.deep.equal(["vote"]);
    expect(h.inbound.waiting).to.equal(2);
    expect(h.checks).to.have.length(1);
    expect(h.checks[0]!.txs).to.have.length(p.kind === "proposal" ? p.block.txs.length : -1);
    h.checks[0]!.done();
    await new Promise((r) => setImmediate(r));
    expect(h.kinds()).to.deep.equal(["vote", "proposal", "vote"]);
    expect(h.posted.map((e) => (e.kind === "message" ? e.from : -1))).to.deep.equal([1, 2, 3]);
    expect(h.inbound.waiting).to.equal(0);
  });

  it("passes a proposal whose transactions are all checked straight through, with no pool work", () => {
    const h = harness(() => []);
    h.inbound.receive(2, proposal());
    h.inbound.receive(3, vote());
    expect(h.kinds()).to.deep.equal(["proposal", "vote"]);
    expect(h.checks).to.have.length(0);
  });

  it("keeps arrival order across two proposals whose checks end in the other order", async () => {
    const h = harness((txs) => [...txs]);
    h.inbound.receive(1, proposal());
    h.inbound.receive(2, proposal());
    h.checks[1]!.done();
    await new Promise((r) => setImmediate(r));
    expect(h.kinds()).to.deep.equal([]);
    h.checks[0]!.done();
    await new Promise((r) => setImmediate(r));
    expect(h.posted.map((e) => (e.kind === "message" ? e.from : -1))).to.deep.equal([1, 2]);
  });
});
