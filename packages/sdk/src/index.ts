export type {
  AppFactory,
  AppFactoryOptions,
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
export { AppHarness, type AppHarnessOptions, HarnessAccount, HarnessError, harnessKey } from "./appHarness.js";
export * from "./client/index.js";
export { BaseApplication, type BlockContext, fail, ok, type TxOutcome } from "./baseApplication.js";
export { checkDivergence, type DivergenceCheck, DivergenceMonitor } from "./execution/divergence.js";
export { DivergenceError, ExecutionError, ExecutionOptionsError } from "./execution/errors.js";
export { type ExecutedBlock, ExecutionEngine, type ExecutionEngineModules } from "./execution/executionEngine.js";
export {
  defaultExecutionOptions,
  type ExecutionEngineOptions,
  validateExecutionOptions,
} from "./execution/executionOptions.js";
export { Code } from "./resultCodes.js";
export { type KvWrite, MemoryBackend, type StateBackend } from "./state/stateBackend.js";
export { MAX_KEY_BYTES, StateError, StateStore, type StateStoreOptions } from "./state/stateStore.js";
// What apps need from the lower layers, so an app depends on @ordo/sdk alone.
export {
  KeyPair,
  signTransaction,
  ValidatorSet,
  verifyReceiptSignature,
  verifyTransaction,
} from "@ordo/crypto";
export {
  type Block,
  type BlockHeader,
  type BlockReceipt,
  bytesEqual,
  CodecError,
  compareBytes,
  fromBase64,
  fromHex,
  merkleProof,
  merkleRoot,
  OrdoError,
  type QuorumCert,
  Reader,
  resultLeaf,
  sha256,
  type Transaction,
  type TxResult,
  toBase64,
  toHex,
  transactionId,
  verifyMerkleProof,
  Writer,
} from "@ordo/types";
