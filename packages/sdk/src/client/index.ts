export {
  Client,
  type ClientModules,
  type CommittedTx,
  type NodeStatusJson,
  type QueryResult,
  type SubmitOutcome,
  type SubmittedTx,
  type WaitOptions,
} from "./client.js";
export {
  type ClientInit,
  type ClientOptions,
  defaultClientOptions,
  type NonceSource,
  validateClientOptions,
} from "./clientOptions.js";
export {
  type CommitEventSource,
  CommitWatcher,
  type CommitWatcherInit,
  type CommitWatcherOptions,
  type CommitWatcherStats,
  type ConfirmedBlock,
  type ConfirmedTx,
  defaultCommitWatcherOptions,
  validateCommitWatcherOptions,
  type WatcherRejection,
} from "./commitWatcher.js";
export { type CommitEventJson, sseCommitEvents } from "./sseCommitEvents.js";
export { CommitTally, type ResultGroup, type VerifiedAnswer } from "./commitTally.js";
export {
  ClientClosedError,
  ClientError,
  type ClientErrorCode,
  ClientOptionsError,
  ConflictingReceiptsError,
  NoQuorumError,
  TransportError,
  TxRejectedError,
} from "./errors.js";
export { defaultHttpTransportOptions, HttpTransport, type HttpTransportOptions } from "./httpTransport.js";
export { type NodeHttpRequest, type NodeHttpResponse, nodeHttpRequest } from "./nodeHttp.js";
export {
  defaultReceiptVerifierOptions,
  type ReceiptRejection,
  ReceiptVerifier,
  type ReceiptVerifierOptions,
} from "./receiptVerifier.js";
export type { Transport, TransportResponse } from "./transport.js";
export type { QueryAnswer, TxStatusAnswer } from "./wire.js";
