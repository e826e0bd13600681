import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { followCommits } from "../devnet/commitFeed.js";
import { runDemoTransfers } from "../devnet/demoTransfers.js";
import { LocalCluster } from "../devnet/localCluster.js";
import { parseIntOption } from "./options.js";
import { shutdownSignal } from "./startCommand.js";

interface DevnetOptions {
  validators: number;
  app: string;
  dir?: string;
  accounts: number;
  logs: boolean;
  demo: boolean;
}

export function registerDevnetCommand(program: Command): void {
  program
    .command("devnet")
    .description("run a whole local cluster (one process per validator) on loopback; Ctrl-C stops it cleanly")
    .option("--validators <n>", "number of validators", parseIntOption, 4)
    .option("--app <name>", "application: bank, kv, or a path to your own package", "bank")
    .option("--dir <dir>", "testnet folder; reused if it already holds one (default: a new temporary folder)")
    .option("--accounts <n>", "client accounts to create and fund", parseIntOption, 8)
    .option("--logs", "print every validator's log lines", false)
    .option("--demo", "send a stream of demo bank transfers and print what the client confirms", false)
    .action(async (opts: DevnetOptions) => {
      const dir = resolve(opts.dir ?? join(tmpdir(), `ordo-devnet-${Date.now()}`));
      const signal = shutdownSignal();
      console.log(`starting ${opts.validators} validators (app ${opts.app}) in ${dir} ...`);
      const cluster = await LocalCluster.start({
        dir,
        validators: opts.validators,
        app: opts.app,
        accounts: opts.accounts,
        onOutput: opts.logs ? (i, line) => console.log(`[node${i}] ${line}`) : undefined,
      });
      console.log("devnet running:");
      cluster.urls.forEach((u, i) => {
        console.log(`  validator ${i}: ${u}   (logs: ${join(dir, `node${i}.log`)})`);
      });
      console.log(`  client account keys: ${join(dir, "accounts")}`);
      console.log("Ctrl-C stops every validator.");

      const abort = new AbortController();
      const feed = followCommits(
        cluster.urls[0]!,
        (e) => {
          if (e.txCount > 0) console.log(`height ${e.height}: ${e.txCount} txs, app hash ${e.appHash.slice(0, 16)}…`);
        },
        abort.signal,
      ).catch((err) => console.error(`commit feed: ${(err as Error).message}`));
      const demo = opts.demo
        ? runDemoTransfers(cluster, abort.signal, {
            concurrency: 4,
            pauseMs: 250,
            print: (line) => console.log(line),
          }).catch((err) => console.error(`demo: ${(err as Error).message}`))
        : Promise.resolve();

      await signal;
      console.log("stopping the devnet ...");
      abort.abort();
      await Promise.allSettled([feed, demo]);
      await cluster.stop();
      console.log(`stopped; the chain is kept in ${dir} (reuse it with --dir)`);
    });
}
