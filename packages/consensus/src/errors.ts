import { OrdoError } from "@ordo/types";

export type SafetyErrorCode = "ALREADY_VOTED" | "NOT_SAFE_TO_EXTEND" | "NOT_SAFE_TO_TIMEOUT" | "STALE_QC";

/** A safety rule refused to sign. Never a bug by itself: Byzantine or late input trips these. */
export class SafetyError extends OrdoError<SafetyErrorCode> {}

export type ConsensusErrorCode =
  | "INVALID_PROPOSAL"
  | "INVALID_VOTE"
  | "INVALID_TIMEOUT"
  | "INVALID_CERTIFICATE"
  | "MISSING_PARENT"
  | "DIVERGENCE"
  | "SYNC_FAILED";

/** Peer input that is rejected (counted and logged, never thrown out of the round manager). */
export class ConsensusError extends OrdoError<ConsensusErrorCode> {}
