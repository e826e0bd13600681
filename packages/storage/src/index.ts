export { type StorageErrorCode, StorageError } from "./errors.js";
export { type KvWrite, KvNamespace } from "./kvNamespace.js";
export { OrdoStore, type OrdoStoreOptions, type StoredResults } from "./ordoStore.js";
