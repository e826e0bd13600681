export type {
  AppInfo,
  Application,
  CheckTxResponse,
  CommitResponse,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InitChainRequest,
  InitChainResponse,
  QueryRequest,
  QueryResponse,
  TxContext,
} from "./application.js";
export { AppHarness, HarnessAccount } from "./appHarness.js";
export { BaseApplication, type BlockContext, fail, ok, type TxOutcome } from "./baseApplication.js";
export {
  type ExecutedBlock,
  ExecutionEngine,
  type ExecutionEngineOptions,
  ExecutionError,
} from "./execution/executionEngine.js";
export { Code } from "./resultCodes.js";
export { type KvWrite, MemoryBackend, type StateBackend } from "./state/stateBackend.js";
export { MAX_KEY_BYTES, StateError, StateStore } from "./state/stateStore.js";
// What apps need from the lower layers, so an app depends on @ordo/sdk alone.
export { KeyPair, signTransaction } from "@ordo/crypto";
export {
  bytesEqual,
  CodecError,
  compareBytes,
  fromBase64,
  fromHex,
  OrdoError,
  Reader,
  sha256,
  type Transaction,
  type TxResult,
  toBase64,
  toHex,
  Writer,
} from "@ordo/types";
