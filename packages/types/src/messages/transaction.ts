import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, toHex } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { sha256 } from "../hash.js";
import { type CodecLimits, defaultLimits } from "../limits.js";

export const MAX_CHAIN_ID_BYTES = 64;

/**
 * A client command. Valid only with a good Ed25519 signature by `sender` over
 * {@link transactionSigningBytes} (external validity). `payload` is opaque to consensus.
 */
export interface Transaction {
  chainId: string;
  /** Ed25519 public key of the client, 32 bytes. */
  sender: Uint8Array;
  /** Per-sender sequence number; the application decides what counts as a replay. */
  nonce: bigint;
  payload: Uint8Array;
  /** Ed25519 signature, 64 bytes. */
  signature: Uint8Array;
}

export type UnsignedTransaction = Omit<Transaction, "signature">;

/** Fixed overhead of an encoded transaction beyond the chain id and payload. */
export const TX_FIXED_BYTES = 2 + PUBLIC_KEY_LENGTH + 8 + 4 + SIGNATURE_LENGTH;

function writeUnsigned(w: Writer, tx: UnsignedTransaction): void {
  w.string(tx.chainId).fixed(tx.sender, PUBLIC_KEY_LENGTH).bigU64(tx.nonce).bytes(tx.payload);
}

export function writeTransaction(w: Writer, tx: Transaction): void {
  const decodedFrom = cacheOf(tx)?.bytes;
  if (decodedFrom) {
    w.raw(decodedFrom);
    return;
  }
  writeUnsigned(w, tx);
  w.fixed(tx.signature, SIGNATURE_LENGTH);
}

export function readTransaction(r: Reader, limits: CodecLimits): Transaction {
  const start = r.offset;
  const chainId = r.string(MAX_CHAIN_ID_BYTES, "chain id");
  const sender = r.fixed(PUBLIC_KEY_LENGTH, "sender");
  const nonce = r.bigU64("nonce");
  const payload = r.bytes(limits.maxTxBytes, "payload");
  const signature = r.fixed(SIGNATURE_LENGTH, "signature");
  const size = r.offset - start;
  if (size > limits.maxTxBytes) {
    throw new CodecError("TOO_LARGE", `transaction of ${size} bytes exceeds ${limits.maxTxBytes}`);
  }
  const tx = { chainId, sender, nonce, payload, signature };
  // The codec is canonical (decode then encode gives the input back, tested), so the bytes just
  // read are the encoding: the id and re-encodings (blocks stored, forwarded) need no writer.
  attachCache(tx, { bytes: r.viewOf(start, r.offset) });
  return tx;
}

export function encodeTransaction(tx: Transaction): Uint8Array {
  const decodedFrom = cacheOf(tx)?.bytes;
  if (decodedFrom) return decodedFrom;
  const w = new Writer(TX_FIXED_BYTES + tx.payload.length + tx.chainId.length * 3);
  writeTransaction(w, tx);
  return w.finish();
}

export function decodeTransaction(bytes: Uint8Array, limits: CodecLimits = defaultLimits): Transaction {
  if (bytes.length > limits.maxTxBytes) {
    throw new CodecError("TOO_LARGE", `transaction of ${bytes.length} bytes exceeds ${limits.maxTxBytes}`);
  }
  const r = new Reader(bytes);
  const tx = readTransaction(r, limits);
  r.end();
  return tx;
}

/** The bytes a client signs (the crypto module prefixes the domain tag and chain id). */
export function transactionSigningBytes(tx: UnsignedTransaction): Uint8Array {
  // A decoded transaction's encoding is its signing bytes followed by the 64-byte signature.
  const decodedFrom = cacheOf(tx as Transaction)?.bytes;
  if (decodedFrom) return decodedFrom.subarray(0, decodedFrom.length - SIGNATURE_LENGTH);
  const w = new Writer(TX_FIXED_BYTES + tx.payload.length);
  writeUnsigned(w, tx);
  return w.finish();
}

// Ids are asked for many times per transaction (mempool, proposal checks, commit, receipts):
// compute once per object. Transactions are treated as immutable once built or decoded.
interface TxCache {
  /** The bytes the transaction was decoded from (a view into the message that carried it). */
  bytes?: Uint8Array;
  id?: Uint8Array;
  hex?: string;
}

// The cache rides on the transaction object under a non-enumerable symbol (invisible to
// equality, JSON and spreading): a WeakMap cost ~1 us a set plus GC work per entry, and every
// transaction went through two, several times per node (relay, proposal, commit).
const CACHE = Symbol("ordo.tx.cache");
/** For objects that cannot take the property (frozen by the caller). */
const frozenCache = new WeakMap<Transaction, TxCache>();

function cacheOf(tx: Transaction): TxCache | undefined {
  return (tx as { [CACHE]?: TxCache })[CACHE] ?? frozenCache.get(tx);
}

function attachCache(tx: Transaction, cache: TxCache): TxCache {
  if (Object.isExtensible(tx)) Object.defineProperty(tx, CACHE, { value: cache });
  else frozenCache.set(tx, cache);
  return cache;
}

function cachedId(tx: Transaction): { id: Uint8Array; hex: string } {
  const cache = cacheOf(tx) ?? attachCache(tx, {});
  if (cache.id === undefined || cache.hex === undefined) {
    const id = sha256(encodeTransaction(tx));
    cache.id = id;
    cache.hex = toHex(id);
  }
  return cache as { id: Uint8Array; hex: string };
}

/** Transaction id: SHA-256 of the canonical encoding, signature included. */
export function transactionId(tx: Transaction): Uint8Array {
  return cachedId(tx).id;
}

/** The id in hex (the mempool's and indexes' key), cached like the id. */
export function transactionIdHex(tx: Transaction): string {
  return cachedId(tx).hex;
}

/** Size of the canonical encoding, without encoding. */
export function encodedTransactionLength(tx: Transaction): number {
  return TX_FIXED_BYTES + Buffer.byteLength(tx.chainId, "utf8") + tx.payload.length;
}
