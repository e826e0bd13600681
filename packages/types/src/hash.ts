import { createHash } from "node:crypto";

/** SHA-256, the only hash Ordo uses for ids, Merkle trees and app hashes. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  const digest = h.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
