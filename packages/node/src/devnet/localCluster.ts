import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createWriteStream, existsSync, openSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadHome } from "../home.js";
import { generateTestnet, type TestnetOptions } from "../testnet.js";
import { freePortRuns } from "./freePorts.js";

export interface LocalClusterOptions {
  /** Folder for the testnet (homes, accounts, logs). Reused when it already holds one. */
  dir: string;
  validators: number;
  app: string;
  accounts?: number;
  txAuth?: TestnetOptions["txAuth"];
  /** Every validator's storage.retainBlocks (new testnets only). */
  retainBlocks?: number;
  /** Every validator's storage.txIndex (new testnets only). */
  txIndex?: boolean;
  /** First ports; default: free ports chosen by the OS. */
  p2pBasePort?: number;
  httpBasePort?: number;
  /** Genesis consensus parameters to override (new testnets only). */
  consensus?: TestnetOptions["consensus"];
  /** Receives every output line of every validator, prefixed by its index. */
  onOutput?: (validator: number, line: string) => void;
  /** Extra environment variables of validator i's process. */
  env?: (validator: number) => NodeJS.ProcessEnv;
  /** Extra `node` flags of every validator process (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** How long to wait for each validator's API to answer, in ms. */
  readyTimeoutMs?: number;
}

interface Member {
  home: string;
  url: string;
  child?: ChildProcess;
  exited?: Promise<number | null>;
  log?: WriteStream;
}

/**
 * V8 heap flags of every validator process. A young generation of up to 32 MiB per semi-space
 * (V8's default is 16) lets a transaction's objects, which live for a few blocks, die young
 * instead of being promoted and collected by the old generation: fewer page faults and less GC.
 * `npm run bench`, 3 interleaved rounds each: 15,528 -> 16,767 tx/s after 3 s of warm-up, 16,058
 * (16 forced) -> 17,523 after 20 s. Operators running `ordo start`
 * pass the same with NODE_OPTIONS (README).
 */
export const VALIDATOR_NODE_FLAGS: readonly string[] = Object.freeze(["--max-semi-space-size=32"]);

/** The `ordo` entry point: the TypeScript sources under tsx in the monorepo, the build otherwise. */
function cliCommand(): string[] {
  const here = import.meta.url;
  if (here.endsWith(".ts"))
    return ["--conditions=source", "--import=tsx", fileURLToPath(new URL("../cli/run.ts", here))];
  return [fileURLToPath(new URL("../cli/run.js", here))];
}

/**
 * A whole local cluster of real validator processes (`ordo start`) on loopback: what `ordo devnet`,
 * the end-to-end tests and `ordo bench` run. Each validator's output goes to `<dir>/nodeN.log`.
 */
export class LocalCluster {
  readonly dir: string;
  readonly members: Member[];
  readonly accountKeyFiles: string[];
  readonly #opts: LocalClusterOptions;

  private constructor(opts: LocalClusterOptions, members: Member[], accountKeyFiles: string[]) {
    this.dir = opts.dir;
    this.#opts = opts;
    this.members = members;
    this.accountKeyFiles = accountKeyFiles;
  }

  /** Writes a testnet into `dir` (unless one is there) and starts every validator; resolves when all answer. */
  static async start(opts: LocalClusterOptions): Promise<LocalCluster> {
    const homes = Array.from({ length: opts.validators }, (_, i) => join(opts.dir, `node${i}`));
    let accountKeyFiles: string[];
    if (!existsSync(join(homes[0]!, "genesis.json"))) {
      // Validator i uses base + i: runs of free ports, one for libp2p and one for HTTP.
      const ports =
        opts.p2pBasePort === undefined || opts.httpBasePort === undefined ? await freePortRuns(2, opts.validators) : [];
      const layout = generateTestnet({
        validators: opts.validators,
        out: opts.dir,
        app: opts.app,
        accounts: opts.accounts,
        txAuth: opts.txAuth,
        consensus: opts.consensus,
        retainBlocks: opts.retainBlocks,
        txIndex: opts.txIndex,
        p2pBasePort: opts.p2pBasePort ?? ports[0]!,
        httpBasePort: opts.httpBasePort ?? ports[1]!,
      });
      accountKeyFiles = layout.accountKeyFiles;
    } else {
      accountKeyFiles = Array.from({ length: opts.accounts ?? 8 }, (_, i) =>
        join(opts.dir, "accounts", `account${i}.json`),
      ).filter((f) => existsSync(f));
    }
    const members = homes.map((home) => {
      const cfg = loadHome(home).config;
      return { home, url: `http://${cfg.http.host}:${cfg.http.port}` };
    });
    const cluster = new LocalCluster(opts, members, accountKeyFiles);
    try {
      for (let i = 0; i < members.length; i++) cluster.startValidator(i);
      await Promise.all(members.map((_, i) => cluster.waitReady(i)));
    } catch (err) {
      // Stop the ones that did start: the caller gets no cluster to stop, and their pipes would
      // keep this process alive.
      await Promise.all(members.map((_, i) => cluster.stopValidator(i, "SIGKILL").catch(() => null)));
      for (const m of cluster.members) m.log?.end();
      throw err;
    }
    return cluster;
  }

  get urls(): string[] {
    return this.members.map((m) => m.url);
  }

  /** Starts validator `i` (again, after stop or kill). */
  startValidator(i: number): void {
    const m = this.members[i]!;
    if (m.child && m.child.exitCode === null && m.child.signalCode === null)
      throw new Error(`validator ${i} is running`);
    const logPath = join(this.dir, `node${i}.log`);
    const args = [...VALIDATOR_NODE_FLAGS, ...(this.#opts.nodeArgs ?? []), ...cliCommand(), "start", "--home", m.home];
    const env = { ...process.env, ...this.#opts.env?.(i) };
    // Nobody reads the output without onOutput: the validator then appends to its log itself,
    // rather than every line passing through this process (the bench's load generator runs in it).
    const onOutput = this.#opts.onOutput;
    const fd = onOutput ? undefined : openSync(logPath, "a");
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, {
        stdio: fd === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", fd, fd],
        env,
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    m.child = child;
    m.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    if (!onOutput) return;
    m.log ??= createWriteStream(logPath, { flags: "a" });
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = "";
      stream.on("data", (chunk: Buffer) => {
        m.log?.write(chunk);
        const lines = (rest + chunk.toString("utf8")).split("\n");
        rest = lines.pop()!;
        for (const line of lines) onOutput(i, line);
      });
    }
  }

  /** Resolves once validator `i` answers GET /v1/status; rejects if it exits first or the timeout passes. */
  async waitReady(i: number): Promise<void> {
    const m = this.members[i]!;
    const deadline = Date.now() + (this.#opts.readyTimeoutMs ?? 30_000);
    let exited = false;
    void m.exited?.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`validator ${i} exited during start; see ${join(this.dir, `node${i}.log`)}`);
      try {
        const res = await fetch(`${m.url}/v1/status`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`validator ${i} did not answer on ${m.url} within the timeout`);
  }

  /** Sends `signal` to validator `i` and waits for it to exit; resolves with its exit code. */
  async stopValidator(i: number, signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number | null> {
    const m = this.members[i]!;
    const child = m.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await m.exited!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every validator (SIGTERM, SIGKILL after the timeout) and closes the logs. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.stopValidator(i)));
    for (const m of this.members) m.log?.end();
  }
}
