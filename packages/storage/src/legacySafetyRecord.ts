import { decodeSafetyData, type SafetyData } from "@ordo/consensus";
import { bytesEqual, sha256 } from "@ordo/types";
import { damagedSafetyData } from "./errors.js";
import type { OrdoStore } from "./ordoStore.js";

/** The OrdoStore record where stores from before FileSafetyStorage kept the safety data. */
export const LEGACY_SAFETY_RECORD = "safety";
const CHECKSUM_BYTES = 8;

/**
 * The safety data such a store holds (16-byte `encodeSafetyData` then 8 bytes of its SHA-256),
 * or undefined when it has none: FileSafetyStorage starts its file from it. Damaged bytes are a
 * StorageError("CORRUPT"), never "none", which would let the validator vote again in rounds it
 * already voted in.
 */
export function legacySafetyRecord(store: OrdoStore): SafetyData | undefined {
  const bytes = store.getRecord(LEGACY_SAFETY_RECORD);
  if (!bytes) return undefined;
  const corrupt = (why: string) => damagedSafetyData(store.path, why, { record: LEGACY_SAFETY_RECORD });
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (bytes.length <= CHECKSUM_BYTES || !bytesEqual(bytes.subarray(body.length), legacyChecksum(body))) {
    throw corrupt(`${bytes.length} bytes that fail their checksum`);
  }
  try {
    return decodeSafetyData(body);
  } catch (err) {
    throw corrupt((err as Error).message);
  }
}

export function legacyChecksum(body: Uint8Array): Uint8Array {
  return sha256(body).subarray(0, CHECKSUM_BYTES);
}
