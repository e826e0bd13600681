import { availableParallelism, cpus, loadavg } from "node:os";
import { CommitWatcher } from "@ordo/sdk";
import { toBase64 } from "@ordo/types";
import { type BenchOptions, LATER_LEVEL_WARMUP_S, modeLabel } from "./benchOptions.js";
import { type BenchTarget, openBenchTarget } from "./benchTarget.js";
import type { LatencySummary } from "./latencyStats.js";
import { LoadGenerator, type LoadMode } from "./loadGenerator.js";
import { CpuMeter, machineCpuSeconds, processCpuSeconds, processPeakRssBytes, processRssSplit } from "./procStats.js";
import { TxFactory } from "./txFactory.js";
import { measureVerifyRate, type VerifyRate } from "./verifyRate.js";

/** Everything one load level measured: what `--json` prints and the results folder keeps. */
export interface BenchResult {
  kind: "ordo-bench";
  at: string;
  label: string;
  config: {
    validators: number;
    app: string;
    txAuth: string;
    /** The started validators' storage.txIndex; null for --targets (their config is theirs). */
    txIndex: boolean | null;
    payloadBytes: number;
    mode: LoadMode;
    batch: number;
    batchWaitMs: number;
    warmupS: number;
    durationS: number;
    /** `--node-flags` given to the started validators, when any. */
    nodeFlags?: string[];
    accounts: number;
    targets: boolean;
  };
  machine: { cpus: number; model: string; node: string; loadavg1Before: number; loadavg1After: number };
  /** Committed (f + 1 confirmed) transactions of this bench per second of the timed window. */
  throughput: { txPerSec: number; committed: number; seconds: number; blocks: number; txsPerBlock: number };
  /** Submit (POST issued) -> f + 1 matching verified receipts, in ms, over the timed window. */
  latencyMs: LatencySummary;
  submitted: number;
  /** Committed with a non-zero result code. */
  failed: number;
  rejected: Record<string, number>;
  lost: number;
  postErrors: number;
  /** Cores busy during the window: each validator process, the bench process, the whole machine. */
  cpu: {
    validators: (number | null)[];
    validatorsTotal: number | null;
    generator: number;
    machine: number | null;
    /** Machine minus validators minus generator: other engineers' work on a shared machine. */
    others: number | null;
  };
  /** Peak RSS (VmHWM) of each validator process, MiB. */
  peakRssMiB: (number | null)[];
  /** Each validator's resident memory at the end of the window: anonymous and file-backed (LMDB map). */
  rssAtEndMiB: ({ anon: number; file: number } | null)[];
  /** builtInline: built on demand since the start (warm-ups included); builtInWindow: inside this window. */
  generator: { prebuilt: number; signed: boolean; builtInline: number; builtInWindow: number; prebuildSeconds: number };
  watcher: { fetches: number; rootsComputed: number; blocksConfirmed: number; conflicts: number; rejected: object };
  /** Signed runs: the Ed25519 ceiling of this machine and the share of it reached. */
  verify?: VerifyRate & { ceilingTxPerSec: number; achievedPct: number };
}

