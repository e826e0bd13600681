export { type StorageErrorCode, StorageError } from "./errors.js";
export { type KvWrite, KvNamespace } from "./kvNamespace.js";
export { OrdoStore, type OrdoStoreOptions, type StoredResults, type TxLocation } from "./ordoStore.js";
export { LmdbConsensusStorage } from "./lmdbConsensusStorage.js";
export { FileSafetyStorage } from "./fileSafetyStorage.js";
export { LEGACY_SAFETY_RECORD, legacyChecksum, legacySafetyRecord } from "./legacySafetyRecord.js";
