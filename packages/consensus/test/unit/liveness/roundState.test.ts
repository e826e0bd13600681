import { expect } from "chai";
import { RoundState, TimeoutCollector } from "../../../src/index.js";
import type { Timeout } from "@ordo/types";
import { FakeTime, genesis } from "../fixtures.js";

describe("RoundState (pacemaker)", () => {
  const make = () => {
    const time = new FakeTime();
    const fired: number[] = [];
    const rs = new RoundState(
      { baseTimeoutMs: 100, maxBackoffExponent: 3 },
      { time, onLocalTimeout: (r) => fired.push(r) },
    );
    return { time, fired, rs };
  };

  it("enters round r + 1 on a QC or TC for round r, and never goes back", () => {
    const { rs } = make();
    expect(rs.processCertificates(0, null)).to.deep.equal({ round: 1, viaTimeout: false });
    expect(rs.processCertificates(4, null)).to.deep.equal({ round: 5, viaTimeout: false });
    expect(rs.processCertificates(3, 2)).to.equal(null);
    expect(rs.processCertificates(4, 6)).to.deep.equal({ round: 7, viaTimeout: true });
    expect(rs.currentRound).to.equal(7);
  });

  it("fires the round timer after the timeout, repeats it while stuck, and cancels it on a new round", () => {
    const { rs, time, fired } = make();
    rs.processCertificates(0, null);
    time.advance(99);
    expect(fired).to.deep.equal([]);
    time.advance(1);
    expect(fired).to.deep.equal([1]);
    time.advance(100);
    expect(fired).to.deep.equal([1, 1]);
    rs.processCertificates(1, null);
    time.advance(99);
    expect(fired).to.deep.equal([1, 1]);
    time.advance(1);
    expect(fired).to.deep.equal([1, 1, 2]);
  });

  it("doubles the timer for each round entered by timeout, capped, and resets on commit", () => {
    const { rs } = make();
    rs.processCertificates(0, null);
    const durations = [rs.timeoutDuration()];
    for (let r = 1; r <= 5; r++) {
      rs.processCertificates(0, r);
      durations.push(rs.timeoutDuration());
    }
    expect(durations).to.deep.equal([100, 200, 400, 800, 800, 800]);
    rs.onCommit();
    expect(rs.timeoutDuration()).to.equal(100);
  });
});

describe("TimeoutCollector", () => {
  const g = genesis();
  const t = (sender: number, highQcRound: number): Timeout => ({
    round: 5,
    highQc: { ...g.qc, round: highQcRound },
    sender,
    signature: new Uint8Array(64).fill(sender),
  });

  it("forms a TC at quorum with each signer's high-QC round, once, ignoring repeats and other rounds", () => {
    const c = new TimeoutCollector(5, 3);
    expect(c.add(t(2, 4))).to.equal(null);
    expect(c.add(t(2, 4))).to.equal(null);
    expect(c.add({ ...t(1, 1), round: 6 })).to.equal(null);
    expect(c.add(t(0, 3))).to.equal(null);
    expect(c.count).to.equal(2);
    const tc = c.add(t(3, 1));
    expect(tc).to.deep.include({ round: 5, signers: [0, 2, 3], highQcRounds: [3, 4, 1] });
    expect(c.add(t(1, 0))).to.equal(null);
    expect(c.highestQcTimeout()?.sender).to.equal(2);
  });
});
