import type { Database } from "lmdb";
import { StorageError } from "./errors.js";
import { asBuffer, heightFromKey, heightKey, writeHeightKey } from "./keys.js";
import { type TxLocation, TxIdTable } from "./txIdTable.js";

type BinaryDb = Database<Buffer, Buffer>;

export interface TxIndexOptions {
  /** Entries held in memory before they are sorted into a segment (default 2^18, ~20 MB). */
  segmentEntries?: number;
  /** Fewest entries of a sealed segment written per results batch (default 4096). */
  minChunk?: number;
}

/** What the index reads back from the store when it opens. */
export interface TxIndexSource {
  /** Heights above `height` whose results are stored, ascending. */
  resultHeightsAbove(height: number): Iterable<number>;
  /** The highest height whose results are stored (0 when none). */
  lastResultHeight(): number;
  /** The ids of the transactions of committed height `height`, in block order. */
  txIdsAt(height: number): readonly Uint8Array[] | undefined;
  /** The lowest committed height still stored (0 when none). */
  lowestHeight(): number;
}

/** A sealed segment on its way to disk. */
interface Sealed {
  table: TxIdTable;
  /** Grouped by first id byte; sorted up to `sorted` (the groups are sorted as writing reaches them). */
  slots: Uint32Array;
  ends: Uint32Array;
  sorted: number;
  nextGroup: number;
  written: number;
  /** heightKey(start): the prefix of every key of this segment. */
  prefix: Buffer;
  /** The last height it covers. */
  through: number;
}

const FLUSHED_RECORD = Buffer.from("record/txIndex/flushedThrough", "utf8");
/** Present while heights go unindexed (`indexTxs` off): the next start with it on begins after them. */
const OFF_RECORD = Buffer.from("record/txIndex/off", "utf8");
const KEY_BYTES = 8 + 32;
const VALUE_BYTES = 12;
const DELETE_CHUNK = 16_384;

/**
 * The index of committed transactions by id, shaped for LMDB's B-tree: a random key costs a page
 * copied and written per insert (~20 us of CPU at a million entries, and growing with the tree),
 * keys appended in order ~0.5 us. So recent entries are held in memory (TxIdTable) and every
 * `segmentEntries` they are sorted and appended as one segment, keyed heightKey(the segment's first
 * height) ++ id, a few thousand per results batch so that no batch stalls the event loop. A lookup
 * tries the index of older stores (32-byte id keys), then each segment oldest first, then memory:
 * the first location of an id is the one kept (a replayed transaction is never taken for the original).
 *
 * It is derived data: on open, the heights above the last complete segment (the record
 * `txIndex/flushedThrough`, written with it) are read back from their blocks, and a segment cut
 * short by a crash is removed. Pruning drops whole segments once every height they cover is gone;
 * lookups never answer with a pruned height.
 */
export class TxIndex {
  readonly enabled: boolean;
  readonly #segmentEntries: number;
  readonly #minChunk: number;
  /** Start heights of the complete segments, ascending. */
  readonly #segments: number[] = [];
  #flushedThrough = 0;
  #indexedThrough = 0;
  #floor = 0;
  #active: TxIdTable;
  #sealed: Sealed | undefined;
  /** Tables of segments written in a transaction that may not be committed yet: still looked up. */
  readonly #releasing = new Set<TxIdTable>();
  #hasLegacy: boolean;

  private constructor(
    private readonly segmentsDb: BinaryDb,
    private readonly legacyDb: BinaryDb,
    private readonly recordsDb: BinaryDb,
    enabled: boolean,
    opts: TxIndexOptions,
  ) {
    this.enabled = enabled;
    this.#segmentEntries = opts.segmentEntries ?? 2 ** 18;
    this.#minChunk = opts.minChunk ?? 4096;
    this.#active = new TxIdTable(this.#segmentEntries);
    this.#hasLegacy = legacyDb.getKeysCount({ limit: 1 }) > 0;
  }

  /**
   * Opens the index over its databases (synchronous writes: call before any other write).
   * `legacyDb` holds the index of stores from before segments (tx id -> location): read and pruned, never written.
   */
  static open(
    dbs: { segments: BinaryDb; legacy: BinaryDb; records: BinaryDb },
    source: TxIndexSource,
    enabled: boolean,
    opts: TxIndexOptions = {},
  ): TxIndex {
    const index = new TxIndex(dbs.segments, dbs.legacy, dbs.records, enabled, opts);
    index.#floor = source.lowestHeight();
    index.#load(source);
    return index;
  }

