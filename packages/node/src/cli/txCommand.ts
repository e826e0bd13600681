import { BankCode, MAX_AMOUNT, transfer } from "@ordo/app-bank";
import { deleteOp, setOp } from "@ordo/app-kv";
import type { KeyPair } from "@ordo/crypto";
import type { Client, CommittedTx } from "@ordo/sdk";
import { Reader, toBase64 } from "@ordo/types";
import { type Command, InvalidArgumentError } from "commander";
import {
  addConnectionOptions,
  argBytes,
  CliError,
  type CliIo,
  type ConnectionOptions,
  connect,
  consoleIo,
  loadKeyFile,
  parsePublicKey,
} from "./queryCommand.js";

/**
 * `ordo tx bank transfer` and `ordo tx kv set|delete`: build the app payload, sign it with the
 * account key, submit it, and wait until f + 1 validators confirm the same result with verified
 * receipts. The nonce is the account's next one, asked of a validator, unless --nonce is given.
 */

interface TxOptions extends ConnectionOptions {
  key: string;
  nonce?: bigint;
}

/** Commander parser of an amount: a positive integer below 2^128. */
export function parseAmount(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  const amount = BigInt(value);
  if (amount === 0n) throw new InvalidArgumentError("the amount must be positive");
  if (amount > MAX_AMOUNT) throw new InvalidArgumentError(`"${value}" is above the largest amount, 2^128 - 1`);
  return amount;
}

/** Commander parser of a nonce: an unsigned 64-bit integer. */
export function parseNonce(value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) >= 1n << 64n)
    throw new InvalidArgumentError(`"${value}" is not an unsigned 64-bit integer`);
  return BigInt(value);
}

/** The bank account's next nonce, from the `account` query (an unknown account starts at 0). */
async function bankNonce(client: Client, sender: Uint8Array): Promise<bigint> {
  const r = await client.query("account", sender);
  if (r.code === BankCode.NOT_FOUND) return 0n;
  try {
    if (r.code !== 0) throw new Error(`code ${r.code}: ${r.log}`);
    return BigInt((JSON.parse(new TextDecoder().decode(r.value)) as { nonce: string }).nonce);
  } catch (err) {
    throw new CliError("BAD_ANSWER", `cannot read the account's nonce: ${(err as Error).message}; pass --nonce`);
  }
}

/** The kv sender's next nonce, from the `nonce` query (a u64). */
async function kvNonce(client: Client, sender: Uint8Array): Promise<bigint> {
  const r = await client.query("nonce", sender);
  try {
    if (r.code !== 0) throw new Error(`code ${r.code}: ${r.log}`);
    const reader = new Reader(r.value);
    const n = reader.bigU64("nonce");
    reader.end();
    return n;
  } catch (err) {
    throw new CliError("BAD_ANSWER", `cannot read the sender's nonce: ${(err as Error).message}; pass --nonce`);
  }
}

type NonceQuery = (client: Client, sender: Uint8Array) => Promise<bigint>;

async function sendTx(io: CliIo, opts: TxOptions, payload: Uint8Array, nonceOf: NonceQuery): Promise<void> {
  const key: KeyPair = loadKeyFile(opts.key);
  const client = connect(opts, key);
  let committed: CommittedTx;
  try {
    const nonce = opts.nonce ?? (await nonceOf(client, key.publicKey));
    const tx = await client.buildTx(payload, { nonce });
    const submitted = await client.submit(tx);
    io.out(`submitted ${submitted.idHex} (sender ${toBase64(key.publicKey)}, nonce ${nonce}) to ${submitted.url}`);
    committed = await client.waitForCommit(submitted.id, { timeoutMs: opts.timeout });
  } finally {
    client.close();
  }
  const { result } = committed;
  io.out(`committed at height ${committed.height}, index ${committed.index}`);
  io.out(`result code ${result.code}${result.code === 0 ? " (ok)" : ""}${result.log ? `: ${result.log}` : ""}`);
  io.out(
    `confirmed by validators ${committed.confirmedBy.join(", ")} (f + 1 = ${client.confirmations} of ${client.validators.n})`,
  );
  if (result.code !== 0)
    throw new CliError(
      "TX_FAILED",
      `the transaction was committed but failed with code ${result.code}: ${result.log}`,
      {
        code: result.code,
      },
    );
}

const keyOption = ["--key <file>", "the sender's key file (KeyPair JSON, e.g. accounts/account0.json)"] as const;
const nonceOption = [
  "--nonce <n>",
  "the sender's nonce (default: its next one, asked of a validator)",
  parseNonce,
] as const;

export function registerTxCommand(program: Command, io: CliIo = consoleIo): void {
  const tx = program
    .command("tx")
    .description("sign and submit a transaction, and wait for f + 1 validators to confirm it");

  const bank = tx.command("bank").description("the bank app");
  addConnectionOptions(
    bank
      .command("transfer")
      .description("transfer an amount to another account")
      .requiredOption("--to <pubkey>", "the recipient's public key, base64 or hex", parsePublicKey)
      .requiredOption("--amount <n>", "a positive integer below 2^128", parseAmount)
      .requiredOption(...keyOption)
      .option(...nonceOption),
  ).action((opts: TxOptions & { to: Uint8Array; amount: bigint }) =>
    sendTx(io, opts, transfer(opts.to, opts.amount), bankNonce),
  );

  const kv = tx.command("kv").description("the kv app");
  addConnectionOptions(
    kv
      .command("set")
      .description("set a key to a value")
      .argument("<key>", "the key (UTF-8, or hex with --hex)")
      .argument("<value>", "the value (UTF-8, or hex with --hex)")
      .requiredOption(...keyOption)
      .option("--hex", "key and value given in hex")
      .option(...nonceOption),
  ).action((key: string, value: string, opts: TxOptions & { hex?: boolean }) =>
    sendTx(io, opts, setOp(argBytes(key, !!opts.hex), argBytes(value, !!opts.hex)), kvNonce),
  );
  addConnectionOptions(
    kv
      .command("delete")
      .description("delete a key")
      .argument("<key>", "the key (UTF-8, or hex with --hex)")
      .requiredOption(...keyOption)
      .option("--hex", "key given in hex")
      .option(...nonceOption),
  ).action((key: string, opts: TxOptions & { hex?: boolean }) =>
    sendTx(io, opts, deleteOp(argBytes(key, !!opts.hex)), kvNonce),
  );
}
