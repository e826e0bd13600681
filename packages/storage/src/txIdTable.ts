import { randomBytes } from "node:crypto";

/** Where a committed transaction is: its block's height and its index in that block. */
export interface TxLocation {
  height: number;
  index: number;
}

const ID_BYTES = 32;
/** Sort keys pack a slot under a 32-bit id prefix in a double's 53 exact bits. */
const SLOT_BITS = 21;
const SLOT_SPAN = 2 ** SLOT_BITS;

/**
 * Transaction ids and their locations, in memory: the recent part of the tx index (TxIndex) before
 * it is sorted into a segment. One arena of 32-byte ids, typed arrays of locations, and a chained
 * hash table of slots in typed arrays, its hash keyed by a secret drawn per table so that no one
 * can grind ids into one chain: no object or string per entry for the GC to trace.
 *
 * The first location of an id stays: `add` of an id already held does nothing, as a replayed
 * transaction must never be mistaken for the original.
 */
export class TxIdTable {
  #ids = new Uint8Array(0);
  #heights = new Float64Array(0);
  #indexes = new Uint32Array(0);
  /** Next slot in the same bucket, or -1. */
  #next = new Int32Array(0);
  /** First slot of each bucket, or -1; twice as many buckets as slots. */
  #buckets = new Int32Array(0);
  readonly #seedA = randomBytes(4).readInt32LE(0);
  readonly #seedB = randomBytes(4).readInt32LE(0);
  #size = 0;

  /** `capacity`: entries held before the first growth (growing copies every array and rehashes). */
  constructor(capacity = 1024) {
    this.#grow(Math.max(16, 2 ** Math.ceil(Math.log2(capacity))));
  }

