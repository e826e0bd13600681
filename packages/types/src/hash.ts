import { createHash, hash } from "node:crypto";

/** SHA-256, the only hash Ordo uses for ids, Merkle trees and app hashes. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) {
    // One-shot hashing skips the Hash object: measurably cheaper for the many small inputs here.
    const digest = hash("sha256", parts[0]!, "buffer");
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  const digest = h.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
