import { mkdirSync } from "node:fs";
import {
  type Block,
  type BlockReceipt,
  blockId,
  type CodecLimits,
  decodeBlock,
  decodeBlockReceipt,
  bytesEqual,
  decodeQuorumCert,
  defaultLimits,
  encodeBlock,
  encodeBlockReceipt,
  encodeQuorumCert,
  type QuorumCert,
  Reader,
  readTxResult,
  transactionId,
  type TxResult,
  Writer,
  writeTxResult,
} from "@ordo/types";
import { type Database, open, type RootDatabase } from "lmdb";
import { StorageError, storageErrorFrom } from "./errors.js";
import { heightFromKey, heightKey, lmdbBytes } from "./keys.js";
import { KvNamespace } from "./kvNamespace.js";
import type { TxLocation } from "./txIdTable.js";
import { TxIndex, type TxIndexOptions } from "./txIndex.js";

export type { TxLocation } from "./txIdTable.js";

export interface OrdoStoreOptions {
  /** Folder of the LMDB environment; created if missing. */
  path: string;
  /** Largest size the store may grow to, in bytes (LMDB reserves address space, not disk). */
  mapSize?: number;
  limits?: CodecLimits;
  /**
   * Index committed transactions by id (default true), for `txLocation`: recent ones in memory,
   * older ones in sorted segments (see TxIndex).
   */
  indexTxs?: boolean;
  /** Tuning of the tx index (tests use small segments). */
  txIndex?: TxIndexOptions;
}

type BinaryDb = Database<Buffer, Buffer>;

/** Results of one executed height, with this validator's signed receipt. */
export interface StoredResults {
  results: TxResult[];
  receipt: BlockReceipt;
}

/**
 * The validator's embedded store: one LMDB environment with named databases for blocks (by id),
 * QCs (by certified block id), the committed-height index, per-height results and receipts,
 * the transaction index (TxIndex), the index of uncommitted blocks by round,
 * small records (the committed tip, the high QC and TC), and the application's state namespace.
 *
 * Every write resolves once it is on disk: a committed block and its results before a receipt
 * is served. LMDB's `overlappingSync` commits a transaction and flushes it after the write lock is
 * released (one flush may cover several commits), and each write waits for that flush. The safety
 * data is not here: a vote must not wait for LMDB's write lock (see FileSafetyStorage).
 */
export class OrdoStore {
  readonly path: string;
  readonly #root: RootDatabase<Buffer, Buffer>;
  readonly #blocks: BinaryDb;
  readonly #qcs: BinaryDb;
  readonly #heights: BinaryDb;
  readonly #results: BinaryDb;
  readonly #records: BinaryDb;
  readonly #txIndex: TxIndex;
  /** roundKey(round) ++ block id -> heightKey(height), for blocks saved but not committed. */
  readonly #byRound: BinaryDb;
  readonly #limits: CodecLimits;
  #closed = false;
  /** The application's versioned key-value state lives here. */
  readonly appState: KvNamespace;

