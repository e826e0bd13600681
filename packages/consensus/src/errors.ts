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

/**
 * Base of the round manager's errors: peer input that is rejected (counted and logged, never
 * thrown out of the round manager), or the one condition that halts it (`DivergenceError`).
 */
export class ConsensusError<C extends ConsensusErrorCode = ConsensusErrorCode> extends OrdoError<C> {}

/** A proposal that fails a check (leader, signature, payload root, parent link, height, transactions, app hash). */
export class ProposalError extends ConsensusError<"INVALID_PROPOSAL"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("INVALID_PROPOSAL", message, meta);
  }
}

/** A vote sent by someone else than its voter, or a second vote of one voter in a round. */
export class VoteError extends ConsensusError<"INVALID_VOTE"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("INVALID_VOTE", message, meta);
  }
}

/** A timeout message sent by someone else than its sender. */
export class TimeoutMessageError extends ConsensusError<"INVALID_TIMEOUT"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("INVALID_TIMEOUT", message, meta);
  }
}

/** Fetching missing blocks failed or returned blocks that do not verify or connect. */
export class SyncError extends ConsensusError<"SYNC_FAILED"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("SYNC_FAILED", message, meta);
  }
}

/** This replica's executed state differs from what f + 1 proposers report: it halts rather than serve it. */
export class DivergenceError extends ConsensusError<"DIVERGENCE"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("DIVERGENCE", message, meta);
  }
}

/** Options a round manager cannot run with (thrown by `validateRoundManagerOptions` at construction). */
export class ConsensusOptionsError extends OrdoError<"INVALID_OPTIONS"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("INVALID_OPTIONS", message, meta);
  }
}
