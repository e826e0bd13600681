import { resolve } from "node:path";
import type { Command } from "commander";
import { Validator } from "../validator/validator.js";
import { parseIntOption } from "./options.js";

/** Resolves on the first SIGINT or SIGTERM. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      done(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description("run one validator from its home folder (config.json, genesis.json, key.json, data/)")
    .requiredOption("--home <dir>", "the validator's home folder (written by 'ordo testnet')")
    .option("--http-port <port>", "HTTP API port (overrides config.json)", parseIntOption)
    .action(async (opts: { home: string; httpPort?: number }) => {
      const validator = await Validator.open(resolve(opts.home), { httpPort: opts.httpPort });
      // A promise rejected with nobody listening is a bug, but a node must not go down for one
      // (it may come from a peer closing a stream at the wrong moment): log it loudly and go on.
      process.on("unhandledRejection", (reason) => {
        validator.log.error(
          { err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) },
          "unhandled promise rejection (a bug; the node keeps running)",
        );
      });
      const signal = shutdownSignal();
      await validator.start();
      const sig = await signal;
      validator.log.info({ signal: sig }, "shutting down");
      await validator.stop();
    });
}
