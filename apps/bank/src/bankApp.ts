import {
  type AppFactory,
  type AppFactoryOptions,
  BaseApplication,
  bytesEqual,
  type BlockContext,
  Code,
  CodecError,
  fail,
  fromBase64,
  ok,
  OrdoError,
  Reader,
  type StateBackend,
  type TxContext,
  type TxOutcome,
  toBase64,
} from "@ordo/sdk";
import { decodePayload, decodeU128, encodeU128, MAX_AMOUNT, readU128 } from "./payload.js";

/** genesis.json's bank `app.state` is malformed: the node refuses to start the chain. */
export class BankGenesisError extends OrdoError<"INVALID_GENESIS"> {}

/** Why a bank transaction was refused. */
export const BankCode = {
  /** Zero amount. */
  INVALID_AMOUNT: 101,
  /** The transaction's nonce is not the sender's next nonce (a replay, or out of order). */
  NONCE_MISMATCH: 102,
  /** The sender's balance is below the amount: no overdraft. */
  INSUFFICIENT_FUNDS: 103,
  /** The sender has no account (never funded). */
  UNKNOWN_SENDER: 104,
  /** Sender and recipient are the same account. */
  SELF_TRANSFER: 105,
  /** A recipient balance would exceed 2^128 - 1. */
  BALANCE_OVERFLOW: 106,
  /** Query: no account under this public key. */
  NOT_FOUND: 107,
  /** checkTx: the nonce is further than MAX_NONCE_AHEAD past the account's next nonce. */
  NONCE_TOO_FAR: 108,
} as const;

/** An account as stored: balance u128, then nonce u64, big-endian (24 bytes). */
const ACCOUNT_BYTES = 24;

// Written byte by byte, never through `.buffer` or a Writer: reading the buffer of a small typed
// array makes V8 move its bytes to a new backing store (see README, eighth session), and a Writer's
// pooled bytes and DataView cost ~0.8 us a transfer more (`npm run bench:bank`). Read with the codec.
function encodeAccount(a: Account): Uint8Array {
  const bytes = new Uint8Array(ACCOUNT_BYTES);
  writeU64(bytes, 0, a.balance >> 64n);
  writeU64(bytes, 8, BigInt.asUintN(64, a.balance));
  writeU64(bytes, 16, a.nonce);
  return bytes;
}

function decodeAccount(bytes: Uint8Array): Account {
  const r = new Reader(bytes);
  const balance = readU128(r);
  const nonce = r.bigU64();
  r.end();
  return { balance, nonce };
}

const TWO_32 = 0x1_0000_0000;

