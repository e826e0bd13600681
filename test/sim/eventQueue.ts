/** A min-heap of timed events with a sequence number tie-break: the simulator's deterministic clock. */
interface Item {
  time: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class EventQueue {
  #heap: Item[] = [];
  #seq = 0;
  now = 0;

  schedule(delayMs: number, fn: () => void): () => void {
    const item: Item = { time: this.now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#push(item);
    return () => {
      item.cancelled = true;
    };
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Runs the next event; false when none is left before `until`. */
  step(until: number): boolean {
    while (this.#heap.length > 0) {
      const top = this.#heap[0]!;
      if (top.time > until) return false;
      this.#pop();
      if (top.cancelled) continue;
      this.now = top.time;
      top.fn();
      return true;
    }
    return false;
  }

  #push(item: Item): void {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}

function less(a: Item, b: Item): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
