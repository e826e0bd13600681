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
const require = createRequire(import.meta.url);
const sodium = require("sodium-native") as Sha256Binding;

/**
 * Merkle trees hash 64-byte messages (two digests) by the thousand: @chainsafe/hashtree (prysm's
 * hashtree, SHA-NI / AVX2 / AVX-512 assembly, the library Lodestar hashes its state with) takes
 * a whole level in one call, ~47 ns a pair here against ~400 ns for one call to libsodium. Its
 * prebuilt binaries cover Linux x64/arm64, macOS arm64 and Windows x64; elsewhere the pairs go
 * to libsodium one at a time (same digests).
 */
interface PairHasher {
  hashInto(input: Uint8Array, output: Uint8Array): void;
}
function loadPairHasher(): PairHasher | undefined {
  try {
    return require("@chainsafe/hashtree") as PairHasher;
  } catch {
    return undefined;
  }
}
const pairHasher = loadPairHasher();

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

/**
 * SHA-256 of each 64-byte block of `input`, written in order to `output` (32 bytes each): a Merkle
 * level in one call. `output.length` must be half of `input.length`, a multiple of 64.
 */
export function sha256Pairs(input: Uint8Array, output: Uint8Array): void {
  if (input.length % 64 !== 0 || output.length * 2 !== input.length)
    throw new RangeError(`sha256Pairs: ${input.length} input bytes for ${output.length} output bytes`);
  if (pairHasher !== undefined) pairHasher.hashInto(input, output);
  else sha256PairsPortable(input, output);
}

/** sha256Pairs through libsodium, one pair per call (the fallback; exported for its test). */
export function sha256PairsPortable(input: Uint8Array, output: Uint8Array): void {
  for (let i = 0, n = input.length >> 6; i < n; i++)
    sodium.crypto_hash_sha256(output.subarray(i * 32, i * 32 + 32), input.subarray(i * 64, i * 64 + 64));
}

/** Which backend hashes Merkle pairs (for tests and diagnostics). */
export const pairHashBackend: "hashtree" | "libsodium" = pairHasher !== undefined ? "hashtree" : "libsodium";

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
