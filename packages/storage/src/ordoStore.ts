import { mkdirSync } from "node:fs";
import {
  type Block,
  type BlockReceipt,
  blockId,
  type CodecLimits,
  decodeBlock,
  decodeBlockReceipt,
  decodeQuorumCert,
  defaultLimits,
  encodeBlock,
  encodeBlockReceipt,
  encodeQuorumCert,
  type QuorumCert,
  Reader,
  readTxResult,
  type TxResult,
  Writer,
  writeTxResult,
} from "@ordo/types";
import { type Database, open, type RootDatabase } from "lmdb";
import { StorageError, storageErrorFrom } from "./errors.js";
import { asBuffer, heightFromKey, heightKey } from "./keys.js";
import { KvNamespace } from "./kvNamespace.js";

export interface OrdoStoreOptions {
  /** Folder of the LMDB environment; created if missing. */
  path: string;
  /** Largest size the store may grow to, in bytes (LMDB reserves address space, not disk). */
  mapSize?: number;
  limits?: CodecLimits;
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
 * small durable records (safety data), and the application's state namespace.
 *
 * Every commit is fsynced before it resolves (`overlappingSync` off): a vote's safety data,
 * and a committed block before its receipt is served, are on disk when the call returns.
 */
export class OrdoStore {
  readonly path: string;
  readonly #root: RootDatabase<Buffer, Buffer>;
  readonly #blocks: BinaryDb;
  readonly #qcs: BinaryDb;
  readonly #heights: BinaryDb;
  readonly #results: BinaryDb;
  readonly #records: BinaryDb;
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
    this.appState = new KvNamespace(sub("app"));
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
        overlappingSync: false,
        mapSize: opts.mapSize ?? 64 * 1024 ** 3,
        maxDbs: 16,
      });
      const store = new OrdoStore(opts, root);
      // Prove the folder is writable now, not at the first vote.
      store.#records.putSync(asBuffer(new TextEncoder().encode("__open")), Buffer.from([1]));
      return store;
    } catch (err) {
      throw storageErrorFrom(err, opts.path, "opening the store");
    }
  }

  #check(): void {
    if (this.#closed) throw new StorageError("CLOSED", `the store at ${this.path} is closed`);
  }

  // --- small durable records (safety data, consensus state) ---

  /** Writes and fsyncs before returning: use for anything that must survive a crash before a message leaves. */
  putRecordDurable(name: string, value: Uint8Array): void {
    this.#check();
    try {
      this.#records.putSync(recordKey(name), asBuffer(value));
    } catch (err) {
      throw storageErrorFrom(err, this.path, `writing record ${name}`);
    }
  }

  getRecord(name: string): Uint8Array | undefined {
    this.#check();
    return this.#records.get(recordKey(name));
  }

  // --- blocks and certificates ---

  async putBlock(block: Block, id: Uint8Array = blockId(block.header)): Promise<void> {
    this.#check();
    await this.#write(() => this.#blocks.put(asBuffer(id), asBuffer(encodeBlock(block))), "writing a block");
  }

  getBlock(id: Uint8Array): Block | undefined {
    this.#check();
    const bytes = this.#blocks.get(asBuffer(id));
    return bytes ? this.#decode(() => decodeBlock(bytes, this.#limits), "block") : undefined;
  }

  hasBlock(id: Uint8Array): boolean {
    this.#check();
    return this.#blocks.doesExist(asBuffer(id));
  }

  async putQuorumCert(qc: QuorumCert): Promise<void> {
    this.#check();
    await this.#write(() => this.#qcs.put(asBuffer(qc.blockId), asBuffer(encodeQuorumCert(qc))), "writing a QC");
  }

  /** The QC certifying block `id`, if one was stored. */
  getQuorumCert(id: Uint8Array): QuorumCert | undefined {
    this.#check();
    const bytes = this.#qcs.get(asBuffer(id));
    return bytes ? this.#decode(() => decodeQuorumCert(bytes, this.#limits), "QC") : undefined;
  }

  // --- committed chain ---

  /**
   * Records committed blocks in one durable transaction: each block, its height -> id entry.
   * Resolves once fsynced, so a receipt may be served for them afterwards.
   */
  async commitBlocks(blocks: readonly Block[]): Promise<void> {
    this.#check();
    const encoded = blocks.map((b) => ({ id: blockId(b.header), height: b.header.height, bytes: encodeBlock(b) }));
    await this.#write(
      () =>
        this.#root.transaction(() => {
          for (const { id, height, bytes } of encoded) {
            this.#blocks.put(asBuffer(id), asBuffer(bytes));
            this.#heights.put(heightKey(height), asBuffer(id));
          }
        }),
      "committing blocks",
    );
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
    for (const { key } of this.#heights.getRange({ reverse: true, limit: 1 })) return heightFromKey(key);
    return undefined;
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

  // --- execution results and receipts ---

  async putResults(height: number, stored: StoredResults): Promise<void> {
    this.#check();
    const w = new Writer(256);
    w.u32(stored.results.length);
    for (const r of stored.results) writeTxResult(w, r);
    w.bytes(encodeBlockReceipt(stored.receipt));
    const bytes = w.finish();
    await this.#write(() => this.#results.put(heightKey(height), asBuffer(bytes)), "writing results");
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

  /** Removes committed blocks, their QCs and results below `retainHeight`; returns how many heights went. */
  async pruneBelow(retainHeight: number): Promise<number> {
    this.#check();
    const doomed: { key: Buffer; id: Buffer }[] = [];
    for (const { key, value } of this.#heights.getRange({ end: heightKey(retainHeight) })) {
      doomed.push({ key: Buffer.from(key), id: Buffer.from(value) });
    }
    if (doomed.length === 0) return 0;
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
      return await fn();
    } catch (err) {
      throw storageErrorFrom(err, this.path, action);
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

function recordKey(name: string): Buffer {
  return Buffer.from(`record/${name}`, "utf8");
}
