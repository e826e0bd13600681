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
 * it is sorted into a segment. One arena of 32-byte ids, typed arrays of locations, a Map from an
 * id's first 6 bytes to its slot, and a chain for ids sharing those bytes (only someone grinding
 * prefixes makes one): no object or string per entry for the GC to trace.
 *
 * The first location of an id stays: `add` of an id already held does nothing, as a replayed
 * transaction must never be mistaken for the original.
 */
export class TxIdTable {
  #ids = new Uint8Array(0);
  #heights = new Float64Array(0);
  #indexes = new Uint32Array(0);
  /** Next slot with the same 6-byte prefix, or -1. */
  #next = new Int32Array(0);
  readonly #byPrefix = new Map<number, number>();
  #size = 0;
  #maxHeight = -1;

  get size(): number {
    return this.#size;
  }

  /** The highest height added (-1 when empty). */
  get maxHeight(): number {
    return this.#maxHeight;
  }

  /** Adds `id` at (height, index) unless it is held already; returns whether it was added. */
  add(id: Uint8Array, height: number, index: number): boolean {
    if (id.length !== ID_BYTES) throw new RangeError(`a transaction id is ${ID_BYTES} bytes, not ${id.length}`);
    const prefix = prefixOf(id);
    const head = this.#byPrefix.get(prefix);
    for (let s = head ?? -1; s >= 0; s = this.#next[s]!) if (this.#idEquals(s, id)) return false;
    if (this.#size === this.#heights.length) this.#grow();
    const slot = this.#size++;
    this.#ids.set(id, slot * ID_BYTES);
    this.#heights[slot] = height;
    this.#indexes[slot] = index;
    this.#next[slot] = head ?? -1;
    this.#byPrefix.set(prefix, slot);
    if (height > this.#maxHeight) this.#maxHeight = height;
    return true;
  }

  get(id: Uint8Array): TxLocation | undefined {
    if (id.length !== ID_BYTES) return undefined;
    for (let s = this.#byPrefix.get(prefixOf(id)) ?? -1; s >= 0; s = this.#next[s]!) {
      if (this.#idEquals(s, id)) return { height: this.#heights[s]!, index: this.#indexes[s]! };
    }
    return undefined;
  }

  /** The id in `slot` (a view into the arena: copy it to keep it past this table). */
  idAt(slot: number): Uint8Array {
    return this.#ids.subarray(slot * ID_BYTES, (slot + 1) * ID_BYTES);
  }

  locationAt(slot: number): TxLocation {
    return { height: this.#heights[slot]!, index: this.#indexes[slot]! };
  }

  /** Every slot, ordered by id bytes (the order LMDB keeps keys in). */
  sortedSlots(): Uint32Array {
    const n = this.#size;
    if (n >= SLOT_SPAN) {
      const slots = Uint32Array.from({ length: n }, (_, i) => i);
      return slots.sort((a, b) => this.#compare(a, b));
    }
    // A native numeric sort on (32-bit prefix, slot) packed in a double; only ids sharing their
    // first 4 bytes (about n² / 2³³ pairs) need a byte compare afterwards.
    const keys = new Float64Array(n);
    const view = new DataView(this.#ids.buffer, this.#ids.byteOffset);
    for (let s = 0; s < n; s++) keys[s] = view.getUint32(s * ID_BYTES) * SLOT_SPAN + s;
    keys.sort();
    const slots = new Uint32Array(n);
    for (let i = 0; i < n; i++) slots[i] = keys[i]! % SLOT_SPAN;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      const prefix = Math.floor(keys[i]! / SLOT_SPAN);
      while (j < n && Math.floor(keys[j]! / SLOT_SPAN) === prefix) j++;
      if (j - i > 1) slots.subarray(i, j).sort((a, b) => this.#compare(a, b));
      i = j;
    }
    return slots;
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

  #grow(): void {
    const capacity = Math.max(1024, this.#heights.length * 2);
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.#ids);
    this.#ids = ids;
    this.#heights = grown(this.#heights, new Float64Array(capacity));
    this.#indexes = grown(this.#indexes, new Uint32Array(capacity));
    this.#next = grown(this.#next, new Int32Array(capacity));
  }
}

function grown<T extends Float64Array | Uint32Array | Int32Array>(old: T, fresh: T): T {
  fresh.set(old as never);
  return fresh;
}

/** The id's first 6 bytes as a number (ids are hashes: evenly spread). */
function prefixOf(id: Uint8Array): number {
  const low = ((id[2]! << 24) | (id[3]! << 16) | (id[4]! << 8) | id[5]!) >>> 0;
  return ((id[0]! << 8) | id[1]!) * 2 ** 32 + low;
}
