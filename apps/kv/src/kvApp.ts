import {
  type AppFactory,
  type AppFactoryOptions,
  BaseApplication,
  Code,
  CodecError,
  fail,
  ok,
  Reader,
  type StateBackend,
  type TxContext,
  type TxOutcome,
  Writer,
} from "@ordo/sdk";

export const MAX_KEY_BYTES = 256;
export const MAX_VALUE_BYTES = 4096;
export const MAX_SCAN = 100;

export const KvCode = {
  /** Empty key, or a key over MAX_KEY_BYTES. */
  BAD_KEY: 101,
  /** A value over MAX_VALUE_BYTES. */
  VALUE_TOO_LARGE: 102,
  /** Delete of a key that does not exist (or a get of one). */
  NOT_FOUND: 103,
  /** The nonce is not the sender's next nonce: a replay, or out of order (checkTx: below the next). */
  NONCE_MISMATCH: 104,
  /** checkTx: the nonce is further than MAX_NONCE_AHEAD past the sender's next nonce. */
  NONCE_TOO_FAR: 105,
} as const;

/** checkTx admits nonces up to this far ahead, so a client may pipeline writes. */
export const MAX_NONCE_AHEAD = 1024n;

export type KvOp = { op: "set"; key: Uint8Array; value: Uint8Array } | { op: "delete"; key: Uint8Array };

const TAG_SET = 1;
const TAG_DELETE = 2;
const DATA = new TextEncoder().encode("d/");
// Per-sender next nonce: without it a committed transaction could be replayed to undo later writes.
const NONCE = new TextEncoder().encode("n/");

/** Payload of `set key = value`. */
export function setOp(key: Uint8Array, value: Uint8Array): Uint8Array {
  return new Writer(16 + key.length + value.length).u8(TAG_SET).bytes(key).bytes(value).finish();
}

/** Payload of `delete key`. */
export function deleteOp(key: Uint8Array): Uint8Array {
  return new Writer(8 + key.length).u8(TAG_DELETE).bytes(key).finish();
}

// The decoder takes any length the payload really holds (views, no copies; the transaction size
// limit bounds it), so an oversized key or value gets its own code, not BAD_PAYLOAD.
const ANY_LENGTH = 0xffffffff;

/** Decodes a kv payload; throws CodecError for anything that is not exactly one known operation. */
export function decodeKvOp(bytes: Uint8Array): KvOp {
  const r = new Reader(bytes);
  const tag = r.u8("operation");
  let op: KvOp;
  if (tag === TAG_SET) op = { op: "set", key: r.bytes(ANY_LENGTH, "key"), value: r.bytes(ANY_LENGTH, "value") };
  else if (tag === TAG_DELETE) op = { op: "delete", key: r.bytes(ANY_LENGTH, "key") };
  else throw new CodecError("BAD_TAG", `unknown kv operation ${tag}`);
  r.end();
  return op;
}

/** Query data of `scanAfter`: the next page of `prefix`, keys after `after` (the last key of the previous page). */
export function scanAfterQuery(prefix: Uint8Array, after: Uint8Array): Uint8Array {
  return new Writer(16 + prefix.length + after.length).bytes(prefix).bytes(after).finish();
}

/** A scan answer: `[[key, value], ...]` as u32 count then length-prefixed pairs. */
export function decodeScan(bytes: Uint8Array): [Uint8Array, Uint8Array][] {
  const r = new Reader(bytes);
  const n = r.count(MAX_SCAN, 8, "entries");
  const out: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < n; i++) out.push([r.bytes(MAX_KEY_BYTES, "key"), r.bytes(MAX_VALUE_BYTES, "value")]);
  r.end();
  return out;
}

const prefixed = (prefix: Uint8Array, key: Uint8Array) => {
  const k = new Uint8Array(prefix.length + key.length);
  k.set(prefix);
  k.set(key, prefix.length);
  return k;
};
const dataKey = (key: Uint8Array) => prefixed(DATA, key);
const nonceKey = (sender: Uint8Array) => prefixed(NONCE, sender);

/** A replicated key-value store: set, delete, get and prefix scan, with key and value size limits. */
export class KvApp extends BaseApplication {
  constructor(backend?: StateBackend) {
    super(backend);
    this.queries = {
      get: (key) => {
        const v = this.store.get(dataKey(key));
        return v ? ok(v) : fail(KvCode.NOT_FOUND, "no such key");
      },
      scan: (prefix) => ok(this.#scan(prefix)),
      scanAfter: (data) => {
        const r = new Reader(data);
        const prefix = r.bytes(MAX_KEY_BYTES, "prefix");
        const after = r.bytes(MAX_KEY_BYTES, "after");
        r.end();
        return ok(this.#scan(prefix, after));
      },
      nonce: (sender) => ok(new Writer(8).bigU64(this.nextNonce(sender)).finish()),
    };
  }

  /** The nonce the sender's next transaction must carry. */
  nextNonce(sender: Uint8Array): bigint {
    const bytes = this.store.get(nonceKey(sender));
    return bytes ? new Reader(bytes).bigU64("nonce") : 0n;
  }

  #scan(prefix: Uint8Array, after?: Uint8Array): Uint8Array {
    const entries = this.store.scan(dataKey(prefix), MAX_SCAN, after && dataKey(after));
    const w = new Writer(256).u32(entries.length);
    for (const [k, v] of entries) w.bytes(k.subarray(DATA.length)).bytes(v);
    return w.finish();
  }

  protected override check(tx: TxContext): TxOutcome {
    return this.#apply(tx, false);
  }

  protected override deliverTx(tx: TxContext): TxOutcome {
    return this.#apply(tx, true);
  }

  /** `write`: execute in a block (exact nonce); otherwise mempool admission (read-only). */
  #apply(tx: TxContext, write: boolean): TxOutcome {
    let op: KvOp;
    try {
      op = decodeKvOp(tx.payload);
    } catch (err) {
      const code = err instanceof CodecError && err.code === "BAD_TAG" ? Code.UNKNOWN_OPERATION : Code.BAD_PAYLOAD;
      return fail(code, (err as Error).message);
    }
    if (op.key.length === 0 || op.key.length > MAX_KEY_BYTES)
      return fail(KvCode.BAD_KEY, `keys are 1..${MAX_KEY_BYTES} bytes`);
    if (op.op === "set" && op.value.length > MAX_VALUE_BYTES)
      return fail(KvCode.VALUE_TOO_LARGE, `values are at most ${MAX_VALUE_BYTES} bytes`);
    const next = this.nextNonce(tx.sender);
    if (!write && tx.nonce >= next + MAX_NONCE_AHEAD)
      return fail(KvCode.NONCE_TOO_FAR, `nonce ${tx.nonce} is too far past the sender's next nonce ${next}`);
    if (write ? tx.nonce !== next : tx.nonce < next)
      return fail(KvCode.NONCE_MISMATCH, `nonce ${tx.nonce} but the sender's next nonce is ${next}`);
    if (op.op === "delete" && !this.store.get(dataKey(op.key))) return fail(KvCode.NOT_FOUND, "no such key");
    if (!write) return ok();
    if (op.op === "set") this.store.set(dataKey(op.key), op.value);
    else this.store.delete(dataKey(op.key));
    this.store.set(nonceKey(tx.sender), new Writer(8).bigU64(next + 1n).finish());
    return ok();
  }
}

/** The factory the node loads (`--app kv`). */
export const createApp = ((opts: AppFactoryOptions = {}) => new KvApp(opts.backend)) satisfies AppFactory;
