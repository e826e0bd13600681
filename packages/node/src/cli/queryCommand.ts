import { existsSync } from "node:fs";
import { join } from "node:path";
import { decodeU128 } from "@ordo/app-bank";
import { KeyPair, type ValidatorSet } from "@ordo/crypto";
import { Client, type QueryResult } from "@ordo/sdk";
import { fromBase64, fromHex, OrdoError, toHex } from "@ordo/types";
import { type Command, InvalidArgumentError, Option } from "commander";
import { loadGenesis } from "../genesis.js";
import { homePaths } from "../home.js";
import { readJsonFile } from "../jsonFile.js";
import { parseIntOption } from "./options.js";

/**
 * `ordo query bank balance <pubkey>`, `ordo query kv get <key>`, and the connection options and
 * helpers every client command (tx, query) shares: where the chain id, validator set and node
 * URLs come from, and how key files and public keys are read.
 */

export type CliErrorCode = "MISSING_GENESIS" | "BAD_KEY_FILE" | "QUERY_FAILED" | "TX_FAILED" | "BAD_ANSWER";

/** A command failed for a reason the user can fix: `main` prints the message and exits 1. */
export class CliError extends OrdoError<CliErrorCode> {}

/** Where commands write: the console, or a test's buffers. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export interface ConnectionOptions {
  node: string[];
  home?: string;
  genesis?: string;
  timeout: number;
}

/** First HTTP port of the `ordo testnet` layout: validator i serves on 8080 + i. */
export const TESTNET_HTTP_BASE_PORT = 8080;

const collect = (value: string, previous: string[]) => [...previous, value];

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--node <url>", "validator HTTP URL, repeatable")
        .argParser(collect)
        .default([], "the testnet layout, http://127.0.0.1:8080+i"),
    )
    .option("--home <dir>", "a validator home (or a testnet folder holding node0/) to read genesis.json from")
    .option("--genesis <file>", "the chain's genesis.json (chain id and validator set)")
    .option("--timeout <ms>", "how long to wait for f + 1 validators", parseIntOption, 30_000);
}

export interface Chain {
  chainId: string;
  validators: ValidatorSet;
  urls: string[];
}

/** The chain id and validator set from --genesis or --home, and node URLs from --node or the testnet layout. */
export function resolveChain(opts: ConnectionOptions): Chain {
  let file = opts.genesis;
  if (!file && opts.home) {
    const direct = homePaths(opts.home).genesis;
    const testnet = homePaths(join(opts.home, "node0")).genesis;
    file = existsSync(direct) || !existsSync(testnet) ? direct : testnet;
  }
  if (!file)
    throw new CliError(
      "MISSING_GENESIS",
      "need the chain's genesis: pass --home <validator home or testnet folder> or --genesis <file>",
    );
  const genesis = loadGenesis(file);
  const urls =
    opts.node.length > 0
      ? opts.node
      : genesis.validators.validators.map((_, i) => `http://127.0.0.1:${TESTNET_HTTP_BASE_PORT + i}`);
  return { chainId: genesis.chainId, validators: genesis.validators, urls };
}

export function connect(opts: ConnectionOptions, key?: KeyPair): Client {
  const chain = resolveChain(opts);
  return new Client({ ...chain, ...(key ? { key } : {}), commitTimeoutMs: opts.timeout });
}

/** A client key file (KeyPair JSON, as `ordo testnet` writes to accounts/accountN.json). */
export function loadKeyFile(path: string): KeyPair {
  const json = readJsonFile(path, "key file");
  try {
    return KeyPair.fromJSON(json);
  } catch (err) {
    throw new CliError("BAD_KEY_FILE", `bad key file ${path}: ${(err as Error).message}`, { path });
  }
}

/** Commander parser of a 32-byte public key in base64 or hex. */
export function parsePublicKey(value: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = /^[0-9a-fA-F]{64}$/.test(value) ? fromHex(value) : fromBase64(value);
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== 32) throw new InvalidArgumentError(`"${value}" is not a 32-byte public key in base64 or hex`);
  return bytes;
}

/** A key or value argument: UTF-8 text, or hex with --hex. */
export function argBytes(value: string, hex: boolean): Uint8Array {
  if (!hex) return new TextEncoder().encode(value);
  try {
    return fromHex(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not hex`);
  }
}

async function runQuery(
  opts: ConnectionOptions & { quorum?: boolean },
  path: string,
  data: Uint8Array,
): Promise<QueryResult> {
  const client = connect(opts);
  try {
    return opts.quorum
      ? await client.queryQuorum(path, data, { timeoutMs: opts.timeout })
      : await client.query(path, data);
  } finally {
    client.close();
  }
}

function checked(r: QueryResult, what: string): QueryResult {
  if (r.code !== 0) throw new CliError("QUERY_FAILED", `${what}: code ${r.code}: ${r.log}`, { code: r.code });
  return r;
}

const origin = (r: QueryResult) => `height ${r.height}, from ${r.urls.join(", ")}`;

export function registerQueryCommand(program: Command, io: CliIo = consoleIo): void {
  const query = program.command("query").description("read application state from running validators");
  const quorumFlag = "--quorum";
  const quorumHelp = "require f + 1 validators to give the same answer at the same height";

  const bank = query.command("bank").description("the bank app");
  addConnectionOptions(
    bank
      .command("balance")
      .description("an account's balance")
      .argument("<pubkey>", "the account's public key, base64 or hex", parsePublicKey)
      .option(quorumFlag, quorumHelp),
  ).action(async (pubkey: Uint8Array, opts: ConnectionOptions & { quorum?: boolean }) => {
    const r = checked(await runQuery(opts, "balance", pubkey), "balance query failed");
    let balance: bigint;
    try {
      balance = decodeU128(r.value);
    } catch {
      throw new CliError("BAD_ANSWER", `the balance answer is not a u128 (${r.value.length} bytes)`);
    }
    io.out(balance.toString());
    io.out(origin(r));
  });

  const kv = query.command("kv").description("the kv app");
  addConnectionOptions(
    kv
      .command("get")
      .description("a key's value")
      .argument("<key>", "the key (UTF-8, or hex with --hex)")
      .option("--hex", "key given in hex, value printed in hex")
      .option(quorumFlag, quorumHelp),
  ).action(async (key: string, opts: ConnectionOptions & { quorum?: boolean; hex?: boolean }) => {
    const r = checked(await runQuery(opts, "get", argBytes(key, !!opts.hex)), `no value for ${key}`);
    io.out(opts.hex ? toHex(r.value) : new TextDecoder().decode(r.value));
    io.out(origin(r));
  });
}