function writeU64(out: Uint8Array, at: number, v: bigint): void {
  // Below 2^53 (every nonce, and balances but the largest) one exact Number gives both halves.
  const small = v <= 0x1f_ffff_ffff_ffffn;
  const n = small ? Number(v) : 0;
  writeU32(out, at, small ? Math.floor(n / TWO_32) : Number(v >> 32n));
  writeU32(out, at + 4, small ? n >>> 0 : Number(v & 0xffff_ffffn));
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/**
 * checkTx admits nonces up to this far past the account's next one, so a client may have many
 * transfers in flight (each only executes in nonce order); a smaller nonce is a replay and refused.
 */
export const MAX_NONCE_AHEAD = 1024n;

export interface Account {
  balance: bigint;
  /** The nonce the account's next transaction must carry. */
  nonce: bigint;
}

export interface BankGenesis {
  accounts: { publicKey: string; balance: string }[];
}

const enc = new TextEncoder();
const ACCOUNT_PREFIX = enc.encode("acct/");
const SUPPLY_KEY = enc.encode("supply");

const accountKey = (pk: Uint8Array): Uint8Array => {
  const k = new Uint8Array(ACCOUNT_PREFIX.length + pk.length);
  k.set(ACCOUNT_PREFIX);
  k.set(pk, ACCOUNT_PREFIX.length);
  return k;
};

/**
 * A bank ledger: balances minted at genesis, transfers between accounts with per-account nonces,
 * no overdraft, amounts as unsigned 128-bit integers (bigint), total supply conserved.
 */
export class BankApp extends BaseApplication {
  constructor(backend?: StateBackend) {
    super(backend);
    this.queries = {
      balance: (pk) => ok(encodeU128(this.account(pk)?.balance ?? 0n)),
      account: (pk) => {
        const a = this.account(pk);
        return a
          ? ok(enc.encode(JSON.stringify({ balance: a.balance.toString(), nonce: a.nonce.toString() })))
          : fail(BankCode.NOT_FOUND, "no such account");
      },
      supply: () => ok(encodeU128(this.supply())),
    };
  }

  account(publicKey: Uint8Array): Account | undefined {
    if (publicKey.length !== 32) return undefined;
    const bytes = this.store.get(accountKey(publicKey));
    return bytes ? decodeAccount(bytes) : undefined;
  }

  supply(): bigint {
    const bytes = this.store.get(SUPPLY_KEY);
    return bytes ? decodeU128(bytes) : 0n;
  }

  /** Every account, in key order (for invariant checks and the dashboard). */
  accounts(): [string, Account][] {
    return this.store.scan(ACCOUNT_PREFIX).map(([k]) => {
      const pk = k.subarray(ACCOUNT_PREFIX.length);
      return [toBase64(pk), this.account(pk)!];
    });
  }

  protected override genesis(appState: unknown): void {
    const state = appState as Partial<BankGenesis> | null;
    if (!state || !Array.isArray(state.accounts))
      throw new BankGenesisError("INVALID_GENESIS", 'bank genesis needs {"accounts":[{"publicKey","balance"}]}');
    let supply = 0n;
    const seen = new Set<string>();
    state.accounts.forEach((a, i) => {
      if (typeof a?.publicKey !== "string" || typeof a.balance !== "string" || !/^\d{1,39}$/.test(a.balance)) {
        throw new BankGenesisError(
          "INVALID_GENESIS",
          `bank genesis account ${i}: publicKey (base64) and balance (decimal string) required`,
        );
      }
      let pk: Uint8Array;
      try {
        pk = fromBase64(a.publicKey); // canonical only, so one key has one spelling and `seen` works
      } catch {
        throw new BankGenesisError("INVALID_GENESIS", `bank genesis account ${i}: publicKey is not canonical base64`);
      }
      const balance = BigInt(a.balance);
      if (pk.length !== 32 || balance > MAX_AMOUNT || seen.has(a.publicKey))
        throw new BankGenesisError("INVALID_GENESIS", `bank genesis account ${i} is invalid or repeated`, { index: i });
      seen.add(a.publicKey);
      supply += balance;
      this.#put(pk, { balance, nonce: 0n });
    });
    if (supply > MAX_AMOUNT) throw new BankGenesisError("INVALID_GENESIS", "bank genesis supply exceeds 2^128 - 1");
    this.store.set(SUPPLY_KEY, encodeU128(supply));
  }

  protected override check(tx: TxContext): TxOutcome {
    return this.#validate(tx, true).outcome;
  }

  protected override deliverTx(tx: TxContext, _block: BlockContext): TxOutcome {
    const { outcome, plan } = this.#validate(tx, false);
    if (!plan) return outcome;
    this.#put(tx.sender, { balance: plan.from.balance - plan.amount, nonce: plan.from.nonce + 1n });
    this.#put(plan.to, { balance: plan.toBalance + plan.amount, nonce: plan.toNonce });
    return ok();
  }

  /** In a block the nonce must be exactly the next one; at checkTx a later one may still become valid. */
  #validate(
    tx: TxContext,
    admission: boolean,
  ): {
    outcome: TxOutcome;
    plan?: { from: Account; to: Uint8Array; toBalance: bigint; toNonce: bigint; amount: bigint };
  } {
    let op: ReturnType<typeof decodePayload>;
    try {
      op = decodePayload(tx.payload);
    } catch (err) {
      const code = err instanceof CodecError && err.code === "BAD_TAG" ? Code.UNKNOWN_OPERATION : Code.BAD_PAYLOAD;
      return { outcome: fail(code, (err as Error).message) };
    }
    if (op.amount === 0n) return { outcome: fail(BankCode.INVALID_AMOUNT, "amount must be positive") };
    const from = this.account(tx.sender);
    if (!from) return { outcome: fail(BankCode.UNKNOWN_SENDER, "sender has no account") };
    if (admission && tx.nonce >= from.nonce + MAX_NONCE_AHEAD) {
      return {
        outcome: fail(
          BankCode.NONCE_TOO_FAR,
          `nonce ${tx.nonce} is too far past the account's next nonce ${from.nonce}`,
        ),
      };
    }
    if (admission ? tx.nonce < from.nonce : tx.nonce !== from.nonce) {
      return {
        outcome: fail(BankCode.NONCE_MISMATCH, `nonce ${tx.nonce} but the account's next nonce is ${from.nonce}`),
      };
    }
    if (bytesEqual(op.to, tx.sender)) return { outcome: fail(BankCode.SELF_TRANSFER, "cannot transfer to yourself") };
    if (from.balance < op.amount)
      return { outcome: fail(BankCode.INSUFFICIENT_FUNDS, `balance ${from.balance} is below ${op.amount}`) };
    const to = this.account(op.to) ?? { balance: 0n, nonce: 0n };
    if (to.balance + op.amount > MAX_AMOUNT)
      return { outcome: fail(BankCode.BALANCE_OVERFLOW, "recipient balance would overflow") };
    return { outcome: ok(), plan: { from, to: op.to, toBalance: to.balance, toNonce: to.nonce, amount: op.amount } };
  }

  #put(pk: Uint8Array, a: Account): void {
    this.store.set(accountKey(pk), encodeAccount(a));
  }
}

/** The factory the node loads (`--app bank`). */
export const createApp = ((opts: AppFactoryOptions = {}) => new BankApp(opts.backend)) satisfies AppFactory;