  private constructor(opts: OrdoStoreOptions, root: RootDatabase<Buffer, Buffer>) {
    this.path = opts.path;
    this.#root = root;
    this.#limits = opts.limits ?? defaultLimits;
    const sub = (name: string): BinaryDb =>
      root.openDB<Buffer, Buffer>({ name, encoding: "binary", keyEncoding: "binary", compression: false });
    this.#blocks = sub("blocks");
    this.#qcs = sub("qcs");
    this.#heights = sub("heights");
    this.#results = sub("results");
    this.#records = sub("records");
    this.#byRound = sub("byRound");
    this.appState = new KvNamespace(sub("app"));
    this.#txIndex = TxIndex.open(
      // "txs": the index of stores from before segments (tx id -> heightKey(height) ++ u32be(index)).
      { segments: sub("txSegments"), legacy: sub("txs"), records: this.#records },
      {
        resultHeightsAbove: (height) => this.#heightsAbove(this.#results, height),
        lastResultHeight: () => edgeHeight(this.#results, "last") ?? 0,
        txIdsAt: (height) => this.committedBlock(height)?.txs.map(transactionId),
        lowestHeight: () => edgeHeight(this.#heights, "first") ?? 0,
      },
      opts.indexTxs ?? true,
      opts.txIndex,
    );
  }

  *#heightsAbove(db: BinaryDb, height: number): Generator<number> {
    for (const key of db.getKeys({ start: heightKey(height + 1) })) yield heightFromKey(key);
  }

  /** Opens (or creates) the store; a folder that cannot be used gives a StorageError saying why. */
  static open(opts: OrdoStoreOptions): OrdoStore {
    try {
      mkdirSync(opts.path, { recursive: true });
      const root = open<Buffer, Buffer>({
        path: opts.path,
        encoding: "binary",
        keyEncoding: "binary",
        compression: false,
        // `path` is always a folder: lmdb-js would otherwise take one whose name has a dot
        // ("node.0") for a data file.
        noSubdir: false,
        overlappingSync: true,
        mapSize: opts.mapSize ?? 64 * 1024 ** 3,
        maxDbs: 16,
      });
      const store = new OrdoStore(opts, root);
      // Prove the folder is writable now, not at the first vote.
      store.#records.putSync(lmdbBytes(new TextEncoder().encode("__open")), Buffer.from([1]));
      return store;
    } catch (err) {
      throw storageErrorFrom(err, opts.path, "opening the store");
    }
  }

  #check(): void {
    if (this.#closed) throw new StorageError("CLOSED", `the store at ${this.path} is closed`);
  }

  // --- small records (consensus state; the safety data of stores from before FileSafetyStorage) ---

  /** Queues a record write; resolves once it is on disk (ordered after every earlier write). */
  async putRecord(name: string, value: Uint8Array): Promise<void> {
    this.#check();
    await this.#write(() => this.#records.put(recordKey(name), lmdbBytes(value)), `writing record ${name}`);
  }

  getRecord(name: string): Uint8Array | undefined {
    this.#check();
    return this.#records.get(recordKey(name));
  }

  // --- blocks and certificates ---

  async putBlock(block: Block, id: Uint8Array = blockId(block.header)): Promise<void> {
    this.#check();
    await this.#write(() => this.#blocks.put(lmdbBytes(id), lmdbBytes(encodeBlock(block))), "writing a block");
  }

  getBlock(id: Uint8Array): Block | undefined {
    this.#check();
    const bytes = this.#blocks.get(lmdbBytes(id));
    return bytes ? this.#decode(() => decodeBlock(bytes, this.#limits), "block") : undefined;
  }

  hasBlock(id: Uint8Array): boolean {
    this.#check();
    return this.#blocks.doesExist(lmdbBytes(id));
  }

  async putQuorumCert(qc: QuorumCert): Promise<void> {
    this.#check();
    await this.#write(() => this.#qcs.put(lmdbBytes(qc.blockId), lmdbBytes(encodeQuorumCert(qc))), "writing a QC");
  }

  /** The QC certifying block `id`, if one was stored. */
  getQuorumCert(id: Uint8Array): QuorumCert | undefined {
    this.#check();
    const bytes = this.#qcs.get(lmdbBytes(id));
    return bytes ? this.#decode(() => decodeQuorumCert(bytes, this.#limits), "QC") : undefined;
  }

  // --- uncommitted blocks (the block tree above the committed root) ---

  /**
   * Stores a block that is not committed (yet), indexed by round so that a restart finds the
   * tree above the committed root without reading the chain. `commitBlocks` with a tip QC drops
   * the index entries at or below the tip's round, and the blocks among them that lost (forks).
   */
  async putUncommittedBlock(block: Block, id: Uint8Array = blockId(block.header)): Promise<void> {
    this.#check();
    const bytes = encodeBlock(block);
    const indexKey = roundIndexKey(block.header.round, id);
    const height = heightKey(block.header.height);
    await this.#write(
      () =>
        this.#root.transaction(() => {
          this.#blocks.put(lmdbBytes(id), lmdbBytes(bytes));
          this.#byRound.put(indexKey, height);
        }),
      "writing a block",
    );
  }

  /** Uncommitted blocks with a round above `round`, in round order; reads only those blocks. */
  *uncommittedAboveRound(round: number): Generator<Block> {
    this.#check();
    for (const { key } of this.#byRound.getRange({ start: heightKey(round + 1) })) {
      const block = this.getBlock(key.subarray(8));
      if (!block) throw new StorageError("CORRUPT", "the round index names a block that is not stored", { round });
      yield block;
    }
  }

  // --- committed chain ---

  /**
   * Records committed blocks in one durable transaction: each block, its height -> id entry.
   * With `tipQc` (the QC certifying the last block), the same transaction records the committed
   * tip and prunes the round index of uncommitted blocks at or below the tip's round: those on
   * the committed chain stay as committed blocks, the others (forks that can never commit) go.
   * Resolves once fsynced, so a receipt may be served for them afterwards.
   */
  async commitBlocks(blocks: readonly Block[], tipQc?: QuorumCert): Promise<void> {
    this.#check();
    const encoded = blocks.map((b) => ({ id: blockId(b.header), height: b.header.height, block: b }));
    const last = blocks[blocks.length - 1];
    const tip =
      tipQc && last && encoded.length > 0
        ? {
            round: last.header.round,
            record: concat(encoded[encoded.length - 1]!.id, encodeQuorumCert(tipQc)),
          }
        : undefined;
    await this.#write(
      () =>
        this.#root.transaction(() => {
          for (const { id, height, block } of encoded) {
            // Usually stored already, as an uncommitted block (an earlier write in the same
            // ordered queue): the height index is all that is new.
            if (!this.#blocks.doesExist(lmdbBytes(id))) this.#blocks.put(lmdbBytes(id), lmdbBytes(encodeBlock(block)));
            this.#heights.put(heightKey(height), lmdbBytes(id));
          }
          if (!tip) return;
          this.#records.put(recordKey(TIP_RECORD), lmdbBytes(tip.record));
          const settled: { key: Buffer; height: Buffer }[] = [];
          for (const { key, value } of this.#byRound.getRange({ end: heightKey(tip.round + 1) })) {
            settled.push({ key: Buffer.from(key), height: Buffer.from(value) });
          }
          for (const { key, height } of settled) {
            this.#byRound.remove(key);
            const id = key.subarray(8);
            const committedId = this.#heights.get(height);
            if (!committedId || !bytesEqual(committedId, id)) {
              this.#blocks.remove(id);
              this.#qcs.remove(id);
            }
          }
        }),
      "committing blocks",
    );
  }

  /** The last block committed with a tip QC (`commitBlocks(blocks, tipQc)`) and that QC. */
  committedTip(): { block: Block; qc: QuorumCert } | undefined {
    this.#check();
    const bytes = this.#records.get(recordKey(TIP_RECORD));
    if (!bytes) return undefined;
    if (bytes.length <= 32)
      throw new StorageError("CORRUPT", "the committed tip record is truncated", { path: this.path });
    const qc = this.#decode(() => decodeQuorumCert(bytes.subarray(32), this.#limits), "committed tip QC");
    const block = this.getBlock(bytes.subarray(0, 32));
    if (!block) throw new StorageError("CORRUPT", "the committed tip block is not stored", { path: this.path });
    return { block, qc };
  }

  committedBlockId(height: number): Uint8Array | undefined {
    this.#check();
    return this.#heights.get(heightKey(height));
  }

  committedBlock(height: number): Block | undefined {
    const id = this.committedBlockId(height);
    return id ? this.getBlock(id) : undefined;
  }

  /** Highest committed height, or undefined when nothing beyond genesis was committed. */
  lastCommittedHeight(): number | undefined {
    this.#check();
    return edgeHeight(this.#heights, "last");
  }

  /** Committed blocks in [from, to], in height order (block sync serves these). */
  *committedRange(from: number, to: number): Generator<Block> {
    this.#check();
    for (const { value } of this.#heights.getRange({ start: heightKey(from), end: heightKey(to + 1) })) {
      const block = this.getBlock(value);
      if (!block) throw new StorageError("CORRUPT", "the height index names a block that is not stored", { from, to });
      yield block;
    }
  }

  // --- execution results, receipts and the transaction index ---

  /**
   * Writes one height's results and receipt and (unless `indexTxs` is off) indexes its
   * transactions (`txIds[i]` is the id of the block's i-th tx); resolves once on disk. The index
   * entries reach the disk later, in a segment (until then they are read back from the blocks after
   * a restart). A tx id already indexed keeps its first location: a replayed tx is never mistaken
   * for the original.
   */
  async putResults(height: number, stored: StoredResults, txIds: readonly Uint8Array[]): Promise<void> {
    this.#check();
    if (txIds.length !== stored.results.length) {
      throw new RangeError(`putResults: ${txIds.length} tx ids for ${stored.results.length} results`);
    }
    const w = new Writer(256);
    w.u32(stored.results.length);
    for (const r of stored.results) writeTxResult(w, r);
    w.bytes(encodeBlockReceipt(stored.receipt));
    const bytes = w.finish();
    this.#txIndex.record(height, txIds);
    let segment: ReturnType<TxIndex["writeSome"]>;
    await this.#write(
      () =>
        this.#root.transaction(() => {
          this.#results.put(heightKey(height), lmdbBytes(bytes));
          // Twice this height's entries: a sealed segment is on disk before the next one fills.
          segment = this.#txIndex.writeSome(2 * txIds.length);
        }),
      "writing results",
    );
    if (segment) this.#txIndex.release(segment);
  }

  /** Whether committed transactions are indexed by id (`OrdoStoreOptions.indexTxs`). */
  get indexesTxs(): boolean {
    return this.#txIndex.enabled;
  }

  /** Where a committed (and executed) transaction is, if its height was not pruned and it was indexed. */
  txLocation(id: Uint8Array): TxLocation | undefined {
    this.#check();
    return this.#txIndex.locate(id);
  }

  getResults(height: number): StoredResults | undefined {
    this.#check();
    const bytes = this.#results.get(heightKey(height));
    if (!bytes) return undefined;
    return this.#decode(() => {
      const r = new Reader(bytes);
      const n = r.count(this.#limits.maxTxsPerBlock, 10, "results");
      const results: TxResult[] = [];
      for (let i = 0; i < n; i++) results.push(readTxResult(r, this.#limits));
      const receipt = decodeBlockReceipt(r.bytes(1024, "receipt"), this.#limits);
      r.end();
      return { results, receipt };
    }, "results");
  }

  // --- pruning ---

  /**
   * Removes committed blocks, their QCs, results and tx index entries below `retainHeight`;
   * returns how many heights went.
   */
  async pruneBelow(retainHeight: number): Promise<number> {
    this.#check();
    const doomed: { key: Buffer; id: Buffer }[] = [];
    for (const { key, value } of this.#heights.getRange({ end: heightKey(retainHeight) })) {
      doomed.push({ key: Buffer.from(key), id: Buffer.from(value) });
    }
    if (doomed.length === 0) return 0;
    // Only an older store's index needs the pruned heights' tx ids (one key per id).
    const legacyIds = this.#txIndex.hasLegacy
      ? doomed.map(({ key, id }) => ({ heightKey: key, ids: (this.getBlock(id)?.txs ?? []).map(transactionId) }))
      : [];
    await this.#write(
      () =>
        this.#root.transaction(() => {
          for (const { key, id } of doomed) {
            this.#heights.remove(key);
            this.#results.remove(key);
            this.#blocks.remove(id);
            this.#qcs.remove(id);
          }
        }),
      "pruning",
    );
    await this.#write(
      () => this.#txIndex.pruneBelow(retainHeight, (fn) => this.#root.transaction(fn), legacyIds),
      "pruning the tx index",
    );
    return doomed.length;
  }

  /** Waits for every write so far to be on disk. */
  async flushed(): Promise<void> {
    await this.#root.flushed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#root.close();
  }

  async #write<T>(fn: () => Promise<T>, action: string): Promise<T> {
    try {
      const result = await fn();
      await this.#root.flushed;
      return result;
    } catch (err) {
      throw storageErrorFrom(await commitCause(err), this.path, action);
    }
  }

  #decode<T>(fn: () => T, what: string): T {
    try {
      return fn();
    } catch (err) {
      throw new StorageError("CORRUPT", `stored ${what} does not decode: ${(err as Error).message}`, {
        path: this.path,
      });
    }
  }
}

/**
 * lmdb-js rejects a failed async commit with "Commit failed (see commitError for details)" and
 * the real error (ENOSPC...) in a `commitError` promise, which, left unhandled, kills the process.
 */
async function commitCause(err: unknown): Promise<unknown> {
  const pending = (err as { commitError?: unknown } | undefined)?.commitError;
  if (!(pending instanceof Promise)) return err;
  pending.catch(() => {}); // it is settled (or not) by the time we get here; never leave it unhandled
  try {
    await Promise.race([pending, new Promise((resolve) => setImmediate(resolve))]);
    return err;
  } catch (cause) {
    return cause;
  }
}

const TIP_RECORD = "consensus/committedTip";

/** The lowest or highest height keyed in a height-keyed database, if any. */
function edgeHeight(db: BinaryDb, edge: "first" | "last"): number | undefined {
  for (const key of db.getKeys({ reverse: edge === "last", limit: 1 })) return heightFromKey(key);
  return undefined;
}

function roundIndexKey(round: number, id: Uint8Array): Buffer {
  return Buffer.concat([heightKey(round), id]);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function recordKey(name: string): Buffer {
  return Buffer.from(`record/${name}`, "utf8");
}