export interface BenchIo {
  /** Progress and notes (once a second while loading). */
  progress(line: string): void;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
/**
 * Transactions per second to build ahead for an unsigned closed-loop run (beyond is built inline,
 * at the generator's CPU in the window: keep it above the best rate seen, ~28,000).
 */
const UNSIGNED_PREBUILD_RATE = 40_000;

/** Warm-up before level `level` of a run: the whole `--warmup` first, a short settle after. */
function warmupOf(o: BenchOptions, level: number): number {
  return level === 0 ? o.warmup : Math.min(o.warmup, LATER_LEVEL_WARMUP_S);
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Accounts a load needs so that each account has about one transaction in flight (nonces execute in order). */
export function accountsFor(o: BenchOptions): number {
  if (o.app === "noop") return Math.min(o.accounts, 64);
  const levels = o.sweep.length > 0 ? o.sweep : o.mode.kind === "closed" ? [o.mode.outstanding] : [];
  const peak = o.mode.kind === "open" && o.sweep.length === 0 ? Math.ceil(o.mode.rate / 2) : Math.max(...levels);
  return Math.min(16_384, Math.max(o.accounts, 2 * peak));
}

/**
 * Runs the bench: measures the Ed25519 ceiling (signed runs), starts or attaches to the validators,
 * pre-signs, checks the commit watcher sees commits (one probe transaction), then for each load
 * level (one, or each of `--sweep`) warms up and measures a timed window. Always stops what it started.
 */
export async function runBench(o: BenchOptions, io: BenchIo): Promise<BenchResult[]> {
  const levels: LoadMode[] =
    o.sweep.length > 0 ? o.sweep.map((k) => ({ kind: "closed", outstanding: k }) as LoadMode) : [o.mode];
  let verify: VerifyRate | undefined;
  if (o.txAuth === "ed25519") {
    io.progress("measuring this machine's Ed25519 verify rate (VerificationPool, 2 threads) ...");
    verify = await measureVerifyRate(2);
    io.progress(`  ${verify.perSecond} signatures/s; ceiling ${Math.round(verify.perSecond / o.validators)} tx/s`);
  }
  const accounts = accountsFor(o);
  const loadBefore = loadavg()[0]!;
  io.progress(
    o.targets.length > 0
      ? `attaching to ${o.targets.join(", ")}`
      : `starting ${o.validators} validators (app ${o.app}, txAuth ${o.txAuth}, tx index ${o.txIndex ? "on" : "off"}, batch ${o.batch}, ${accounts} accounts) ...`,
  );
  const target = await openBenchTarget(o, accounts);
  const watcher = new CommitWatcher({
    urls: target.urls,
    chainId: target.chainId,
    validators: target.validators,
    rememberTxs: 0,
  }).start();
  try {
    const factory = new TxFactory({
      app: o.app,
      chainId: target.chainId,
      sign: o.txAuth === "ed25519",
      payloadBytes: o.payload,
      accounts: target.accounts,
      recipient: target.recipient,
    });
    let presignSeconds = 0;
    let presigned = 0;
    {
      // Every transaction of the timed windows is built (and signed) before them, so the generator's
      // own CPU in the window is submission and confirmation only; unsigned ones are cheap enough to
      // build for a generous rate, signed ones for a little more than the verify ceiling allows.
      const ceiling = verify ? verify.perSecond / o.validators : 10_000;
      const open = o.mode.kind === "open" && o.sweep.length === 0 ? o.mode.rate : undefined;
      const rate = open ?? (factory.signs ? ceiling * 1.3 : UNSIGNED_PREBUILD_RATE);
      const peakK = Math.max(0, ...levels.map((l) => (l.kind === "closed" ? l.outstanding : 0)));
      const cap = factory.signs ? 3_000_000 : 2_000_000;
      const loadSeconds = levels.reduce((sum, _, level) => sum + warmupOf(o, level) + o.duration, 0);
      presigned = o.presign || Math.min(cap, Math.ceil(rate * loadSeconds) + peakK);
      io.progress(`${factory.signs ? "pre-signing" : "pre-building"} ${presigned} transactions ...`);
      const t0 = performance.now();
      factory.prebuild(presigned);
      presignSeconds = r3((performance.now() - t0) / 1000);
      io.progress(
        `  ${presignSeconds} s (${Math.round(presigned / Math.max(presignSeconds, 0.001))} ${factory.signs ? "signatures" : "transactions"}/s)`,
      );
    }

    await probe(target, factory, watcher, o);
    const gen = new LoadGenerator(
      { urls: target.urls, mode: levels[0]!, routeByAccount: o.app !== "noop", maxTxsPerRequest: 2_000 },
      factory,
    );
    const off = watcher.onBlock((b) => gen.onConfirmedBlock(b));
    gen.start();
    const results: BenchResult[] = [];
    try {
      for (const [level, mode] of levels.entries()) {
        gen.setMode(mode);
        const label = modeLabel(mode);
        await phase(warmupOf(o, level), `${label} warm-up`, gen, target, io);
        gen.beginWindow();
        const cpu = new CpuMeter(target.pids);
        cpu.mark();
        const genCpu0 = process.cpuUsage();
        const machine0 = machineCpuSeconds();
        const watch0 = { ...watcher.stats };
        const inline0 = factory.builtInline;
        const t0 = performance.now();
        await phase(o.duration, label, gen, target, io);
        const seconds = (performance.now() - t0) / 1000;
        const validatorsCpu = cpu.read();
        const genUse = process.cpuUsage(genCpu0);
        const generatorCores = r3((genUse.user + genUse.system) / 1e6 / seconds);
        const machine1 = machineCpuSeconds();
        const machineCores = machine0 && machine1 ? r3((machine1.busy - machine0.busy) / seconds) : null;
        const known = validatorsCpu.every((c) => c !== undefined) && validatorsCpu.length > 0;
        const validatorsTotal = known ? r3(validatorsCpu.reduce((a, b) => a! + b!, 0)!) : null;
        const c = gen.counts;
        const txPerSec = Math.round(c.committed / seconds);
        const builtInWindow = factory.builtInline - inline0;
        const result: BenchResult = {
          kind: "ordo-bench",
          at: new Date().toISOString(),
          label,
          config: {
            validators: target.urls.length,
            app: target.genesisParams.app,
            txAuth: target.genesisParams.txAuth,
            txIndex: o.targets.length > 0 ? null : o.txIndex,
            payloadBytes: o.app === "bank" ? 49 : o.payload,
            mode,
            batch: target.genesisParams.maxTxsPerBlock,
            batchWaitMs: target.genesisParams.maxBatchWaitMs,
            warmupS: warmupOf(o, level),
            ...(o.nodeFlags.length > 0 ? { nodeFlags: o.nodeFlags } : {}),
            durationS: o.duration,
            accounts: target.accounts.length,
            targets: o.targets.length > 0,
          },
          machine: {
            cpus: availableParallelism(),
            model: cpus()[0]?.model ?? "unknown",
            node: process.version,
            loadavg1Before: r3(loadBefore),
            loadavg1After: r3(loadavg()[0]!),
          },
          throughput: {
            txPerSec,
            committed: c.committed,
            seconds: r3(seconds),
            blocks: c.blocks,
            txsPerBlock: c.blocks === 0 ? 0 : r1(c.committed / c.blocks),
          },
          latencyMs: gen.window.summary(),
          submitted: c.submitted,
          failed: c.failed,
          rejected: c.rejected,
          lost: c.lost,
          postErrors: gen.postErrors,
          cpu: {
            validators: validatorsCpu.map((x) => x ?? null),
            validatorsTotal,
            generator: generatorCores,
            machine: machineCores,
            others:
              machineCores !== null && validatorsTotal !== null
                ? r3(Math.max(0, machineCores - validatorsTotal - generatorCores))
                : null,
          },
          peakRssMiB: target.pids.map((pid) => {
            const b = processPeakRssBytes(pid);
            return b === undefined ? null : r1(b / 1024 / 1024);
          }),
          rssAtEndMiB: target.pids.map((pid) => {
            const r = processRssSplit(pid);
            return r ? { anon: r1(r.anon / 1024 / 1024), file: r1(r.file / 1024 / 1024) } : null;
          }),
          generator: {
            prebuilt: presigned,
            signed: factory.signs,
            builtInline: factory.builtInline,
            builtInWindow,
            prebuildSeconds: presignSeconds,
          },
          watcher: {
            fetches: watcher.stats.fetches - watch0.fetches,
            rootsComputed: watcher.stats.rootsComputed - watch0.rootsComputed,
            blocksConfirmed: watcher.stats.blocksConfirmed - watch0.blocksConfirmed,
            conflicts: watcher.stats.conflicts - watch0.conflicts,
            rejected: { ...watcher.stats.rejected },
          },
          ...(verify
            ? {
                verify: {
                  ...verify,
                  ceilingTxPerSec: Math.round(verify.perSecond / o.validators),
                  achievedPct: r1((100 * txPerSec) / (verify.perSecond / o.validators)),
                },
              }
            : {}),
        };
        results.push(result);
        if (builtInWindow > 0)
          io.progress(
            `note: the prebuilt transactions ran out: the generator built ${builtInWindow} inside the window on its own CPU, which the validators lacked (--presign N builds more ahead)`,
          );
        io.progress(
          `${label}: ${txPerSec} tx/s, latency p50 ${result.latencyMs.p50} p90 ${result.latencyMs.p90} p99 ${result.latencyMs.p99} max ${result.latencyMs.max} ms`,
        );
      }
    } finally {
      off();
      await gen.stop();
    }
    return results;
  } finally {
    await watcher.close();
    await target.stop();
  }
}

/** One transaction at a time until the watcher confirms one: its event streams are up and commits flow. */
async function probe(target: BenchTarget, factory: TxFactory, watcher: CommitWatcher, o: BenchOptions): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    const tx = factory.next();
    const wait = watcher.waitFor(tx.idHex, { timeoutMs: 2_000 });
    const url = target.urls[o.app === "noop" ? 0 : tx.account % target.urls.length]!;
    try {
      const res = await fetch(`${url}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ txs: [toBase64(tx.bytes)] }),
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await res.json()) as { results?: { accepted?: boolean; code?: string; message?: string }[] };
      const r = body.results?.[0];
      if (!r?.accepted) throw new Error(`probe refused: ${r?.code ?? res.status} ${r?.message ?? ""}`);
      await wait;
      return;
    } catch (err) {
      await wait.catch(() => {});
      last = (err as Error).message;
    }
  }
  throw new Error(`no probe transaction was confirmed by f + 1 validators within 60 s (last: ${last})`);
}

/** Lets the load run for `seconds`, printing one progress line per second. */
async function phase(seconds: number, what: string, gen: LoadGenerator, target: BenchTarget, io: BenchIo) {
  const start = performance.now();
  let cpu0 = target.pids.map(processCpuSeconds);
  let gen0 = process.cpuUsage();
  let last = start;
  for (let s = 1; s <= seconds; s++) {
    const wake = start + s * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, wake - performance.now())));
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    const cpu1 = target.pids.map(processCpuSeconds);
    const vcpu = cpu1.map((c, i) =>
      c === undefined || cpu0[i] === undefined ? "?" : ((c - cpu0[i]!) / dt).toFixed(2),
    );
    cpu0 = cpu1;
    const g = process.cpuUsage(gen0);
    gen0 = process.cpuUsage();
    const lat = gen.interval.summary();
    gen.interval.reset();
    const tps = Math.round(gen.intervalCommitted / dt);
    gen.intervalCommitted = 0;
    io.progress(
      `[${what} ${s}/${seconds}s] ${tps} tx/s  inflight ${gen.inflight}  p50 ${lat.p50} p99 ${lat.p99} ms  ` +
        `cpu ${vcpu.join(" ")}${vcpu.length ? " " : ""}gen ${((g.user + g.system) / 1e6 / dt).toFixed(2)}`,
    );
  }
}
