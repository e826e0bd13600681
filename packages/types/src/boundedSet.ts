/**
 * A set that remembers at most `capacity` entries and forgets the oldest additions first (a
 * lookup does not refresh an entry). For memories such as "this id was already verified" or
 * "this id was committed", where an entry matters for a while after it is added.
 *
 * Eviction goes through a ring of the additions in order. The obvious alternative, deleting the
 * Set's first entry (or re-adding on use for LRU), walks past every entry deleted since V8 last
 * rehashed the table, which it keeps as holes: ~55 us a call at 200k entries.
 */
export class BoundedSet<T = string> {
  readonly #entries = new Set<T>();
  readonly #ring: (T | undefined)[] = [];
  #next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError("capacity must be a non-negative integer");
  }

  get size(): number {
    return this.#entries.size;
  }

  has(value: T): boolean {
    return this.#entries.has(value);
  }

  /** Adds `value` (a value already held keeps its place); evicts the oldest beyond capacity. */
  add(value: T): void {
    if (this.capacity === 0 || this.#entries.has(value)) return;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#entries.delete(evicted);
    this.#ring[this.#next] = value;
    this.#next = (this.#next + 1) % this.capacity;
    this.#entries.add(value);
  }
}
