import { OrdoError } from "@ordo/types";

/** The execution layer cannot go on: blocks out of order, the app failed, or it was misused. */
export class ExecutionError extends OrdoError<
  "GAP" | "APP_FAILED" | "NOT_INITIALIZED" | "BAD_RESULTS" | "PERSIST_FAILED"
> {}

/** Invalid ExecutionEngine options. */
export class ExecutionOptionsError extends OrdoError<"INVALID_OPTION"> {}

/**
 * This replica's state differs from what another replica (a proposer) reported for the same
 * height: one of them executed wrongly. The replica must halt rather than serve wrong answers.
 */
export class DivergenceError extends OrdoError<"APP_HASH_MISMATCH"> {}
