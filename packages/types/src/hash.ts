import { createHash, hash } from "node:crypto";
import { createRequire } from "node:module";

/**
 * Two SHA-256 backends, each where it is faster (measured here, per call): libsodium through
 * `sodium-native` writes into a buffer it is given and costs ~0.35 us for 33 bytes and ~0.5 us
 * for 65 (Merkle leaves and nodes, the hottest hashes: several per transaction on every
 * validator), where node:crypto's one-shot `hash` costs ~1.05 us whatever the size up to a few
 * hundred bytes; OpenSSL uses the CPU's SHA extensions, so it wins from ~256 bytes up (3.2 us
 * against 12 us at 4 KB). sodium-native is loaded with require: it is a CommonJS addon, and
 * this package declares only the one function it calls.
 */
interface Sha256Binding {
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
}
const sodium = createRequire(import.meta.url)("sodium-native") as Sha256Binding;

/** Inputs below this many bytes go to libsodium, the others to OpenSSL. */
const SODIUM_MAX_INPUT = 256;

/** Above this many bytes in all, parts are streamed into a Hash object rather than joined. */
const SMALL_INPUT_BYTES = 4096;

/**
 * SHA-256 of `input` into `out` (32 bytes; both should live outside V8's heap, as Buffers and
 * pooled bytes do: a small `new Uint8Array` passed to the addon is copied out of the heap first).
 */
export function sha256Into(out: Uint8Array, input: Uint8Array): void {
  if (input.length < SODIUM_MAX_INPUT) sodium.crypto_hash_sha256(out, input);
  else out.set(hash("sha256", input, "buffer"));
}

/** A fresh 32-byte digest of one input, as a Buffer (callers that hand it out wrap it). */
export function digestOf(input: Uint8Array): Buffer {
  if (input.length >= SODIUM_MAX_INPUT) return hash("sha256", input, "buffer");
  const out = Buffer.allocUnsafe(32);
  sodium.crypto_hash_sha256(out, input);
  return out;
}

/** SHA-256, the only hash Ordo uses for ids, Merkle trees and app hashes. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return plain(digestOf(parts[0]!));
  let total = 0;
  for (const p of parts) total += p.length;
  if (total > SMALL_INPUT_BYTES) {
    const h = createHash("sha256");
    for (const p of parts) h.update(p);
    return plain(h.digest());
  }
  // Small multi-part inputs: one copy and a one-shot hash beat a Hash object with an update per part.
  const joined = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return plain(digestOf(joined));
}

function plain(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
