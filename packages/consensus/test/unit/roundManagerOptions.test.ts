import { expect } from "chai";
import {
  blockOverheadBytes,
  ConsensusOptionsError,
  type RoundManagerOptions,
  validateRoundManagerOptions,
} from "../../src/index.js";
import { CHAIN, genesis, validators } from "./fixtures.js";

describe("validateRoundManagerOptions", () => {
  const g = genesis();
  const good: RoundManagerOptions = {
    chainId: CHAIN,
    index: 0,
    validators,
    genesis: { block: g.block, id: g.id },
    maxTxsPerBlock: 100,
    maxBlockBytes: 1 << 20,
    maxBatchWaitMs: 5,
    baseTimeoutMs: 1000,
    txAuth: "ed25519",
  };

  it("fills in defaults for what is left out", () => {
    expect(validateRoundManagerOptions(good)).to.deep.include({
      maxBackoffExponent: 6,
      fetchBatch: 32,
      maxRoundsAhead: 1000,
      voteDelivery: "auto",
      index: 0,
    });
  });

  const bad: [string, Partial<RoundManagerOptions>][] = [
    ["chainId", { chainId: "" }],
    ["index", { index: 4 }],
    ["index", { index: -1 }],
    ["maxTxsPerBlock", { maxTxsPerBlock: 0 }],
    ["maxBlockBytes", { maxBlockBytes: blockOverheadBytes(4) }],
    ["maxBatchWaitMs", { maxBatchWaitMs: 1000 }],
    ["maxBatchWaitMs", { maxBatchWaitMs: 1.5 }],
    ["baseTimeoutMs", { baseTimeoutMs: 0 }],
    ["maxBackoffExponent", { maxBackoffExponent: -1 }],
    ["fetchBatch", { fetchBatch: 0 }],
    ["maxRoundsAhead", { maxRoundsAhead: 0 }],
    ["txAuth", { txAuth: "rsa" as "none" }],
    ["voteDelivery", { voteDelivery: "leader" as "all" }],
  ];
  for (const [option, change] of bad) {
    it(`rejects ${option} = ${JSON.stringify(Object.values(change)[0])}, naming it`, () => {
      expect(() => validateRoundManagerOptions({ ...good, ...change }))
        .to.throw(ConsensusOptionsError, option)
        .with.property("code", "INVALID_OPTIONS");
    });
  }
});
