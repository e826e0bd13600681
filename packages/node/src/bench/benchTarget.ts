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

  let cluster: LocalCluster | undefined;
  let dir = "";
  const failures: string[] = [];
  // A validator can fail to start on a shared machine (a port taken between choosing and binding it,
  // say): try again in a new folder with new ports, keeping the failed folder's logs.
  for (let attempt = 1; attempt <= 3 && !cluster; attempt++) {
    dir = mkdtempSync(join(tmpdir(), "ordo-bench-"));
    try {
      cluster = await startCluster(o, dir, accounts);
    } catch (err) {
      // LocalCluster.start has stopped whatever it started.
      failures.push(`${(err as Error).message}${lastLogLine(err)}`);
    }
  }
  if (!cluster) throw new Error(`the cluster did not start (3 attempts): ${failures.join("; ")}`);
  const started = cluster;
  const genesis = loadGenesis(join(dir, "node0", "genesis.json"));
  const keys =
    o.app === "bank"
      ? started.accountKeyFiles.map((f) => KeyPair.fromJSON(JSON.parse(readFileSync(f, "utf8"))))
      : localKeys(accounts);
  return {
    urls: cluster.urls,
    chainId: genesis.chainId,
    validators: genesis.validators,
    pids: started.members.map((m) => m.child?.pid ?? 0),
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
      await started.stop();
      if (!o.keep && !o.cpuProf) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startCluster(o: BenchOptions, dir: string, accounts: number): Promise<LocalCluster> {
  const profileDir = join(dir, "profiles");
  if (o.cpuProf) mkdirSync(profileDir, { recursive: true });
  return LocalCluster.start({
    dir,
    validators: o.validators,
    app: o.app,
    accounts: o.app === "bank" ? accounts : 1,
    txAuth: o.txAuth,
    txIndex: o.txIndex,
    consensus: { maxTxsPerBlock: o.batch, maxBatchWaitMs: o.batchWaitMs },
    readyTimeoutMs: 60_000,
    // Profiles are written when a validator exits cleanly (the cluster stops them with SIGTERM).
    nodeArgs: [...o.nodeFlags, ...(o.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
  });
}

/** The last line of the log a LocalCluster start error points at, if any. */
function lastLogLine(err: unknown): string {
  const m = /see (\S+\.log)/.exec((err as Error).message);
  if (!m) return "";
  try {
    const lines = readFileSync(m[1]!, "utf8").trim().split("\n");
    return ` (last log line: ${lines[lines.length - 1]!.slice(0, 300)})`;
  } catch {
    return "";
  }
}
