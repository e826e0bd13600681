import { resolve } from "node:path";
import type { Command } from "commander";
import { generateTestnet } from "../testnet.js";
import { parseIntOption } from "./options.js";

export function registerTestnetCommand(program: Command): void {
  program
    .command("testnet")
    .description("write keys, a shared genesis and one config per validator, on loopback ports")
    .requiredOption("--out <dir>", "folder to write node0..nodeN-1 and accounts/ into")
    .option("--validators <n>", "number of validators", parseIntOption, 4)
    .option("--app <name>", "application: bank, kv, or a path to your own package", "bank")
    .option("--chain-id <id>", "chain id (default: a random devnet id)")
    .option("--accounts <n>", "client accounts to create and fund", parseIntOption, 8)
    .option("--p2p-port <port>", "first libp2p port", parseIntOption, 26600)
    .option("--http-port <port>", "first HTTP API port", parseIntOption, 8080)
    .option("--tx-auth <mode>", "ed25519 (default) or none (permissioned ordering only)", "ed25519")
    .option(
      "--retain-blocks <n>",
      "prune committed blocks more than n below the executed height (0: keep all)",
      parseIntOption,
      0,
    )
    .action((opts) => {
      const layout = generateTestnet({
        validators: opts.validators,
        out: resolve(opts.out),
        app: opts.app,
        chainId: opts.chainId,
        accounts: opts.accounts,
        p2pBasePort: opts.p2pPort,
        httpBasePort: opts.httpPort,
        txAuth: opts.txAuth,
        retainBlocks: opts.retainBlocks,
      });
      console.log(`chain ${layout.genesis.chainId}: ${layout.homes.length} validators, app ${layout.genesis.app.name}`);
      layout.homes.forEach((home, i) => {
        console.log(`  ${home}  (HTTP ${layout.httpUrls[i]})`);
      });
      console.log(`  ${layout.accountKeyFiles.length} funded client accounts in ${resolve(opts.out, "accounts")}`);
      console.log(`start one with: ordo start --home ${layout.homes[0]}`);
    });
}
