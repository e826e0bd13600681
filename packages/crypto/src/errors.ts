import { OrdoError } from "@ordo/types";

export type CryptoErrorCode =
  | "INVALID_KEY"
  | "BAD_SIGNATURE"
  | "UNKNOWN_SIGNER"
  | "DUPLICATE_SIGNER"
  | "BELOW_QUORUM"
  | "MALFORMED_CERTIFICATE"
  | "INVALID_VALIDATOR_SET"
  | "CLOSED";

export class CryptoError extends OrdoError<CryptoErrorCode> {}
