import { HASH_LENGTH, SIGNATURE_LENGTH, ZERO_HASH } from "../bytes.js";
import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { sha256 } from "../hash.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { merkleRoot } from "../merkle.js";
import { genesisQuorumCert, type QuorumCert, readQuorumCert, writeQuorumCert } from "./quorumCert.js";
import { readTimeoutCert, type TimeoutCert, writeTimeoutCert } from "./timeoutCert.js";
import { readTransaction, type Transaction, transactionId, writeTransaction } from "./transaction.js";

/** Everything about a block but its transactions; the block id is SHA-256 of its encoding. */
export interface BlockHeader {
  /** Parent height + 1; the genesis block has height 0. */
  height: number;
  round: number;
  parentId: Uint8Array;
  /** Certifies the parent (`qc.blockId == parentId`). */
  qc: QuorumCert;
  /** Present when the proposer entered `round` through a timeout certificate for `round - 1`. */
  tc: TimeoutCert | null;
  proposer: number;
  /** Proposer's clock, milliseconds since the epoch. */
  timestamp: number;
  /** Merkle root over the ids of the block's transactions. */
  payloadRoot: Uint8Array;
  /** Highest height the proposer had executed, and the app hash after it (divergence detection). */
  execHeight: number;
  appHash: Uint8Array;
}

/** A proposed block: header, ordered transactions, and the proposer's signature over the block id. */
export interface Block {
  header: BlockHeader;
  txs: Transaction[];
  signature: Uint8Array;
}

export function writeBlockHeader(w: Writer, h: BlockHeader): void {
  w.u64(h.height).u64(h.round).fixed(h.parentId, HASH_LENGTH);
  writeQuorumCert(w, h.qc);
  w.bool(h.tc !== null);
  if (h.tc) writeTimeoutCert(w, h.tc);
  w.u16(h.proposer).u64(h.timestamp).fixed(h.payloadRoot, HASH_LENGTH).u64(h.execHeight).fixed(h.appHash, HASH_LENGTH);
}

export function readBlockHeader(r: Reader, limits: CodecLimits): BlockHeader {
  const height = r.u64("height");
  const round = r.u64("round");
  const parentId = r.fixed(HASH_LENGTH, "parent id");
  const qc = readQuorumCert(r, limits);
  const tc = r.option("tc") ? readTimeoutCert(r, limits) : null;
  const proposer = r.u16("proposer");
  if (proposer >= limits.maxValidators) throw new CodecError("OUT_OF_RANGE", `proposer index ${proposer} out of range`);
  const timestamp = r.u64("timestamp");
  const payloadRoot = r.fixed(HASH_LENGTH, "payload root");
  const execHeight = r.u64("exec height");
  const appHash = r.fixed(HASH_LENGTH, "app hash");
  return { height, round, parentId, qc, tc, proposer, timestamp, payloadRoot, execHeight, appHash };
}

export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  const w = new Writer(512);
  writeBlockHeader(w, h);
  return w.finish();
}

export function decodeBlockHeader(bytes: Uint8Array, limits: CodecLimits = defaultLimits): BlockHeader {
  const r = new Reader(bytes);
  const h = readBlockHeader(r, limits);
  r.end();
  return h;
}

// A header's id is asked for several times per block on every validator (its proposal, the
// block tree, the store, execution): computed once per object, which is treated as immutable
// once built or decoded, as transactions are. The id rides on the object under a non-enumerable
// symbol (invisible to equality, JSON and spreading, so a header built from another by spreading
// gets its own).
const ID = Symbol("ordo.block.id");
const frozenIds = new WeakMap<BlockHeader, Uint8Array>();

/** Block id: SHA-256 of the canonical header encoding. The proposer signs this id. */
export function blockId(h: BlockHeader): Uint8Array {
  const cached = (h as { [ID]?: Uint8Array })[ID] ?? frozenIds.get(h);
  if (cached) return cached;
  const id = sha256(encodeBlockHeader(h));
  if (Object.isExtensible(h)) Object.defineProperty(h, ID, { value: id });
  else frozenIds.set(h, id);
  return id;
}

/** Merkle root over the transaction ids, in block order. */
export function payloadRoot(txs: readonly Transaction[]): Uint8Array {
  return merkleRoot(txs.map(transactionId));
}

export function writeBlock(w: Writer, b: Block): void {
  writeBlockHeader(w, b.header);
  w.u32(b.txs.length);
  for (const tx of b.txs) writeTransaction(w, tx);
  w.fixed(b.signature, SIGNATURE_LENGTH);
}

/** Smallest possible encoded transaction, used to reject impossible counts before allocating. */
const MIN_TX_BYTES = 2 + 32 + 8 + 4 + 64;

export function readBlock(r: Reader, limits: CodecLimits): Block {
  const start = r.offset;
  const header = readBlockHeader(r, limits);
  const n = r.count(limits.maxTxsPerBlock, MIN_TX_BYTES, "block transactions");
  const txs: Transaction[] = new Array(n);
  for (let i = 0; i < n; i++) txs[i] = readTransaction(r, limits);
  const signature = r.fixed(SIGNATURE_LENGTH, "block signature");
  if (r.offset - start > limits.maxBlockBytes) {
    throw new CodecError("TOO_LARGE", `block of ${r.offset - start} bytes exceeds ${limits.maxBlockBytes}`);
  }
  return { header, txs, signature };
}

export function encodeBlock(b: Block): Uint8Array {
  let size = 1024;
  for (const tx of b.txs) size += 120 + tx.payload.length;
  const w = new Writer(size);
  writeBlock(w, b);
  return w.finish();
}

export function decodeBlock(bytes: Uint8Array, limits: CodecLimits = defaultLimits): Block {
  if (bytes.length > limits.maxBlockBytes) {
    throw new CodecError("TOO_LARGE", `block of ${bytes.length} bytes exceeds ${limits.maxBlockBytes}`);
  }
  const r = new Reader(bytes);
  const b = readBlock(r, limits);
  r.end();
  return b;
}

/**
 * The genesis block: height 0, round 0, no parent, no transactions, no signature (every replica
 * derives it identically). `appHash` should commit to the genesis document, so that chains with
 * different genesis never share block ids.
 */
export function makeGenesisBlock(appHash: Uint8Array, timestamp: number): { block: Block; id: Uint8Array } {
  const header: BlockHeader = {
    height: 0,
    round: 0,
    parentId: ZERO_HASH,
    qc: genesisQuorumCert(ZERO_HASH),
    tc: null,
    proposer: 0,
    timestamp,
    payloadRoot: sha256(),
    execHeight: 0,
    appHash,
  };
  return { block: { header, txs: [], signature: new Uint8Array(SIGNATURE_LENGTH) }, id: blockId(header) };
}
