import "@ordo/polyfills";
import { parseArgs } from "node:util";
import { type VoteDelivery, voteDeliveries } from "@ordo/consensus";
import { optionsForSeed } from "./scenarios.js";
import { type SimResult, simulate } from "./simulation.js";

/**
 * `npm run sim -- --seeds N [--from S] [--validators n] [--byzantine k] [--twins] [--vote-delivery auto|all|nextLeader] [--json]`
 * Runs N seeds; without --validators each seed mixes n = 4 and n = 7, every Byzantine behaviour,
 * Twins, crashes and partitions. Prints one JSON summary as its last line; exits 1 on any
 * safety violation or liveness failure. `--from S --seeds 1` replays one seed with its trace.
 */
const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "100" },
    from: { type: "string", default: "1" },
    validators: { type: "string" },
    byzantine: { type: "string" },
    twins: { type: "boolean", default: false },
    "vote-delivery": { type: "string" },
    json: { type: "boolean", default: false },
    trace: { type: "boolean" },
    quiet: { type: "boolean", default: false },
  },
});

/** A non-negative integer option, or exit 2 naming it. */
function intOption(name: string, raw: string, min: number): number {
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const seeds = intOption("seeds", values.seeds, 1);
  const from = intOption("from", values.from, 0);
  if (values.validators !== undefined) intOption("validators", values.validators, 4);
  if (values.byzantine !== undefined) {
    const k = intOption("byzantine", values.byzantine, 0);
    const n = values.validators === undefined ? 4 : Number(values.validators);
    // Beyond f the protocol promises nothing: a run would only "find" what n >= 3f + 1 excludes.
    if (k > Math.floor((n - 1) / 3)) {
      console.error(`--byzantine ${k} exceeds f = ${Math.floor((n - 1) / 3)} for n = ${n}`);
      process.exit(2);
    }
  }
  const voteDelivery = values["vote-delivery"];
  if (voteDelivery !== undefined && !voteDeliveries.includes(voteDelivery as VoteDelivery)) {
    console.error(`--vote-delivery must be one of ${voteDeliveries.join(", ")}, got ${JSON.stringify(voteDelivery)}`);
    process.exit(2);
  }
  const single = seeds === 1;
  const overrides = {
    voteDelivery: voteDelivery as VoteDelivery | undefined,
    validators: values.validators === undefined ? undefined : Number(values.validators),
    byzantine: values.byzantine === undefined ? undefined : Number(values.byzantine),
    twins: values.twins ? true : undefined,
  };
  let safetyViolations = 0;
  let livenessFailures = 0;
  let commits = 0;
  const seedsFailed: number[] = [];
  const started = performance.now(); // wall clock for the progress line only: the simulation never reads it
  for (let seed = from; seed < from + seeds; seed++) {
    const opts = { ...optionsForSeed(seed, overrides), trace: values.trace ?? single };
    const r: SimResult = await simulate(opts);
    commits += r.commits;
    safetyViolations += r.safetyViolations.length;
    const failed =
      r.safetyViolations.length > 0 || r.livenessFailure !== null || r.internalErrors > 0 || r.deliveryErrors > 0;
    if (r.livenessFailure) livenessFailures++;
    else if (r.internalErrors > 0 || r.deliveryErrors > 0) livenessFailures++;
    if (failed) seedsFailed.push(seed);
    if (single || (failed && !values.json)) {
      if (single) for (const line of r.trace) console.log(line);
      console.log(
        `seed ${seed}: n=${opts.validators} votes=${opts.voteDelivery} byzantine=${opts.byzantine} twins=${opts.twins} commits=${r.commits} rounds=${r.rounds} roundsAfterGst=${r.roundsAfterGst} violations=${r.safetyViolations.length} liveness=${r.livenessFailure ?? "ok"} internalErrors=${r.internalErrors}`,
      );
    }
    if (!values.quiet && !values.json && (seed - from + 1) % 100 === 0) {
      console.log(
        `${seed - from + 1}/${seeds} seeds, ${((performance.now() - started) / 1000).toFixed(1)}s, failed: ${seedsFailed.length}`,
      );
    }
  }
  console.log(JSON.stringify({ runs: seeds, safetyViolations, livenessFailures, commits, seedsFailed }));
  if (safetyViolations > 0 || livenessFailures > 0) process.exitCode = 1;
}

await main();
