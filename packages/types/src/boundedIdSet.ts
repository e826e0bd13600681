import { randomBytes } from "node:crypto";

/**
 * A BoundedSet for ids written as hex (transaction ids: SHA-256 digests), built for the replay
 * memories every validator checks each transaction against (200k entries): an open-addressing
 * table of 32-bit fingerprints in an Int32Array, so that a lookup of an absent id (the usual
 * case) reads one cache line instead of walking a Set's chain of string objects scattered over
 * the heap (~4 us per transaction in all at 16k tx/s, 10 % of a validator's main thread).
 *
 * The fingerprint is the id's first eight hex digits mixed with a per-process secret, so nobody
 * can grind ids that crowd one probe run. A matching fingerprint is confirmed against the id
 * itself. Eviction is oldest-first through a ring of the additions, with backward-shift deletion
 * (linear probing keeps no tombstones). Any string works as a key; ids are simply what it is
 * fast for.
 */
export class BoundedIdSet {
  readonly capacity: number;
  /** Per slot: 1 + the ring index of the entry there, 0 when empty. */
  readonly #slots: Int32Array;
  /** Per slot: the entry's fingerprint (valid when the slot is used). */
  readonly #prints: Int32Array;
  readonly #mask: number;
  /** Entries in addition order (a ring), and their fingerprints. */
  readonly #ring: (string | undefined)[];
  readonly #ringPrints: Int32Array;
  #next = 0;
  #size = 0;
  readonly #seed: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError("capacity must be a non-negative integer");
    this.capacity = capacity;
    // At most half full: probe runs stay short.
    let tableSize = 16;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.#slots = new Int32Array(tableSize);
    this.#prints = new Int32Array(tableSize);
    this.#mask = tableSize - 1;
    this.#ring = new Array(capacity).fill(undefined);
    this.#ringPrints = new Int32Array(capacity);
    this.#seed = randomBytes(4).readInt32LE(0) | 1;
  }

  get size(): number {
    return this.#size;
  }

  has(value: string): boolean {
    return this.#find(value, this.#print(value)) >= 0;
  }

  /** Adds `value` (a value already held keeps its place); evicts the oldest beyond capacity. */
  add(value: string): void {
    if (this.capacity === 0) return;
    const print = this.#print(value);
    if (this.#find(value, print) >= 0) return;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) {
      const slot = this.#find(evicted, this.#ringPrints[this.#next]!);
      if (slot >= 0) this.#remove(slot); // always found: the ring and the table hold the same entries
      this.#size--;
    }
    let i = print & this.#mask;
    while (this.#slots[i] !== 0) i = (i + 1) & this.#mask;
    this.#slots[i] = this.#next + 1;
    this.#prints[i] = print;
    this.#ring[this.#next] = value;
    this.#ringPrints[this.#next] = print;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    this.#size++;
  }

  /** The first eight characters (32 bits of a hex id), mixed with the secret seed. */
  #print(value: string): number {
    let h = 0;
    const n = Math.min(8, value.length);
    for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + value.charCodeAt(i)) | 0;
    h = Math.imul(h ^ this.#seed, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  /** The slot holding `value`, or -1. */
  #find(value: string, print: number): number {
    let i = print & this.#mask;
    for (;;) {
      const at = this.#slots[i]!;
      if (at === 0) return -1;
      if (this.#prints[i] === print && this.#ring[at - 1] === value) return i;
      i = (i + 1) & this.#mask;
    }
  }

  /** Empties slot `i` and moves later entries of its probe run back (no tombstones). */
  #remove(i: number): void {
    const slots = this.#slots;
    const prints = this.#prints;
    const mask = this.#mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (slots[j] === 0) break;
      const home = prints[j]! & mask;
      // Entry j may fill the hole when its home is not cyclically within (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        slots[hole] = slots[j]!;
        prints[hole] = prints[j]!;
        hole = j;
      }
    }
    slots[hole] = 0;
  }
}
