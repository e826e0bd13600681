import "@ordo/polyfills";
import { parseArgs } from "node:util";
import { optionsForSeed } from "./scenarios.js";
import { type SimResult, simulate } from "./simulation.js";

/**
 * `npm run sim -- --seeds N [--from S] [--validators n] [--byzantine k] [--twins] [--json]`
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
    json: { type: "boolean", default: false },
    trace: { type: "boolean" },
    quiet: { type: "boolean", default: false },
  },
});

async function main(): Promise<void> {
  const seeds = Number(values.seeds);
  const from = Number(values.from);
  const single = seeds === 1;
  const overrides = {
    validators: values.validators === undefined ? undefined : Number(values.validators),
    byzantine: values.byzantine === undefined ? undefined : Number(values.byzantine),
    twins: values.twins ? true : undefined,
  };
  let safetyViolations = 0;
  let livenessFailures = 0;
  let commits = 0;
  const seedsFailed: number[] = [];
  const started = Date.now();
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
        `seed ${seed}: n=${opts.validators} byzantine=${opts.byzantine} twins=${opts.twins} commits=${r.commits} rounds=${r.rounds} roundsAfterGst=${r.roundsAfterGst} violations=${r.safetyViolations.length} liveness=${r.livenessFailure ?? "ok"} internalErrors=${r.internalErrors}`,
      );
    }
    if (!values.quiet && !values.json && (seed - from + 1) % 100 === 0) {
      console.log(
        `${seed - from + 1}/${seeds} seeds, ${((Date.now() - started) / 1000).toFixed(1)}s, failed: ${seedsFailed.length}`,
      );
    }
  }
  console.log(JSON.stringify({ runs: seeds, safetyViolations, livenessFailures, commits, seedsFailed }));
  if (safetyViolations > 0 || livenessFailures > 0) process.exitCode = 1;
}

await main();
