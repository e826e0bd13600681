import { ConsensusOptionsError } from "./errors.js";
import { type RoundManagerOptions, voteDeliveries } from "./roundManager.js";

export const defaultRoundManagerOptions = Object.freeze({
  maxBackoffExponent: 6,
  fetchBatch: 32,
  maxRoundsAhead: 1000,
  voteDelivery: "auto" as const,
});

/**
 * Bytes of a block that are not transactions, at most: the header's fixed fields, a QC and a TC
 * with one signature (and high-QC round) per validator, and the proposer's signature. A batch
 * gets `maxBlockBytes` minus this, so a full block still fits the codec's block limit.
 */
export function blockOverheadBytes(validators: number): number {
  return 512 + 160 * validators;
}

/** Fills in defaults and rejects options the round manager cannot run with, naming the option. */
export function validateRoundManagerOptions(opts: RoundManagerOptions): Required<RoundManagerOptions> {
  const o = { mempool: {}, ...defaultRoundManagerOptions, ...opts } as Required<RoundManagerOptions>;
  const fail = (option: string, why: string): never => {
    throw new ConsensusOptionsError(`${option} ${why}`, {
      option,
      value: (o as unknown as Record<string, unknown>)[option],
    });
  };
  const int = (option: keyof RoundManagerOptions, min: number) => {
    const v = o[option] as number;
    if (!Number.isSafeInteger(v) || v < min) fail(option, `must be an integer >= ${min}, got ${v}`);
  };
  if (o.chainId.length === 0) fail("chainId", "must not be empty");
  int("index", 0);
  if (o.index >= o.validators.n) fail("index", `must be below the validator count ${o.validators.n}`);
  int("maxTxsPerBlock", 1);
  int("maxBlockBytes", 1);
  if (o.maxBlockBytes <= blockOverheadBytes(o.validators.n))
    fail("maxBlockBytes", `must exceed the ${blockOverheadBytes(o.validators.n)} bytes a header and certificates take`);
  int("maxBatchWaitMs", 0);
  int("baseTimeoutMs", 1);
  // A leader holding its batch as long as the round lasts would time itself out before proposing.
  if (o.maxBatchWaitMs >= o.baseTimeoutMs) fail("maxBatchWaitMs", `must be below baseTimeoutMs (${o.baseTimeoutMs})`);
  int("maxBackoffExponent", 0);
  int("fetchBatch", 1);
  int("maxRoundsAhead", 1);
  if (!voteDeliveries.includes(o.voteDelivery)) fail("voteDelivery", `must be one of ${voteDeliveries.join(", ")}`);
  if (o.txAuth !== "ed25519" && o.txAuth !== "none") fail("txAuth", `must be "ed25519" or "none"`);
  return o;
}
