import { readFileSync } from "node:fs";
import { join } from "node:path";
import { transfer } from "@ordo/app-bank";
import { KeyPair } from "@ordo/crypto";
import { Client } from "@ordo/sdk";
import { loadGenesis } from "../genesis.js";
import type { LocalCluster } from "./localCluster.js";

export interface DemoOptions {
  /** Transfers in flight at once. */
  concurrency: number;
  /** Pause of each sender between transfers, so a person can read along (0: as fast as it goes). */
  pauseMs?: number;
  /** Called with one line per confirmed transfer. */
  print: (line: string) => void;
}

/**
 * A stream of bank transfers between the devnet's funded accounts, each sent through the sdk Client
 * and reported once f + 1 validators returned matching, verified receipts. Runs until `signal` aborts.
 */
export async function runDemoTransfers(cluster: LocalCluster, signal: AbortSignal, opts: DemoOptions): Promise<void> {
  const genesis = loadGenesis(join(cluster.dir, "node0", "genesis.json"));
  const accounts = cluster.accountKeyFiles.map((f) => KeyPair.fromJSON(JSON.parse(readFileSync(f, "utf8"))));
  if (accounts.length < 2) throw new Error("the demo needs at least two funded accounts");
  // A reused devnet folder keeps its chain: each account's first nonce comes from the bank itself.
  const client: Client = new Client({
    urls: cluster.urls,
    chainId: genesis.chainId,
    validators: genesis.validators,
    startNonce: async (sender) => {
      const r = await client.query("account", sender);
      return r.code === 0 ? BigInt(JSON.parse(new TextDecoder().decode(r.value)).nonce) : 0n;
    },
  });
  // Each worker owns its sender accounts, so nonces never race between workers.
  const workers = Math.min(opts.concurrency, accounts.length);
  let sent = 0;
  const worker = async (w: number) => {
    const mine = accounts.map((_, i) => i).filter((i) => i % workers === w);
    for (let round = 0; !signal.aborted; round++) {
      const fromIndex = mine[round % mine.length]!;
      const from = accounts[fromIndex]!;
      const toIndex = (fromIndex + 1 + (round % (accounts.length - 1))) % accounts.length;
      const amount = BigInt(1 + ((round * 7 + w) % 50));
      const n = ++sent;
      try {
        const done = await client.send(transfer(accounts[toIndex]!.publicKey, amount), { key: from });
        opts.print(
          `transfer #${n}: account${fromIndex} -> account${toIndex} ${amount} — height ${done.height}, ` +
            `code ${done.result.code}, confirmed by validators ${done.confirmedBy.join(",")}`,
        );
      } catch (err) {
        if (signal.aborted) return;
        opts.print(`transfer #${n} failed: ${(err as Error).message}`);
        client.setNonce(from.publicKey, undefined);
      }
      if (opts.pauseMs) await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  } finally {
    client.close();
  }
}