  /** Empties the table, keeping its arrays (no fresh memory to fault in, nothing for the GC). */
  clear(): this {
    this.#size = 0;
    this.#buckets.fill(-1);
    return this;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `id` at (height, index) unless it is held already; returns whether it was added. */
  add(id: Uint8Array, height: number, index: number): boolean {
    if (id.length !== ID_BYTES) throw new RangeError(`a transaction id is ${ID_BYTES} bytes, not ${id.length}`);
    if (this.#find(id) >= 0) return false;
    if (this.#size === this.#heights.length) this.#grow(this.#heights.length * 2);
    const slot = this.#size++;
    this.#ids.set(id, slot * ID_BYTES);
    this.#heights[slot] = height;
    this.#indexes[slot] = index;
    this.#link(slot, this.#bucketOf(id, 0));
    return true;
  }

  get(id: Uint8Array): TxLocation | undefined {
    if (id.length !== ID_BYTES) return undefined;
    const s = this.#find(id);
    return s < 0 ? undefined : { height: this.#heights[s]!, index: this.#indexes[s]! };
  }

  #find(id: Uint8Array): number {
    for (let s = this.#buckets[this.#bucketOf(id, 0)]!; s >= 0; s = this.#next[s]!) if (this.#idEquals(s, id)) return s;
    return -1;
  }

  /** The bucket of the id at `at` in `bytes`: its first 8 bytes mixed with the table's secret. */
  #bucketOf(bytes: Uint8Array, at: number): number {
    const a = readI32(bytes, at) ^ this.#seedA;
    const b = readI32(bytes, at + 4) ^ this.#seedB;
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (a >>> 15), 0x85ebca77);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & (this.#buckets.length - 1);
  }

  #link(slot: number, bucket: number): void {
    this.#next[slot] = this.#buckets[bucket]!;
    this.#buckets[bucket] = slot;
  }

  /** The id in `slot` (a view into the arena: copy it to keep it past this table). */
  idAt(slot: number): Uint8Array {
    return this.#ids.subarray(slot * ID_BYTES, (slot + 1) * ID_BYTES);
  }

  locationAt(slot: number): TxLocation {
    return { height: this.#heights[slot]!, index: this.#indexes[slot]! };
  }

  /**
   * Writes slot `slot`'s segment entry at `at` of `out`: id (32 bytes), u64 height, u32 index, big
   * endian. Byte by byte, with no view or object per entry: a sealed segment writes 262,144 of them.
   */
  writeEntry(slot: number, out: Uint8Array, at: number): void {
    const ids = this.#ids;
    const base = slot * ID_BYTES;
    for (let k = 0; k < ID_BYTES; k++) out[at + k] = ids[base + k]!;
    const height = this.#heights[slot]!;
    const high = Math.floor(height / 0x1_0000_0000);
    writeU32(out, at + ID_BYTES, high);
    writeU32(out, at + ID_BYTES + 4, height >>> 0);
    writeU32(out, at + ID_BYTES + 8, this.#indexes[slot]!);
  }

  heightAt(slot: number): number {
    return this.#heights[slot]!;
  }

  /**
   * Every slot, grouped by the first byte of its id in byte order (a counting sort: O(n)), with
   * `ends[b]` the end of byte b's group. `sortRange` over each group then gives the order LMDB
   * keeps keys in: a group at a time, so that no single step sorts the whole table.
   */
  slotsByFirstByte(): { slots: Uint32Array; ends: Uint32Array } {
    const n = this.#size;
    const ends = new Uint32Array(256);
    for (let s = 0; s < n; s++) ends[this.#ids[s * ID_BYTES]!]!++;
    for (let b = 1; b < 256; b++) ends[b]! += ends[b - 1]!;
    const fill = new Uint32Array(256);
    for (let b = 1; b < 256; b++) fill[b] = ends[b - 1]!;
    const slots = new Uint32Array(n);
    for (let s = 0; s < n; s++) slots[fill[this.#ids[s * ID_BYTES]!]!++] = s;
    return { slots, ends };
  }

  /** Sorts `slots[from, to)` in place by id bytes. */
  sortRange(slots: Uint32Array, from: number, to: number): void {
    const part = slots.subarray(from, to);
    if (this.#size >= SLOT_SPAN) {
      part.sort((a, b) => this.#compare(a, b));
      return;
    }
    // A native numeric sort on (32-bit prefix, slot) packed in a double; only ids sharing their
    // first 4 bytes need a byte compare afterwards.
    const n = part.length;
    const keys = new Float64Array(n);
    const view = new DataView(this.#ids.buffer, this.#ids.byteOffset);
    for (let i = 0; i < n; i++) keys[i] = view.getUint32(part[i]! * ID_BYTES) * SLOT_SPAN + part[i]!;
    keys.sort();
    for (let i = 0; i < n; i++) part[i] = keys[i]! % SLOT_SPAN;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      const prefix = Math.floor(keys[i]! / SLOT_SPAN);
      while (j < n && Math.floor(keys[j]! / SLOT_SPAN) === prefix) j++;
      if (j - i > 1) part.subarray(i, j).sort((a, b) => this.#compare(a, b));
      i = j;
    }
  }

  #compare(a: number, b: number): number {
    const x = a * ID_BYTES;
    const y = b * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) {
      const d = this.#ids[x + i]! - this.#ids[y + i]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  #idEquals(slot: number, id: Uint8Array): boolean {
    const at = slot * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) if (this.#ids[at + i] !== id[i]) return false;
    return true;
  }

  #grow(capacity: number): void {
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.#ids);
    this.#ids = ids;
    this.#heights = grown(this.#heights, new Float64Array(capacity));
    this.#indexes = grown(this.#indexes, new Uint32Array(capacity));
    this.#next = new Int32Array(capacity);
    this.#buckets = new Int32Array(capacity * 2).fill(-1);
    for (let s = 0; s < this.#size; s++) this.#link(s, this.#bucketOf(this.#ids, s * ID_BYTES));
  }
}

function grown<T extends Float64Array | Uint32Array>(old: T, fresh: T): T {
  fresh.set(old as never);
  return fresh;
}

function readI32(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}
