import { OrdoError } from "@ordo/types";

/** Options handed to the network (or the host factory) are invalid. */
export class InvalidNetworkOptionsError extends OrdoError<"INVALID_NETWORK_OPTIONS"> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super("INVALID_NETWORK_OPTIONS", message, meta);
  }
}

/** A length prefix announced a frame larger than the limit for its protocol (checked before buffering). */
export class FrameTooLargeError extends OrdoError<"FRAME_TOO_LARGE"> {
  constructor(length: number, max: number) {
    super("FRAME_TOO_LARGE", `frame of ${length} bytes exceeds the limit of ${max}`, { length, max });
  }
}

/** A peer that is not in the validator set tried to use a validator-only protocol. */
export class NotAValidatorError extends OrdoError<"NOT_A_VALIDATOR"> {
  constructor(peerId: string, protocol: string) {
    super("NOT_A_VALIDATOR", `peer ${peerId} is not a validator and may not open ${protocol}`, { peerId, protocol });
  }
}

/** A validator index outside the set (or our own index) was given to sendTo/request. */
export class UnknownValidatorError extends OrdoError<"UNKNOWN_VALIDATOR"> {
  constructor(index: number) {
    super("UNKNOWN_VALIDATOR", `no other validator with index ${index}`, { index });
  }
}

/** A block request got no complete answer in time. */
export class RequestTimeoutError extends OrdoError<"REQUEST_TIMEOUT"> {
  constructor(validator: number, timeoutMs: number) {
    super("REQUEST_TIMEOUT", `block request to validator ${validator} timed out after ${timeoutMs} ms`, {
      validator,
      timeoutMs,
    });
  }
}

/** A block request failed for another reason than a timeout: dial failure, stream reset, bad answer. */
export class RequestFailedError extends OrdoError<"REQUEST_FAILED"> {
  constructor(validator: number, reason: string) {
    super("REQUEST_FAILED", `block request to validator ${validator} failed: ${reason}`, { validator, reason });
  }
}

/** The peer's stream closed before a complete frame arrived. */
export class StreamEndedError extends OrdoError<"STREAM_ENDED"> {
  constructor(protocol: string) {
    super("STREAM_ENDED", `stream ${protocol} ended before a complete frame`, { protocol });
  }
}

/** The network was used before start() or after stop(). */
export class NetworkNotRunningError extends OrdoError<"NETWORK_NOT_RUNNING"> {
  constructor(operation: string) {
    super("NETWORK_NOT_RUNNING", `cannot ${operation}: the network is not running`, { operation });
  }
}

/** No block-fetch handler is registered on the serving node. */
export class NoBlockHandlerError extends OrdoError<"NO_BLOCK_HANDLER"> {
  constructor() {
    super("NO_BLOCK_HANDLER", "no block request handler registered");
  }
}
