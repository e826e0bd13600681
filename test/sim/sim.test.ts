import { expect } from "chai";
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
  for (let start = 0; start < SEEDS; start += chunk) {
    const from = BASE + start;
    const to = Math.min(BASE + SEEDS, from + chunk) - 1;
    it(`seeds ${from}..${to}: no safety violation, every probe transaction commits after GST`, async () => {
      const failures: string[] = [];
      let commits = 0;
      for (let seed = from; seed <= to; seed++) {
        const r = await simulate(optionsForSeed(seed));
        commits += r.commits;
        if (r.safetyViolations.length > 0 || r.livenessFailure || r.internalErrors > 0 || r.deliveryErrors > 0) {
          failures.push(describeFailure(r));
        }
      }
      expect(failures, failures.join("\n")).to.deep.equal([]);
      expect(commits).to.be.greaterThan(to - from); // the runs really committed blocks
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
