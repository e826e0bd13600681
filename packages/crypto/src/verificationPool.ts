import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "@ordo/types";
import { type Domain, domainPrefix, signingPayload } from "./domain.js";
import { verifyDetached } from "./ed25519.js";
import { CryptoError } from "./errors.js";

export interface VerificationItem {
  publicKey: Uint8Array;
  domain: Domain;
  chainId: string;
  message: Uint8Array;
  signature: Uint8Array;
}

export interface VerificationPoolOptions {
  /** Worker threads; default: one per core but one, at least one. */
  threads?: number;
  /** Batches smaller than this are verified on the calling thread (a worker round trip costs ~50 µs). */
  inlineBelow?: number;
}

// The worker is plain JavaScript evaluated from a string, so it runs the same from sources (tsx)
// and from dist/, with libsodium loaded by absolute path.
const sodiumPath = createRequire(import.meta.url).resolve("sodium-native");
const workerSource = `
const { parentPort } = require("node:worker_threads");
const sodium = require(${JSON.stringify(sodiumPath)});
parentPort.on("message", ({ id, packed }) => {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const count = view.getUint32(0);
  const results = new Uint8Array(count);
  let pos = 4;
  for (let i = 0; i < count; i++) {
    const publicKey = packed.subarray(pos, pos + ${PUBLIC_KEY_LENGTH}); pos += ${PUBLIC_KEY_LENGTH};
    const signature = packed.subarray(pos, pos + ${SIGNATURE_LENGTH}); pos += ${SIGNATURE_LENGTH};
    const length = view.getUint32(pos); pos += 4;
    const message = packed.subarray(pos, pos + length); pos += length;
    results[i] = sodium.crypto_sign_verify_detached(signature, message, publicKey) ? 1 : 0;
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

interface Pending {
  resolve: (results: Uint8Array) => void;
  reject: (err: Error) => void;
}

/**
 * Verifies Ed25519 signatures on worker threads, in batches, so that client transaction checks
 * do not compete with consensus on the main thread. Results come back in input order.
 */
export class VerificationPool {
  readonly threads: number;
  readonly #inlineBelow: number;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #next = 0;
  #closed = false;

  constructor(opts: VerificationPoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? availableParallelism() - 1);
    this.#inlineBelow = opts.inlineBelow ?? 8;
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(workerSource, { eval: true });
      worker.on("message", ({ id, results }: { id: number; results: Uint8Array }) => {
        const p = this.#pending.get(id);
        this.#pending.delete(id);
        // An idle pool must not keep the process alive; a busy one must.
        if (this.#pending.size === 0) for (const w of this.#workers) w.unref();
        p?.resolve(results);
      });
      worker.on("error", (err) => this.#failAll(err));
      worker.unref();
      this.#workers.push(worker);
    }
  }

  /** One boolean per item: true when its signature verifies under its domain and chain id. */
  async verifyBatch(items: readonly VerificationItem[]): Promise<boolean[]> {
    if (this.#closed) throw new CryptoError("CLOSED", "the verification pool is closed");
    if (items.length === 0) return [];
    if (items.length < this.#inlineBelow) {
      return items.map((it) =>
        verifyDetached(it.publicKey, signingPayload(it.domain, it.chainId, it.message), it.signature),
      );
    }
    // Split across workers so that every core takes a share of one large batch.
    const shares = Math.min(this.threads, Math.ceil(items.length / this.#inlineBelow));
    const per = Math.ceil(items.length / shares);
    const parts: Promise<Uint8Array>[] = [];
    for (let start = 0; start < items.length; start += per) parts.push(this.#send(items.slice(start, start + per)));
    const out: boolean[] = [];
    for (const results of await Promise.all(parts)) for (const r of results) out.push(r === 1);
    return out;
  }

  #send(items: readonly VerificationItem[]): Promise<Uint8Array> {
    // The signed bytes (domain prefix, then the message) are written straight into the packed
    // batch: no intermediate payload per item.
    const prefixes = items.map((it) => domainPrefix(it.domain, it.chainId));
    let size = 4;
    items.forEach((it, i) => {
      size += PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH + 4 + prefixes[i]!.length + it.message.length;
    });
    const packed = new Uint8Array(size);
    const view = new DataView(packed.buffer);
    view.setUint32(0, items.length);
    let pos = 4;
    items.forEach((it, i) => {
      // A malformed key or signature cannot verify; zeros keep the layout fixed.
      if (it.publicKey?.length === PUBLIC_KEY_LENGTH) packed.set(it.publicKey, pos);
      pos += PUBLIC_KEY_LENGTH;
      if (it.signature?.length === SIGNATURE_LENGTH) packed.set(it.signature, pos);
      pos += SIGNATURE_LENGTH;
      const prefix = prefixes[i]!;
      view.setUint32(pos, prefix.length + it.message.length);
      pos += 4;
      packed.set(prefix, pos);
      pos += prefix.length;
      packed.set(it.message, pos);
      pos += it.message.length;
    });
    const id = this.#nextId++;
    const worker = this.#workers[this.#next++ % this.#workers.length]!;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (results) => {
          // Items whose key or signature had the wrong size were zero-filled: never valid.
          items.forEach((it, i) => {
            if (it.publicKey?.length !== PUBLIC_KEY_LENGTH || it.signature?.length !== SIGNATURE_LENGTH) results[i] = 0;
          });
          resolve(results);
        },
        reject,
      });
      if (this.#pending.size === 1) for (const w of this.#workers) w.ref();
      worker.postMessage({ id, packed }, [packed.buffer]);
    });
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new CryptoError("CLOSED", "the verification pool was closed"));
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
