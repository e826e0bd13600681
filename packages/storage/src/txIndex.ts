import type { Database } from "lmdb";
import { StorageError } from "./errors.js";
import { heightFromKey, heightKey, lmdbBytes } from "./keys.js";
import { type TxLocation, TxIdTable } from "./txIdTable.js";

type BinaryDb = Database<Buffer, Buffer>;

export interface TxIndexOptions {
  /** Entries held in memory before they are sorted into a segment (default 2^18, ~20 MB). */
  segmentEntries?: number;
  /**
   * Fewest entries of a sealed segment written per results batch (default 1024: about one group
   * of a full segment, so that writing a segment is spread over ~256 batches rather than burst).
   * A batch of n transactions writes at least 2n, so a segment is written before the next fills.
   */
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
  /** Grouped by first id byte (`ends[b]`: the end of byte b's group); each group is sorted as it is written. */
  slots: Uint32Array;
  ends: Uint32Array;
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
/** A location: heightKey(height) ++ u32be(index). */
const VALUE_BYTES = 12;
/** An entry of a group: the id, then its location. */
const ENTRY_BYTES = 32 + VALUE_BYTES;
/** A segment's key for one first id byte: heightKey(first height) ++ that byte. */
const GROUP_KEY_BYTES = 8 + 1;
/** Segments written before groups: one key per id, heightKey(first height) ++ id. */
const ID_KEY_BYTES = 8 + 32;
const DELETE_CHUNK = 16_384;

/** A complete segment: its first height, and whether it is stored as groups (else one key per id). */
interface Segment {
  start: number;
  grouped: boolean;
}

/**
 * The index of committed transactions by id, shaped for LMDB's B-tree: a random key costs a page
 * copied and written per insert (~20 us of CPU at a million entries, and growing with the tree).
 * So recent entries are held in memory (TxIdTable) and every `segmentEntries` they are sealed into
 * a segment: 256 values, one per first id byte, keyed heightKey(the segment's first height) ++ that
 * byte, each the group's entries (id, location) sorted by id, appended a few groups per results
 * batch so that no batch stalls the event loop. (One key per id, as segments were first written,
 * cost ~3 us of the event loop per entry: ~0.8 s a segment; those segments are still read.) A
 * lookup tries the index of older stores (32-byte id keys), then each segment oldest first (one
 * read and a binary search), then memory: the first location of an id is the one kept (a replayed
 * transaction is never taken for the original).
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
  /** The complete segments, ascending. */
  readonly #segments: Segment[] = [];
  #flushedThrough = 0;
  #indexedThrough = 0;
  #floor = 0;
  #active: TxIdTable;
  #sealed: Sealed | undefined;
  /** Tables of segments written in a transaction that may not be committed yet: still looked up. */
  readonly #releasing = new Set<TxIdTable>();
  /**
   * The last released table, emptied and reused as the next active one: a fresh table is ~14 MB
   * of new memory to fault in at every seal (on this project's test VM ~6 us a page).
   */
  #spare: TxIdTable | undefined;
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
    this.#minChunk = opts.minChunk ?? 1024;
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
    // Seal before a height that would not fit: a full table doubles (every array copied, every id
    // rehashed, twice the memory faulted in), which showed as a one-second dip in the bench.
    const overflows = this.#active.size > 0 && this.#active.size + ids.length > this.#segmentEntries;
    if (this.#sealed === undefined && overflows) this.#seal();
    this.#indexedThrough = height;
    for (let i = 0; i < ids.length; i++) this.#active.add(ids[i]!, height, i);
    if (this.#sealed === undefined && this.#active.size >= this.#segmentEntries) this.#seal();
  }

  /**
   * Inside a write transaction: appends the next groups of a sealed segment, at least `atLeast`
   * entries (whole groups). Returns the segment's table once it is written whole: pass it to
   * `release` after the transaction is durable (until then lookups still find its entries in memory).
   */
  writeSome(atLeast = 0): TxIdTable | undefined {
    const s = this.#sealed;
    if (!s) return undefined;
    const target = Math.min(s.slots.length, s.written + Math.max(this.#minChunk, atLeast));
    while (s.written < target) {
      const from = s.written;
      const group = s.nextGroup++;
      const to = s.ends[group]!;
      s.written = to;
      if (to > from) this.#writeGroup(s, group, from, to);
    }
    if (s.written < s.slots.length) return undefined;
    this.recordsDb.putSync(FLUSHED_RECORD, heightKey(s.through));
    this.#segments.push({ start: heightFromKey(s.prefix), grouped: true });
    this.#flushedThrough = s.through;
    this.#sealed = undefined;
    this.#releasing.add(s.table);
    return s.table;
  }

  /** One group as one value: its entries sorted by id, those of pruned heights left out. */
  #writeGroup(s: Sealed, group: number, from: number, to: number): void {
    s.table.sortRange(s.slots, from, to);
    const value = Buffer.allocUnsafe((to - from) * ENTRY_BYTES);
    let at = 0;
    for (let i = from; i < to; i++) {
      const slot = s.slots[i]!;
      if (s.table.heightAt(slot) < this.#floor) continue; // pruned meanwhile
      s.table.writeEntry(slot, value, at);
      at += ENTRY_BYTES;
    }
    if (at > 0) this.segmentsDb.putSync(groupKey(s.prefix, group), value.subarray(0, at), { append: true });
  }

  release(table: TxIdTable): void {
    if (this.#releasing.delete(table)) this.#spare = table;
  }

  /** Where the transaction `id` was first committed, unless its height was pruned. */
  locate(id: Uint8Array): TxLocation | undefined {
    const at = this.#find(id);
    return at && at.height >= this.#floor ? at : undefined;
  }

  #find(id: Uint8Array): TxLocation | undefined {
    if (this.#hasLegacy) {
      const v = this.legacyDb.get(lmdbBytes(id));
      if (v) return locationOf(v);
    }
    if (this.#segments.length > 0 && id.length === 32) {
      for (const { start, grouped } of this.#segments) {
        const at = grouped ? this.#findInGroup(start, id) : this.segmentsDb.get(idKey(start, id));
        if (at) return locationOf(at);
      }
    }
    for (const table of this.#releasing) {
      const at = table.get(id);
      if (at) return at;
    }
    return this.#sealed?.table.get(id) ?? this.#active.get(id);
  }

  /** The location bytes of `id` in its group of the segment starting at `start`, if there. */
  #findInGroup(start: number, id: Uint8Array): Buffer | undefined {
    const group = this.segmentsDb.get(groupKey(heightKey(start), id[0]!));
    if (!group) return undefined;
    if (group.length % ENTRY_BYTES !== 0) throw new StorageError("CORRUPT", "a tx index group is not whole entries");
    let lo = 0;
    let hi = group.length / ENTRY_BYTES;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = Buffer.compare(group.subarray(mid * ENTRY_BYTES, mid * ENTRY_BYTES + 32), id);
      if (d === 0) return group.subarray(mid * ENTRY_BYTES + 32, (mid + 1) * ENTRY_BYTES);
      if (d < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
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
            const v = this.legacyDb.get(lmdbBytes(id));
            if (v?.subarray(0, 8).equals(h)) this.legacyDb.removeSync(lmdbBytes(id));
          }
        }
      });
      this.#hasLegacy = this.legacyDb.getKeysCount({ limit: 1 }) > 0;
    }
    while (this.#segments.length > 0) {
      const last = (this.#segments[1]?.start ?? this.#flushedThrough + 1) - 1;
      if (last >= retainHeight) break;
      const start = heightKey(this.#segments.shift()!.start);
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
    this.#active = this.#spare?.clear() ?? new TxIdTable(this.#segmentEntries);
    this.#spare = undefined;
    this.#sealed = {
      table,
      ...table.slotsByFirstByte(),
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
      if (next.length !== GROUP_KEY_BYTES && next.length !== ID_KEY_BYTES)
        throw new StorageError("CORRUPT", "a tx index segment key has neither known length", { start });
      this.#segments.push({ start, grouped: next.length === GROUP_KEY_BYTES });
      from = heightKey(start + 1);
    }
  }
}

function groupKey(prefix: Buffer, firstByte: number): Buffer {
  const key = Buffer.allocUnsafe(GROUP_KEY_BYTES);
  prefix.copy(key, 0);
  key[8] = firstByte;
  return key;
}

function idKey(start: number, id: Uint8Array): Buffer {
  const key = Buffer.allocUnsafe(ID_KEY_BYTES);
  heightKey(start).copy(key, 0);
  key.set(id, 8);
  return key;
}

/** lmdb-js may reuse a key's buffer for the next one. */
function copyKey(key: Buffer): Buffer {
  return Buffer.from(key);
}

function locationOf(v: Buffer): TxLocation {
  if (v.length !== VALUE_BYTES) throw new StorageError("CORRUPT", "a tx index entry is not 12 bytes");
  return { height: heightFromKey(v), index: v.readUInt32BE(8) };
}
