import { ConfigError } from "../errors.js";
import type { TxAuth } from "../genesis.js";
import type { LoadMode } from "./loadGenerator.js";
import type { BenchApp } from "./txFactory.js";

export interface BenchOptions {
  validators: number;
  app: BenchApp;
  /** Payload bytes of noop and kv transactions (bank transfers have their own fixed size). */
  payload: number;
  mode: LoadMode;
  /** Closed-loop levels to run one after another on the same cluster (a sweep); empty: one run of `mode`. */
  sweep: number[];
  /** Timed window per level, seconds. */
  duration: number;
  /**
   * Load before the first timed window, seconds (not measured); a sweep's later levels warm up
   * for at most LATER_LEVEL_WARMUP_S. V8 keeps compiling a validator's hot functions for tens of
   * seconds under load (`--trace-opt`: ~15 compiles/s at 5-20 s, ~8/s at 20-35 s, ~4/s after
   * 40 s), and the figures with 3 s of warm-up were 10-25 % below those after 20 s.
   */
  warmup: number;
  /** Genesis maxTxsPerBlock. */
  batch: number;
  /** Genesis maxBatchWaitMs. */
  batchWaitMs: number;
  txAuth: TxAuth;
  /** Validators' config storage.txIndex: index committed transactions by id (off: ordering-only deployments). */
  txIndex: boolean;
  /** Sending accounts (bank: funded at genesis). */
  accounts: number;
  /** Running validators to load instead of starting a cluster; needs `genesis`. */
  targets: string[];
  /** genesis.json of the target cluster. */
  genesis?: string;
  /** Folder of account key files (account<i>.json) for a bank target cluster. */
  accountsDir?: string;
  /** Results folder. */
  out: string;
  /** Keep the cluster's folder (logs, stores) after the run. */
  keep: boolean;
  /** Start validators under `node --cpu-prof`, profiles written to `<cluster dir>/profiles`. */
  cpuProf: boolean;
  /**
   * Extra `node` flags of the validators it starts, after the defaults (V8 takes the last of a
   * repeated flag): A/B a V8 or Node setting with the same code, e.g. `--max-semi-space-size=16`.
   */
  nodeFlags: string[];
  /** Transactions built (and signed) before the timed windows; 0: an estimate from the load and the verify ceiling. */
  presign: number;
}

/** A sweep's levels after the first change the load on a cluster already warm: a short settle is enough. */
export const LATER_LEVEL_WARMUP_S = 5;

export const defaultBenchOptions: Readonly<Omit<BenchOptions, "mode">> & { mode: LoadMode } = Object.freeze({
  validators: 4,
  app: "noop",
  payload: 8,
  mode: { kind: "closed", outstanding: 1600 },
  sweep: [],
  duration: 10,
  warmup: 20,
  batch: 400,
  batchWaitMs: 5,
  txAuth: "none",
  txIndex: true,
  accounts: 1024,
  targets: [],
  out: "results/bench",
  keep: false,
  cpuProf: false,
  nodeFlags: [],
  presign: 0,
}) as BenchOptions;

/** Checks every option; a bad one throws ConfigError naming it. */
export function validateBenchOptions(o: BenchOptions): BenchOptions {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ConfigError("INVALID_CONFIG", `bench option --${field} must be ${expected} (got ${JSON.stringify(got)})`);
  };
  const int = (v: number, field: string, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) fail(field, `an integer in ${min}..${max}`, v);
  };
  if (!["noop", "kv", "bank"].includes(o.app)) fail("app", "noop, kv or bank", o.app);
  if (o.txAuth !== "ed25519" && o.txAuth !== "none") fail("tx-auth", "ed25519 or none", o.txAuth);
  int(o.validators, "validators", 1, 64);
  int(o.payload, "payload", 0, 60_000);
  if (o.app === "kv" && o.payload > 4096) fail("payload", "at most 4096 for kv (its value limit)", o.payload);
  int(o.duration, "duration", 1, 3_600);
  int(o.warmup, "warmup", 0, 3_600);
  int(o.batch, "batch", 1, 100_000);
  int(o.batchWaitMs, "batch-wait", 0, 60_000);
  int(o.accounts, "accounts", 1, 100_000);
  int(o.presign, "presign", 0, 10_000_000);
  if (o.mode.kind === "closed") int(o.mode.outstanding, "outstanding", 1, 1_000_000);
  else if (!(o.mode.rate > 0 && o.mode.rate <= 10_000_000)) fail("rate", "a rate in (0, 10000000] tx/s", o.mode.rate);
  for (const k of o.sweep) int(k, "sweep", 1, 1_000_000);
  for (const t of o.targets) {
    if (!/^https?:\/\/[^/]+\/?$/.test(t)) fail("targets", "base URLs like http://127.0.0.1:8080", t);
  }
  if (o.targets.length > 0 && !o.genesis)
    fail("genesis", "the target cluster's genesis.json with --targets", o.genesis);
  if (o.targets.length > 0 && o.app === "bank" && !o.accountsDir)
    fail("accounts-dir", "the funded accounts' key folder with --targets and --app bank", o.accountsDir);
  if (o.targets.length > 0 && o.cpuProf) fail("cpu-prof", "used without --targets (it starts the validators)", true);
  for (const f of o.nodeFlags)
    if (!/^--[a-z0-9][\w-]*(=\S+)?$/i.test(f)) fail("node-flags", "flags like --name or --name=value", f);
  if (o.targets.length > 0 && o.nodeFlags.length > 0)
    fail("node-flags", "used without --targets (it starts the validators)", o.nodeFlags);
  return o;
}

/** A short name of a load level for files and charts: K=1600 or R=5000. */
export const modeLabel = (m: LoadMode): string => (m.kind === "closed" ? `K=${m.outstanding}` : `R=${m.rate}`);
