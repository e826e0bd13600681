import { expect } from "chai";
import { type BenchOptions, defaultBenchOptions, validateBenchOptions } from "../../../src/bench/benchOptions.js";

const withFlags = (nodeFlags: string[], more: Partial<BenchOptions> = {}): BenchOptions => ({
  ...defaultBenchOptions,
  nodeFlags,
  ...more,
});

describe("bench options: --node-flags", () => {
  it("takes node and V8 flags, with or without a value", () => {
    const flags = ["--max-semi-space-size=16", "--no-opt", "--stack-trace-limit=50"];
    expect(validateBenchOptions(withFlags(flags)).nodeFlags).to.deep.equal(flags);
  });

  it("refuses what is not a flag, naming the option and the value", () => {
    for (const bad of ["max-semi-space-size=16", "-x", "--", "--a=1 --b", "--eval=", "; rm -rf /"]) {
      expect(() => validateBenchOptions(withFlags([bad])), bad).to.throw(/--node-flags.*must be flags like/);
    }
  });

  it("refuses flags with --targets: the validators are not its own to start", () => {
    const targets = withFlags(["--no-opt"], { targets: ["http://127.0.0.1:8080"], genesis: "genesis.json" });
    expect(() => validateBenchOptions(targets)).to.throw(/--node-flags.*without --targets/);
  });
});
