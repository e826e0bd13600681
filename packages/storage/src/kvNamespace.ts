import type { Database } from "lmdb";
import { lmdbBytes } from "./keys.js";

export type KvWrite = { key: Uint8Array; value: Uint8Array } | { key: Uint8Array; value: null };

/**
 * A byte-keyed namespace for the application's state: synchronous reads, ordered prefix scans,
 * and atomic, durable batches of writes (one per committed block).
 */
export class KvNamespace {
  constructor(private readonly db: Database<Buffer, Buffer>) {}

  get(key: Uint8Array): Uint8Array | undefined {
    return this.db.get(lmdbBytes(key));
  }

  /** Entries whose key starts with `prefix`, in key order. */
  *scan(prefix: Uint8Array, limit = Number.POSITIVE_INFINITY): Generator<[Uint8Array, Uint8Array]> {
    const start = lmdbBytes(prefix);
    let n = 0;
    for (const { key, value } of this.db.getRange({ start })) {
      if (n >= limit || !startsWith(key, start)) return;
      n++;
      yield [key, value];
    }
  }

  /**
   * Applies all writes in one transaction; resolves when they are durable. `value: null` deletes.
   * The values are copied into one buffer first: lmdb-js takes a value's address from its
   * ArrayBuffer, and a small typed array's (a state value is ~24 bytes) must first be moved by V8
   * to a backing store of its own, per put (`npm run bench:bank`: the puts were the largest cost of
   * a transfer's execution).
   */
  async write(writes: readonly KvWrite[]): Promise<void> {
    let total = 0;
    for (const w of writes) if (w.value !== null) total += w.value.length;
    const values = Buffer.allocUnsafeSlow(total);
    await this.db.transaction(() => {
      let at = 0;
      for (const w of writes) {
        if (w.value === null) {
          this.db.remove(lmdbBytes(w.key));
          continue;
        }
        values.set(w.value, at);
        this.db.put(lmdbBytes(w.key), values.subarray(at, at + w.value.length));
        at += w.value.length;
      }
    });
  }
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
