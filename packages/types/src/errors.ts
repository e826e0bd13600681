/**
 * Base class of every Ordo error: a machine-readable `code` plus metadata for logs.
 * Peer input is rejected with one of these, never with a bare Error or a crash.
 */
export class OrdoError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly meta: Record<string, unknown>;

  constructor(code: Code, message: string, meta: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.meta = meta;
  }
}

export type CodecErrorCode =
  | "TRUNCATED"
  | "TRAILING_BYTES"
  | "TOO_LARGE"
  | "BAD_TAG"
  | "NON_CANONICAL"
  | "OUT_OF_RANGE"
  | "INVALID_VALUE";

/** Raised by every decoder (and by encoders handed a value that cannot be encoded). */
export class CodecError extends OrdoError<CodecErrorCode> {}
