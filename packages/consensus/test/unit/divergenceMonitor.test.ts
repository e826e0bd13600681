import { expect } from "chai";
import { type BlockHeader, sha256 } from "@ordo/types";
import { DivergenceError, DivergenceMonitor, ProposalError } from "../../src/index.js";
import { genesis } from "./fixtures.js";

describe("DivergenceMonitor", () => {
  const g = genesis();
  const mine = sha256(new Uint8Array([1]));
  const theirs = sha256(new Uint8Array([2]));
  const header = (proposer: number, execHeight: number, appHash: Uint8Array): BlockHeader => ({
    ...g.block.header,
    proposer,
    execHeight,
    appHash,
  });
  const monitor = () => new DivergenceMonitor(1, (h) => (h <= 5 ? mine : undefined));

  it("accepts a matching app hash, height 0, and heights this replica has not executed", () => {
    const m = monitor();
    expect(m.check(header(1, 3, mine))).to.equal(null);
    expect(m.check(header(1, 0, theirs))).to.equal(null);
    expect(m.check(header(1, 9, theirs))).to.equal(null);
  });

  it("refuses one dissenting proposer, and reports divergence once f + 1 distinct proposers dissent at a height", () => {
    const m = monitor();
    expect(() => m.check(header(1, 3, theirs))).to.throw(ProposalError);
    expect(() => m.check(header(1, 3, theirs))).to.throw(ProposalError); // the same proposer again
    expect(() => m.check(header(2, 4, theirs))).to.throw(ProposalError); // another height
    const err = m.check(header(2, 3, theirs));
    expect(err).to.be.instanceOf(DivergenceError).with.property("code", "DIVERGENCE");
    expect(err?.meta).to.include({ height: 3 });
  });
});
