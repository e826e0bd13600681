import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyPair, ValidatorSet } from "@ordo/crypto";
import { OrdoError } from "@ordo/types";
import { Command, CommanderError } from "commander";
import type { CliIo } from "../../../src/cli/queryCommand.js";
import { registerQueryCommand } from "../../../src/cli/queryCommand.js";
import { registerStatusCommand } from "../../../src/cli/statusCommand.js";
import { registerTxCommand } from "../../../src/cli/txCommand.js";

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the client commands as `main` does (OrdoError: message on stderr, exit 1), capturing output. */
export async function runCli(args: string[]): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(`${l}\n`), err: (l) => err.push(`${l}\n`) };
  const program = new Command("ordo")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  registerTxCommand(program, io);
  registerQueryCommand(program, io);
  registerStatusCommand(program, io);
  let code = 0;
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else if (e instanceof OrdoError) {
      err.push(`error: ${e.message}\n`);
      code = 1;
    } else throw e;
  }
  return { code, out: out.join(""), err: err.join("") };
}

/** A temporary folder with a genesis.json for `validators` and key files. */
export class TempHome {
  readonly dir = mkdtempSync(join(tmpdir(), "ordo-cli-"));

  writeGenesis(chainId: string, validators: ValidatorSet): string {
    const file = join(this.dir, "genesis.json");
    const genesis = {
      chainId,
      genesisTime: new Date(0).toISOString(),
      validators: validators.toJSON(),
      app: { name: "bank", state: null },
    };
    writeFileSync(file, JSON.stringify(genesis));
    return file;
  }

  writeKey(name: string, key: KeyPair | string): string {
    const file = join(this.dir, name);
    writeFileSync(file, typeof key === "string" ? key : JSON.stringify(key.toJSON()));
    return file;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