  /** Adds the transactions of an executed height (`ids[i]` is its i-th tx); heights come in order. */
  record(height: number, ids: readonly Uint8Array[]): void {
    if (!this.enabled || height <= this.#indexedThrough) return; // re-executed after a restart: held already
    this.#indexedThrough = height;
    for (let i = 0; i < ids.length; i++) this.#active.add(ids[i]!, height, i);
    if (this.#sealed === undefined && this.#active.size >= this.#segmentEntries) this.#seal();
  }

  /**
   * Inside a write transaction: appends the next part of a sealed segment, at least `atLeast`
   * entries. Returns the segment's table once it is written whole: pass it to `release` after the
   * transaction is durable (until then lookups still find its entries in memory).
   */
  writeSome(atLeast = 0): TxIdTable | undefined {
    const s = this.#sealed;
    if (!s) return undefined;
    const end = Math.min(s.slots.length, s.written + Math.max(this.#minChunk, atLeast));
    while (s.sorted < end) {
      const groupEnd = s.ends[s.nextGroup++]!;
      s.table.sortRange(s.slots, s.sorted, groupEnd);
      s.sorted = groupEnd;
    }
    const buf = Buffer.allocUnsafe((end - s.written) * (KEY_BYTES + VALUE_BYTES));
    let at = 0;
    for (let i = s.written; i < end; i++) {
      const slot = s.slots[i]!;
      const { height, index } = s.table.locationAt(slot);
      if (height < this.#floor) continue; // pruned meanwhile
      const key = buf.subarray(at, at + KEY_BYTES);
      s.prefix.copy(key, 0);
      key.set(s.table.idAt(slot), 8);
      const value = buf.subarray(at + KEY_BYTES, at + KEY_BYTES + VALUE_BYTES);
      writeHeightKey(value, 0, height).writeUInt32BE(index, 8);
      at += KEY_BYTES + VALUE_BYTES;
      this.segmentsDb.putSync(key, value, { append: true });
    }
    s.written = end;
    if (end < s.slots.length) return undefined;
    this.recordsDb.putSync(FLUSHED_RECORD, heightKey(s.through));
    this.#segments.push(heightFromKey(s.prefix));
    this.#flushedThrough = s.through;
    this.#sealed = undefined;
    this.#releasing.add(s.table);
    return s.table;
  }

  release(table: TxIdTable): void {
    this.#releasing.delete(table);
  }

  /** Where the transaction `id` was first committed, unless its height was pruned. */
  locate(id: Uint8Array): TxLocation | undefined {
    const at = this.#find(id);
    return at && at.height >= this.#floor ? at : undefined;
  }

  #find(id: Uint8Array): TxLocation | undefined {
    if (this.#hasLegacy) {
      const v = this.legacyDb.get(asBuffer(id));
      if (v) return locationOf(v);
    }
    if (this.#segments.length > 0 && id.length === 32) {
      const key = Buffer.allocUnsafe(KEY_BYTES);
      key.set(id, 8);
      for (const start of this.#segments) {
        heightKey(start).copy(key, 0);
        const v = this.segmentsDb.get(key);
        if (v) return locationOf(v);
      }
    }
    for (const table of this.#releasing) {
      const at = table.get(id);
      if (at) return at;
    }
    return this.#sealed?.table.get(id) ?? this.#active.get(id);
  }

  /** Whether the index of an older store (one key per id) still has entries to prune one by one. */
  get hasLegacy(): boolean {
    return this.#hasLegacy;
  }

  /**
   * Forgets heights below `retainHeight`: lookups stop answering with them at once; each segment
   * every height of which is below goes, in transactions of a bounded size. `legacyIds` are the
   * ids of the pruned heights, for the index of an older store.
   */
  async pruneBelow(
    retainHeight: number,
    transaction: (fn: () => void) => Promise<unknown>,
    legacyIds: readonly { heightKey: Buffer; ids: readonly Uint8Array[] }[] = [],
  ): Promise<void> {
    this.#floor = Math.max(this.#floor, retainHeight);
    if (this.#hasLegacy && legacyIds.length > 0) {
      await transaction(() => {
        for (const { heightKey: h, ids } of legacyIds) {
          for (const id of ids) {
            const v = this.legacyDb.get(asBuffer(id));
            if (v?.subarray(0, 8).equals(h)) this.legacyDb.removeSync(asBuffer(id));
          }
        }
      });
      this.#hasLegacy = this.legacyDb.getKeysCount({ limit: 1 }) > 0;
    }
    while (this.#segments.length > 0) {
      const last = (this.#segments[1] ?? this.#flushedThrough + 1) - 1;
      if (last >= retainHeight) break;
      const start = heightKey(this.#segments.shift()!);
      const end = heightKey(last + 1);
      let previous: Buffer | undefined;
      for (;;) {
        const keys = Array.from(this.segmentsDb.getKeys({ start, end, limit: DELETE_CHUNK }), copyKey);
        if (keys.length === 0) break;
        // A key that survived its removal would loop here forever: fail instead.
        if (previous?.equals(keys[0]!)) throw new StorageError("CORRUPT", "a tx index segment key cannot be removed");
        previous = keys[0];
        await transaction(() => {
          for (const k of keys) this.segmentsDb.removeSync(k);
        });
      }
    }
  }

  #seal(): void {
    const table = this.#active;
    this.#active = new TxIdTable(this.#segmentEntries);
    this.#sealed = {
      table,
      ...table.slotsByFirstByte(),
      sorted: 0,
      nextGroup: 0,
      written: 0,
      prefix: heightKey(this.#flushedThrough + 1),
      through: this.#indexedThrough,
    };
  }

  #load(source: TxIndexSource): void {
    const stored = this.recordsDb.get(FLUSHED_RECORD);
    if (stored && stored.length !== 8) throw new StorageError("CORRUPT", "the tx index record is not 8 bytes");
    // Without a record there are no segments (it is written before the first one, and kept).
    this.#flushedThrough = stored ? heightFromKey(stored) : Number.MAX_SAFE_INTEGER;
    this.#loadSegments();
    if (!this.enabled) {
      // Off: the segments written before stay readable and are pruned; the heights executed now
      // are not indexed, so a later start with the index on begins after them.
      if (stored && !this.recordsDb.get(OFF_RECORD)) this.recordsDb.putSync(OFF_RECORD, Buffer.from([1]));
      return;
    }
    if (!stored || this.recordsDb.get(OFF_RECORD)) {
      // A new store starts from nothing; one whose heights were not indexed this way (an older
      // store, or the index was off) starts after them.
      const last = source.lastResultHeight();
      this.#flushedThrough = last;
      this.recordsDb.transactionSync(() => {
        this.recordsDb.putSync(FLUSHED_RECORD, heightKey(last));
        this.recordsDb.removeSync(OFF_RECORD);
      });
    }
    this.#indexedThrough = this.#flushedThrough;
    for (const height of source.resultHeightsAbove(this.#flushedThrough)) {
      this.record(height, source.txIdsAt(height) ?? []);
      if (this.#sealed) {
        const table = this.segmentsDb.transactionSync(() => {
          let done: TxIdTable | undefined;
          while (!done) done = this.writeSome(Number.MAX_SAFE_INTEGER);
          return done;
        });
        this.release(table);
      }
    }
  }

  /** Finds the complete segments; removes the one a crash cut short (its start is above the record). */
  #loadSegments(): void {
    let from = heightKey(0);
    for (;;) {
      const next = Array.from(this.segmentsDb.getKeys({ start: from, limit: 1 }), copyKey)[0];
      if (next === undefined) return;
      const start = heightFromKey(next);
      if (start > this.#flushedThrough) {
        const torn = Array.from(this.segmentsDb.getKeys({ start: heightKey(start) }), copyKey);
        this.segmentsDb.transactionSync(() => {
          for (const k of torn) this.segmentsDb.removeSync(k);
        });
        return;
      }
      this.#segments.push(start);
      from = heightKey(start + 1);
    }
  }
}

/** lmdb-js may reuse a key's buffer for the next one. */
function copyKey(key: Buffer): Buffer {
  return Buffer.from(key);
}

function locationOf(v: Buffer): TxLocation {
  if (v.length !== VALUE_BYTES) throw new StorageError("CORRUPT", "a tx index entry is not 12 bytes");
  return { height: heightFromKey(v), index: v.readUInt32BE(8) };
}
