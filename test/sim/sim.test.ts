import { expect } from "chai";
import { SafetyChecker } from "./checker.js";
import { optionsForSeed } from "./scenarios.js";
import { type SimResult, simulate } from "./simulation.js";

/**
 * The deterministic Byzantine simulation in CI: 500 seeds mixing n = 4 and n = 7, every Byzantine
 * behaviour, Twins, crash-restarts and partitions. A failure names its seed; replay it with
 * `npm run sim -- --from <seed> --seeds 1`.
 */
const SEEDS = Number(process.env.ORDO_SIM_SEEDS ?? 500);
const BASE = Number(process.env.ORDO_SEED ?? 1);

function describeFailure(r: SimResult): string {
  return `seed ${r.seed}: ${r.safetyViolations.map((v) => v.detail).join("; ")} ${r.livenessFailure ?? ""} internalErrors=${r.internalErrors} (replay: npm run sim -- --from ${r.seed} --seeds 1)`;
}

describe("simulation: safety and liveness under faults", function () {
  this.timeout(600_000);
  const chunk = 100;
  const seen = {
    behaviours: new Set<string>(),
    validators: new Set<number>(),
    voteDeliveries: new Set<string>(),
    crashes: 0,
  };
  for (let start = 0; start < SEEDS; start += chunk) {
    const from = BASE + start;
    const to = Math.min(BASE + SEEDS, from + chunk) - 1;
    it(`seeds ${from}..${to}: no safety violation, every probe transaction commits after GST`, async () => {
      const failures: string[] = [];
      let commits = 0;
      for (let seed = from; seed <= to; seed++) {
        const opts = optionsForSeed(seed);
        const r = await simulate(opts);
        commits += r.commits;
        for (const b of r.behaviours) seen.behaviours.add(b);
        seen.validators.add(opts.validators);
        if (opts.voteDelivery) seen.voteDeliveries.add(opts.voteDelivery);
        seen.crashes += r.crashes;
        if (r.safetyViolations.length > 0 || r.livenessFailure || r.internalErrors > 0 || r.deliveryErrors > 0) {
          failures.push(describeFailure(r));
        }
      }
      expect(failures, failures.join("\n")).to.deep.equal([]);
      expect(commits).to.be.greaterThan(to - from); // the runs really committed blocks
    });
  }
  // Runs after the seed chunks above, over what they saw; promised only over many seeds (ORDO_SIM_SEEDS can shrink a run).
  if (SEEDS >= 100) {
    it("covered n = 4 and 7, every vote delivery, every Byzantine behaviour, Twins and crash-restarts", () => {
      expect([...seen.validators].sort()).to.deep.equal([4, 7]);
      expect([...seen.voteDeliveries].sort()).to.deep.equal(["all", "auto", "nextLeader"]);
      expect([...seen.behaviours].sort()).to.deep.equal(
        ["doubleVote", "equivocate", "honest", "invalid", "silent", "twin"].sort(),
      );
      expect(seen.crashes).to.be.greaterThan(0);
    });
  }
});

describe("simulation: the checker catches a broken voting rule", function () {
  this.timeout(120_000);
  it("honest replicas that skip `round > lastVotedRound` double-vote under an equivocating leader, and the checker says so", async () => {
    let caught = 0;
    let seed = 1;
    for (; seed <= 20; seed++) {
      const r = await simulate({
        ...optionsForSeed(seed, { validators: 4, byzantine: 1 }),
        twins: false,
        behaviours: ["equivocate"],
        brokenVoteRule: true,
      });
      if (r.safetyViolations.some((v) => v.kind === "doubleVote")) caught++;
    }
    expect(caught, "the safety checker never noticed the broken rule").to.be.greaterThan(0);
  });

  it("the same scenarios with the real rule have no violation", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = await simulate({
        ...optionsForSeed(seed, { validators: 4, byzantine: 1 }),
        twins: false,
        behaviours: ["equivocate"],
      });
      expect(r.safetyViolations, `seed ${seed}`).to.deep.equal([]);
    }
  });
});

describe("simulation: the liveness check can fail", () => {
  it("reports a liveness failure when the probes need more rounds than allowed, or more time than given", async () => {
    const tight = await simulate({ ...optionsForSeed(3), livenessRounds: 0 });
    expect(tight.livenessFailure).to.match(/rounds after GST/);
    const short = await simulate({ ...optionsForSeed(3), livenessWindowMs: 1 });
    expect(short.livenessFailure).to.match(/not committed/);
  });
});

describe("SafetyChecker", () => {
  it("flags two honest replicas committing different blocks at one height, and one validator's two votes in a round", () => {
    const c = new SafetyChecker();
    c.onCommit("node0", 1, "aa", 0);
    c.onCommit("node1", 1, "aa", 1);
    c.onCommit("node1", 2, "bb", 2);
    expect(c.violations).to.deep.equal([]);
    c.onCommit("node2", 2, "cc", 3);
    expect(c.violations.map((v) => v.kind)).to.deep.equal(["fork"]);
    const vote = { blockId: new Uint8Array(32), round: 4, parentId: new Uint8Array(32), parentRound: 3, voter: 1 };
    c.onHonestVote(1, { ...vote, signature: new Uint8Array(64) }, 4);
    c.onHonestVote(1, { ...vote, signature: new Uint8Array(64) }, 5); // the same vote again is fine
    c.onHonestVote(1, { ...vote, blockId: new Uint8Array(32).fill(1), signature: new Uint8Array(64) }, 6);
    expect(c.violations.map((v) => v.kind)).to.deep.equal(["fork", "doubleVote"]);
  });
});
