/** A bounded set that forgets its least recently used entries: remembers what was already verified. */
export class LruSet {
  readonly #entries = new Set<string>();

  constructor(readonly capacity: number) {}

  has(key: string): boolean {
    if (!this.#entries.has(key)) return false;
    this.#entries.delete(key);
    this.#entries.add(key);
    return true;
  }

  add(key: string): void {
    this.#entries.delete(key);
    this.#entries.add(key);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.values().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
