import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyPair, type ValidatorSet } from "@ordo/crypto";
import { sha256 } from "@ordo/types";
import { LocalCluster } from "../devnet/localCluster.js";
import { loadGenesis } from "../genesis.js";
import type { BenchOptions } from "./benchOptions.js";

/** The validators a bench loads: started here (LocalCluster) or already running (--targets). */
export interface BenchTarget {
  urls: string[];
  chainId: string;
  validators: ValidatorSet;
  /** Validator process ids (empty for --targets: their CPU is not measured). */
  pids: number[];
  /** The started cluster's folder, if any. */
  dir?: string;
  /** Sending accounts (bank: funded at genesis). */
  accounts: KeyPair[];
  /** Recipient of bank transfers: no sender's key. */
  recipient: Uint8Array;
  genesisParams: { txAuth: string; maxTxsPerBlock: number; maxBatchWaitMs: number; app: string };
  stop(): Promise<void>;
}

/** Deterministic client keys for apps that need no funding (noop, kv). */
const localKeys = (n: number) =>
  Array.from({ length: n }, (_, i) => KeyPair.fromSeed(sha256(new TextEncoder().encode(`ordo bench account ${i}`))));

const RECIPIENT = KeyPair.fromSeed(sha256(new TextEncoder().encode("ordo bench recipient"))).publicKey;

/** Starts `o.validators` validator processes on loopback (or attaches to `o.targets`). */
export async function openBenchTarget(o: BenchOptions, accounts: number): Promise<BenchTarget> {
  if (o.targets.length > 0) {
    const genesis = loadGenesis(o.genesis!);
    let keys: KeyPair[];
    if (o.app === "bank") {
      const files = readdirSync(o.accountsDir!).filter((f) => /^account\d+\.json$/.test(f));
      keys = files.map((f) => KeyPair.fromJSON(JSON.parse(readFileSync(join(o.accountsDir!, f), "utf8"))));
    } else keys = localKeys(accounts);
    return {
      urls: o.targets.map((t) => t.replace(/\/+$/, "")),
      chainId: genesis.chainId,
      validators: genesis.validators,
      pids: [],
      accounts: keys,
      recipient: RECIPIENT,
      genesisParams: {
        txAuth: genesis.txAuth,
        maxTxsPerBlock: genesis.consensus.maxTxsPerBlock,
        maxBatchWaitMs: genesis.consensus.maxBatchWaitMs,
        app: genesis.app.name,
      },
      stop: async () => {},
    };
  }

  const dir = mkdtempSync(join(tmpdir(), "ordo-bench-"));
  const profileDir = join(dir, "profiles");
  const savedNodeOptions = process.env.NODE_OPTIONS;
  if (o.cpuProf) {
    mkdirSync(profileDir, { recursive: true });
    // LocalCluster spawns `node` with the parent's environment: the profiler flags ride along.
    process.env.NODE_OPTIONS = `${savedNodeOptions ?? ""} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  }
  let cluster: LocalCluster;
  try {
    cluster = await LocalCluster.start({
      dir,
      validators: o.validators,
      app: o.app,
      accounts: o.app === "bank" ? accounts : 1,
      txAuth: o.txAuth,
      consensus: { maxTxsPerBlock: o.batch, maxBatchWaitMs: o.batchWaitMs },
      readyTimeoutMs: 60_000,
    });
  } catch (err) {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    if (o.cpuProf) {
      if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = savedNodeOptions;
    }
  }
  const genesis = loadGenesis(join(dir, "node0", "genesis.json"));
  const keys =
    o.app === "bank"
      ? cluster.accountKeyFiles.map((f) => KeyPair.fromJSON(JSON.parse(readFileSync(f, "utf8"))))
      : localKeys(accounts);
  return {
    urls: cluster.urls,
    chainId: genesis.chainId,
    validators: genesis.validators,
    pids: cluster.members.map((m) => m.child?.pid ?? 0),
    dir,
    accounts: keys,
    recipient: RECIPIENT,
    genesisParams: {
      txAuth: genesis.txAuth,
      maxTxsPerBlock: genesis.consensus.maxTxsPerBlock,
      maxBatchWaitMs: genesis.consensus.maxBatchWaitMs,
      app: genesis.app.name,
    },
    stop: async () => {
      await cluster.stop();
      if (!o.keep && !o.cpuProf) rmSync(dir, { recursive: true, force: true });
    },
  };
}
