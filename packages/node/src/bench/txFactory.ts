import { transfer } from "@ordo/app-bank";
import { setOp } from "@ordo/app-kv";
import { type KeyPair, signTransaction } from "@ordo/crypto";
import {
  encodeTransaction,
  HASH_LENGTH,
  SIGNATURE_LENGTH,
  type Transaction,
  toHex,
  transactionId,
  transactionIdHex,
} from "@ordo/types";

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
 * Prepared transactions packed in flat buffers (encodings back to back, ids, end offsets) rather
 * than a million small objects: a pool that outlives every GC cycle then costs the generator's
 * garbage collector nothing to mark, and ~170 bytes a transaction instead of ~400.
 */
class PreparedPool {
  #bytes: Uint8Array = new Uint8Array(1 << 20);
  #ends = new Float64Array(1 << 12);
  #ids: Uint8Array = new Uint8Array(HASH_LENGTH << 12);
  #firstSeq = 0;
  #count = 0;
  #taken = 0;

  get ready(): number {
    return this.#count - this.#taken;
  }

  /** Appends transaction number `seq` (sequence numbers follow one another in a pool). */
  push(seq: number, bytes: Uint8Array, id: Uint8Array): void {
    if (this.#count === this.#taken) this.#reset(seq);
    const start = this.#endOf(this.#count - 1);
    const end = start + bytes.length;
    if (end > this.#bytes.length) this.#bytes = grown(this.#bytes, end);
    if (this.#count === this.#ends.length) {
      const ends = new Float64Array(this.#ends.length * 2);
      ends.set(this.#ends);
      this.#ends = ends;
      this.#ids = grown(this.#ids, this.#ends.length * HASH_LENGTH);
    }
    this.#bytes.set(bytes, start);
    this.#ids.set(id, this.#count * HASH_LENGTH);
    this.#ends[this.#count++] = end;
  }

  /** The oldest transaction not yet taken (sent by account `seq mod accounts`), or undefined when the pool is dry. */
  take(accounts: number): PreparedTx | undefined {
    if (this.#taken === this.#count) return undefined;
    const k = this.#taken++;
    const id = this.#ids.subarray(k * HASH_LENGTH, (k + 1) * HASH_LENGTH);
    const bytes = this.#bytes.subarray(this.#endOf(k - 1), this.#ends[k]!);
    return { idHex: toHex(id), bytes, account: (this.#firstSeq + k) % accounts };
  }

  #endOf(k: number): number {
    return k < 0 ? 0 : this.#ends[k]!;
  }

  /** Everything was taken: start over at the front (views handed out keep their old buffers). */
  #reset(seq: number): void {
    if (this.#taken > 0) {
      this.#bytes = new Uint8Array(this.#bytes.length);
      this.#ids = new Uint8Array(this.#ids.length);
    }
    this.#firstSeq = seq;
    this.#count = 0;
    this.#taken = 0;
  }
}

function grown(buf: Uint8Array, atLeast: number): Uint8Array {
  let size = buf.length * 2;
  while (size < atLeast) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf);
  return next;
}

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
  readonly #pool = new PreparedPool();
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
    return this.#pool.ready;
  }

  /** Builds (and signs) `count` more transactions ahead of time. */
  prebuild(count: number): void {
    for (let k = 0; k < count; k++) {
      const seq = this.#next++;
      const tx = this.#build(seq);
      this.#pool.push(seq, encodeTransaction(tx), transactionId(tx));
    }
  }

  next(): PreparedTx {
    const ready = this.#pool.take(this.#o.accounts.length);
    if (ready) return ready;
    this.builtInline++;
    const seq = this.#next++;
    const tx = this.#build(seq);
    return { idHex: transactionIdHex(tx), bytes: encodeTransaction(tx), account: seq % this.#o.accounts.length };
  }

  #build(j: number): Transaction {
    const a = this.#o.accounts;
    const key = a[j % a.length]!;
    const unsigned = {
      chainId: this.#o.chainId,
      sender: key.publicKey,
      nonce: BigInt(Math.floor(j / a.length)),
      payload: this.#payload(j),
    };
    return this.#o.sign ? signTransaction(key, unsigned) : { ...unsigned, signature: ZERO_SIGNATURE };
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
