import {
  decodeSafetyData,
  encodeSafetyData,
  initialSafetyData,
  type SafetyData,
  type SafetyStorage,
} from "@ordo/consensus";
import { bytesEqual, sha256 } from "@ordo/types";
import { StorageError } from "./errors.js";
import type { OrdoStore } from "./ordoStore.js";

export interface LmdbSafetyStorageOptions {
  /** Name of the durable record holding the data. */
  record?: string;
}

const CHECKSUM_BYTES = 8;

/**
 * SafetyData in one durable OrdoStore record: `store` fsyncs before it returns (LMDB `putSync`,
 * about half a millisecond here), so a vote or timeout is signed only once its round is on disk.
 *
 * The record is the 16-byte `encodeSafetyData` followed by 8 bytes of its SHA-256: damaged
 * bytes load as a StorageError("CORRUPT"), never as the initial data, which would let this
 * replica vote again in rounds it already voted in.
 */
export class LmdbSafetyStorage implements SafetyStorage {
  readonly #store: OrdoStore;
  readonly #record: string;

  constructor(store: OrdoStore, opts: LmdbSafetyStorageOptions = {}) {
    this.#store = store;
    this.#record = opts.record ?? "safety";
  }

  load(): SafetyData {
    const bytes = this.#store.getRecord(this.#record);
    if (!bytes) return { ...initialSafetyData };
    const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
    const sum = bytes.subarray(bytes.length - CHECKSUM_BYTES);
    if (bytes.length <= CHECKSUM_BYTES || !bytesEqual(sum, checksum(body))) {
      throw this.#corrupt(`${bytes.length} bytes that fail their checksum`);
    }
    try {
      return decodeSafetyData(body);
    } catch (err) {
      throw this.#corrupt((err as Error).message);
    }
  }

  store(data: SafetyData): void {
    const body = encodeSafetyData(data);
    const bytes = new Uint8Array(body.length + CHECKSUM_BYTES);
    bytes.set(body, 0);
    bytes.set(checksum(body), body.length);
    this.#store.putRecordDurable(this.#record, bytes);
  }

  #corrupt(why: string): StorageError {
    return new StorageError(
      "CORRUPT",
      `the safety data in ${this.#store.path} is damaged (${why}); starting from initial data could make ` +
        "this validator sign twice in a round: restore the store from a backup, or start it with a new key",
      { path: this.#store.path, record: this.#record },
    );
  }
}

function checksum(body: Uint8Array): Uint8Array {
  return sha256(body).subarray(0, CHECKSUM_BYTES);
}
