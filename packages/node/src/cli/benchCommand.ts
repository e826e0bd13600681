import { type Command, InvalidArgumentError } from "commander";
import { type BenchOptions, defaultBenchOptions, validateBenchOptions } from "../bench/benchOptions.js";
import { writeBenchResults } from "../bench/benchResults.js";
import { runBench } from "../bench/benchRun.js";
import type { BenchApp } from "../bench/txFactory.js";
import type { TxAuth } from "../genesis.js";
import { parseIntOption } from "./options.js";

interface BenchCliOptions {
  validators: number;
  app: string;
  payload: number;
  outstanding?: number;
  rate?: number;
  duration: number;
  warmup: number;
  batch: number;
  batchWait: number;
  txAuth: string;
  txIndex: boolean;
  accounts: number;
  targets?: string[];
  genesis?: string;
  accountsDir?: string;
  json: boolean;
  out: string;
  sweep?: number[];
  keep: boolean;
  cpuProf: boolean;
  nodeFlags?: string[];
  presign: number;
}

function parseList(value: string): number[] {
  return value.split(",").map((v) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
    return Number(v.trim());
  });
}

function parseOnOff(value: string): boolean {
  if (value !== "on" && value !== "off") throw new InvalidArgumentError(`"${value}" is not on or off`);
  return value === "on";
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

export function registerBenchCommand(program: Command): void {
  const d = defaultBenchOptions;
  program
    .command("bench")
    .description(
      "load a cluster (started here, or --targets) and report throughput, latency to f + 1 receipts, CPU and memory",
    )
    .option("--validators <n>", "validator processes to start", parseIntOption, d.validators)
    .option("--app <name>", "noop, kv or bank", d.app)
    .option("--payload <bytes>", "payload bytes of noop and kv transactions", parseIntOption, d.payload)
    .option("--outstanding <k>", "closed loop: unconfirmed transactions kept in flight (default 1600)", parseIntOption)
    .option("--rate <tx/s>", "open loop: transactions submitted per second", parseRate)
    .option("--duration <s>", "timed window per load level, seconds", parseIntOption, d.duration)
    .option(
      "--warmup <s>",
      "load before the timed window, seconds (a sweep's later levels: at most 5); V8 compiles hot code for tens of seconds",
      parseIntOption,
      d.warmup,
    )
    .option("--batch <n>", "genesis maxTxsPerBlock", parseIntOption, d.batch)
    .option("--batch-wait <ms>", "genesis maxBatchWaitMs", parseIntOption, d.batchWaitMs)
    .option("--tx-auth <mode>", "ed25519 (clients sign, validators verify) or none", d.txAuth)
    .option(
      "--tx-index <on|off>",
      "validators index committed transactions by id (config storage.txIndex)",
      parseOnOff,
      d.txIndex,
    )
    .option(
      "--accounts <n>",
      "sending accounts, at least (bank/kv use 2 x the outstanding level)",
      parseIntOption,
      d.accounts,
    )
    .option("--targets <url...>", "load these running validators instead of starting a cluster (needs --genesis)")
    .option("--genesis <file>", "genesis.json of the --targets cluster")
    .option("--accounts-dir <dir>", "funded account key files of a --targets bank cluster")
    .option(
      "--sweep <k1,k2,...>",
      "closed-loop levels run in turn on one cluster; draws a latency/throughput chart",
      parseList,
    )
    .option("--json", "print the figures as one JSON line last (progress goes to stderr)", false)
    .option("--out <dir>", "results folder", d.out)
    .option("--keep", "keep the started cluster's folder (logs, stores)", false)
    .option("--cpu-prof", "run the validators under node --cpu-prof (profiles kept in the cluster folder)", false)
    .option(
      "--node-flags <flags>",
      'extra node/V8 flags of the validators it starts, space-separated (e.g. "--max-semi-space-size=16")',
      (v: string) => v.split(" ").filter((f) => f.length > 0),
    )
    .option(
      "--presign <n>",
      "transactions built (and signed) before the timed windows (0: an estimate from the load and the verify ceiling)",
      parseIntOption,
      0,
    )
    .action(async (c: BenchCliOptions) => {
      if (c.outstanding !== undefined && c.rate !== undefined)
        throw new InvalidArgumentError("--outstanding and --rate are exclusive: closed or open loop");
      const opts: BenchOptions = validateBenchOptions({
        validators: c.validators,
        app: c.app as BenchApp,
        payload: c.payload,
        mode:
          c.rate !== undefined
            ? { kind: "open", rate: c.rate }
            : { kind: "closed", outstanding: c.outstanding ?? 1600 },
        sweep: c.sweep ?? [],
        duration: c.duration,
        warmup: c.warmup,
        batch: c.batch,
        batchWaitMs: c.batchWait,
        txAuth: c.txAuth as TxAuth,
        txIndex: c.txIndex,
        accounts: c.accounts,
        targets: c.targets ?? [],
        genesis: c.genesis,
        accountsDir: c.accountsDir,
        out: c.out,
        keep: c.keep || c.cpuProf,
        cpuProf: c.cpuProf,
        nodeFlags: c.nodeFlags ?? [],
        presign: c.presign,
      });
      const say = (line: string) => (c.json ? console.error(line) : console.log(line));
      const results = await runBench(opts, { progress: say });
      const files = writeBenchResults(opts.out, results, opts.sweep.length > 0);
      for (const f of files) say(`wrote ${f}`);
      const summary = results.length === 1 ? results[0] : { kind: "ordo-bench-sweep", levels: results };
      if (c.json) console.log(JSON.stringify(summary));
    });
}
