import { voteDeliveries } from "@ordo/consensus";
import type { SimOptions } from "./simulation.js";

/** The fault mix of one seed; drawn from the seed itself, so every seed replays exactly. */
export function optionsForSeed(
  seed: number,
  overrides: {
    validators?: number;
    byzantine?: number;
    twins?: boolean;
    voteDelivery?: SimOptions["voteDelivery"];
  } = {},
): SimOptions {
  const n = overrides.validators ?? (seed % 3 === 0 ? 7 : 4);
  const f = Math.floor((n - 1) / 3);
  return {
    seed,
    validators: n,
    byzantine: Math.min(overrides.byzantine ?? f, f),
    twins: overrides.twins ?? seed % 4 === 1,
    crashes: seed % 2 === 0,
    partitions: seed % 5 !== 0,
    // Every vote flow, on a cycle unrelated to the other choices.
    voteDelivery: overrides.voteDelivery ?? voteDeliveries[Math.floor(seed / 7) % voteDeliveries.length],
    gstMs: 1500,
    // Generous for n = 7 with f silent leaders: each of their rounds costs a (backed-off) timeout.
    livenessWindowMs: 12_000,
  };
}
