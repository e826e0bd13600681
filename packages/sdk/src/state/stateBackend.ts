import { compareBytes, toHex } from "@ordo/types";

export type KvWrite = { key: Uint8Array; value: Uint8Array } | { key: Uint8Array; value: null };

/**
 * Where committed app state lives. In a validator it is the node's LMDB store
 * (`OrdoStore.appState` from `@ordo/storage` has exactly this shape); in tests, memory.
 */
export interface StateBackend {
  get(key: Uint8Array): Uint8Array | undefined;
  /** Entries whose key starts with `prefix`, in key order. */
  scan(prefix: Uint8Array, limit?: number): Iterable<[Uint8Array, Uint8Array]>;
  /** Applies all writes atomically (`value: null` deletes); resolves once durable. */
  write(writes: readonly KvWrite[]): Promise<void>;
}

export class MemoryBackend implements StateBackend {
  readonly #map = new Map<string, [Uint8Array, Uint8Array]>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.#map.get(toHex(key))?.[1];
  }

  *scan(prefix: Uint8Array, limit = Number.POSITIVE_INFINITY): Generator<[Uint8Array, Uint8Array]> {
    const p = toHex(prefix);
    const hits = [...this.#map.entries()].filter(([k]) => k.startsWith(p)).map(([, kv]) => kv);
    hits.sort((a, b) => compareBytes(a[0], b[0]));
    yield* hits.slice(0, limit);
  }

  async write(writes: readonly KvWrite[]): Promise<void> {
    for (const w of writes) {
      if (w.value === null) this.#map.delete(toHex(w.key));
      else this.#map.set(toHex(w.key), [w.key.slice(), w.value.slice()]);
    }
  }
}
