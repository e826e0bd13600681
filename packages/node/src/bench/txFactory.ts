import { transfer } from "@ordo/app-bank";
import { setOp } from "@ordo/app-kv";
import { type KeyPair, signTransaction } from "@ordo/crypto";
import { encodeTransaction, SIGNATURE_LENGTH, type Transaction, transactionIdHex } from "@ordo/types";

export type BenchApp = "noop" | "kv" | "bank";

/** A transaction ready to POST: its id (to match confirmations) and its base64 encoding. */
export interface PreparedTx {
  idHex: string;
  /** Canonical encoding, as POST /v1/txs/binary takes it. */
  bytes: Uint8Array;
  /** Index of the sending account: a bench sends one account's transactions to one validator, in nonce order. */
  account: number;
}

export interface TxFactoryOptions {
  app: BenchApp;
  chainId: string;
  /** Sign with each account's key (ed25519), or leave the signature zero (txAuth none). */
  sign: boolean;
  /** Payload size of noop and kv transactions (kv: the value; bank transfers have a fixed size). */
  payloadBytes: number;
  /** Senders, used in turn: transaction j is account j mod A's nonce floor(j / A). */
  accounts: readonly KeyPair[];
  /** Recipient of bank transfers. */
  recipient?: Uint8Array;
}

const ZERO_SIGNATURE = new Uint8Array(SIGNATURE_LENGTH);

/**
 * Builds the bench's transactions in a fixed order: account `j mod A`, nonce `floor(j / A)`, so
 * each account's nonces are consecutive and every id is distinct. Signing (~50k/s on one core)
 * and even building and encoding would compete with the validators for the CPU inside the timed
 * window, so `prebuild` builds (and signs) ahead; `next` takes from that pool and builds inline only
 * when it runs dry (counted in `builtInline`).
 */
export class TxFactory {
  readonly #o: TxFactoryOptions;
  #next = 0;
  #pool: PreparedTx[] = [];
  #taken = 0;
  builtInline = 0;

  constructor(opts: TxFactoryOptions) {
    if (opts.accounts.length === 0) throw new RangeError("a tx factory needs at least one account");
    if (opts.app === "bank" && !opts.recipient) throw new RangeError("bank transfers need a recipient");
    this.#o = opts;
  }

  get signs(): boolean {
    return this.#o.sign;
  }

  /** Prepared transactions not yet taken. */
  get ready(): number {
    return this.#pool.length - this.#taken;
  }

  /** Builds (and signs) `count` more transactions ahead of time. */
  prebuild(count: number): void {
    if (this.#taken > 0) {
      this.#pool = this.#pool.slice(this.#taken);
      this.#taken = 0;
    }
    for (let k = 0; k < count; k++) this.#pool.push(this.#build());
  }

  next(): PreparedTx {
    if (this.#taken < this.#pool.length) {
      const tx = this.#pool[this.#taken]!;
      this.#pool[this.#taken++] = undefined as unknown as PreparedTx; // let it be collected
      if (this.#taken === this.#pool.length) {
        this.#pool = [];
        this.#taken = 0;
      }
      return tx;
    }
    this.builtInline++;
    return this.#build();
  }

  #build(): PreparedTx {
    const j = this.#next++;
    const a = this.#o.accounts;
    const account = j % a.length;
    const key = a[account]!;
    const unsigned = {
      chainId: this.#o.chainId,
      sender: key.publicKey,
      nonce: BigInt(Math.floor(j / a.length)),
      payload: this.#payload(j),
    };
    const tx: Transaction = this.#o.sign ? signTransaction(key, unsigned) : { ...unsigned, signature: ZERO_SIGNATURE };
    return { idHex: transactionIdHex(tx), bytes: encodeTransaction(tx), account };
  }

  #payload(j: number): Uint8Array {
    const o = this.#o;
    if (o.app === "bank") return transfer(o.recipient!, 1n);
    const bytes = new Uint8Array(o.payloadBytes);
    // The sequence number in the payload too, so payloads differ even if nonces were ignored.
    for (let k = 0; k < Math.min(4, bytes.length); k++) bytes[k] = (j >>> (8 * k)) & 0xff;
    if (o.app === "kv") return setOp(new TextEncoder().encode(`bench/${j % 1024}`), bytes);
    return bytes;
  }
}
