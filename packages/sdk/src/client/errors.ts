import { OrdoError } from "@ordo/types";

export type ClientErrorCode =
  | "INVALID_OPTIONS"
  | "UNREACHABLE"
  | "HTTP_ERROR"
  | "BAD_RESPONSE"
  | "TX_REJECTED"
  | "NO_QUORUM"
  | "CONFLICTING_RECEIPTS"
  | "NO_KEY"
  | "CLOSED";

/** Base of every error the sdk `Client` raises; `code` says which condition, `meta` carries the details. */
export class ClientError<Code extends ClientErrorCode = ClientErrorCode> extends OrdoError<Code> {}

/** Bad constructor or call options (no URLs, a chain id that does not match, ...). */
export class ClientOptionsError extends ClientError<"INVALID_OPTIONS" | "NO_KEY"> {}

/** A validator could not be reached, answered with an unexpected status, or with a body that is not the API's shape. */
export class TransportError extends ClientError<"UNREACHABLE" | "HTTP_ERROR" | "BAD_RESPONSE"> {}

/** A validator refused a transaction at admission (422): `meta.reason` is the node's code, e.g. BAD_SIGNATURE. */
export class TxRejectedError extends ClientError<"TX_REJECTED"> {}

/**
 * Fewer than f + 1 distinct validators returned matching, verified results before the timeout.
 * `meta.answers` says, per validator URL, what it last answered.
 */
export class NoQuorumError extends ClientError<"NO_QUORUM"> {}

/**
 * Validators returned verified but different results for one transaction, so that no result can
 * reach f + 1: `meta.groups` lists each distinct result with the validators that signed it.
 */
export class ConflictingReceiptsError extends ClientError<"CONFLICTING_RECEIPTS"> {}

/** The client was closed while the call was in flight. */
export class ClientClosedError extends ClientError<"CLOSED"> {}
