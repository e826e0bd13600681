import { Command, CommanderError } from "commander";
import { OrdoError } from "@ordo/types";
import { registerBenchCommand } from "./benchCommand.js";
import { registerDevnetCommand } from "./devnetCommand.js";
import { registerStartCommand } from "./startCommand.js";
import { registerQueryCommand } from "./queryCommand.js";
import { registerStatusCommand } from "./statusCommand.js";
import { registerTestnetCommand } from "./testnetCommand.js";
import { registerTxCommand } from "./txCommand.js";

/** The `ordo` command line. Each subcommand lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command("ordo")
    .description("Ordo: a Byzantine fault tolerant ordering service with a pluggable state machine")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  registerTestnetCommand(program);
  registerTxCommand(program);
  registerQueryCommand(program);
  registerStatusCommand(program);
  registerStartCommand(program);
  registerDevnetCommand(program);
  registerBenchCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof OrdoError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
