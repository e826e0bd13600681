import type { Connection, PeerId, Stream } from "@libp2p/interface";
import {
  type BlockRequest,
  type BlockResponse,
  CodecError,
  type CodecLimits,
  type CommittedRangeRequest,
  type CommittedRangeResponse,
  decodeCommittedRangeRequest,
  decodeCommittedRangeResponse,
  decodeConsensusMessage,
  encodeCommittedRangeRequest,
  encodeCommittedRangeResponse,
  encodeConsensusMessage,
} from "@ordo/types";
import type { NetworkCounters } from "./counters.js";
import {
  FrameTooLargeError,
  NoBlockHandlerError,
  NotAValidatorError,
  RequestFailedError,
  RequestTimeoutError,
} from "./errors.js";
import { encodeFrame } from "./frames.js";
import type { OrdoHost } from "./host.js";
import type { NetworkLogger } from "./logger.js";
import { readOneFrame } from "./streamFrames.js";
import type { ValidatorPeers } from "./validatorPeers.js";

export const BLOCKS_PROTOCOL = "/ordo/blocks/1.0.0";
/** Block sync: committed blocks by height with a commit proof (CommittedRangeRequest/Response frames). */
export const RANGE_PROTOCOL = "/ordo/range/1.0.0";

/** A block request is a 37-byte message; anything much bigger is not one. */
const MAX_REQUEST_FRAME_BYTES = 1024;

/** Who asked: the peer, and its validator index (-1 for a follower). */
export interface BlockRequester {
  peerId: PeerId;
  validator: number;
}

export type BlockRequestHandler = (request: BlockRequest, from: BlockRequester) => Promise<BlockResponse>;
export type RangeRequestHandler = (
  request: CommittedRangeRequest,
  from: BlockRequester,
) => Promise<CommittedRangeResponse>;

export interface BlockFetchOptions {
  limits: CodecLimits;
  maxBlockResponseBytes: number;
  requestTimeoutMs: number;
  serveBlocksToValidatorsOnly: boolean;
}

export interface BlockFetchModules {
  host: OrdoHost;
  peers: ValidatorPeers;
  counters: NetworkCounters;
  log: NetworkLogger;
  offense(peer: PeerId, stream: Stream, err: unknown): void;
  /** A non-validator was refused a validator-only protocol (already counted). */
  refused?(peer: PeerId, protocol: string): void;
}

/**
 * Request/response block fetch: one short-lived stream per request (catch-up is rare enough that
 * the ~1.5 ms stream setup does not matter), the request and the response each one frame.
 */
export class BlockFetch {
  readonly #opts: BlockFetchOptions;
  readonly #m: BlockFetchModules;
  #handler: BlockRequestHandler | undefined;
  #rangeHandler: RangeRequestHandler | undefined;
  #running = false;

  constructor(opts: BlockFetchOptions, modules: BlockFetchModules) {
    this.#opts = opts;
    this.#m = modules;
  }

  /** Registers what serves incoming requests (the node reads its block store). */
  setHandler(handler: BlockRequestHandler | undefined): void {
    this.#handler = handler;
  }

  /** Registers what serves block sync requests (the node's committed chain). */
  setRangeHandler(handler: RangeRequestHandler | undefined): void {
    this.#rangeHandler = handler;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#m.host.handle(BLOCKS_PROTOCOL, (stream, connection) => this.#serve(stream, connection), {
      maxInboundStreams: 16,
      maxOutboundStreams: 16,
    });
    await this.#m.host.handle(RANGE_PROTOCOL, (stream, connection) => this.#serveRange(stream, connection), {
      maxInboundStreams: 16,
      maxOutboundStreams: 16,
    });
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#m.host.unhandle(BLOCKS_PROTOCOL).catch(() => {});
    await this.#m.host.unhandle(RANGE_PROTOCOL).catch(() => {});
  }

  /** Block sync: asks validator `index` for a committed range; rejects with RequestTimeoutError or RequestFailedError. */
  async requestRange(index: number, peerId: PeerId, request: CommittedRangeRequest): Promise<CommittedRangeResponse> {
    const timeoutMs = this.#opts.requestTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    this.#m.counters.blockRequestsSent++;
    let stream: Stream | undefined;
    try {
      stream = await this.#m.host.dialProtocol(peerId, RANGE_PROTOCOL, { signal });
      const response = readOneFrame(stream, this.#opts.maxBlockResponseBytes, signal);
      // Sending or closing can fail first (the peer died): then nobody awaits `response`, and its
      // rejection must not go unhandled (that takes the process down).
      response.catch(() => {});
      stream.send(encodeFrame(encodeCommittedRangeRequest(request)));
      await stream.close({ signal });
      return decodeCommittedRangeResponse(await response, this.#opts.limits);
    } catch (err) {
      this.#m.counters.blockRequestsFailed++;
      stream?.abort(err instanceof Error ? err : new Error(String(err)));
      if (signal.aborted) throw new RequestTimeoutError(index, timeoutMs);
      throw new RequestFailedError(index, err instanceof Error ? err.message : String(err));
    }
  }

  async #serveRange(stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer;
    const validator = this.#m.peers.indexOf(peerId);
    try {
      if (validator < 0 && this.#opts.serveBlocksToValidatorsOnly) {
        this.#m.counters.refused++;
        stream.abort(new NotAValidatorError(peerId.toString(), RANGE_PROTOCOL));
        this.#m.refused?.(peerId, RANGE_PROTOCOL);
        return;
      }
      let request: CommittedRangeRequest;
      try {
        const frame = await readOneFrame(
          stream,
          MAX_REQUEST_FRAME_BYTES,
          AbortSignal.timeout(this.#opts.requestTimeoutMs),
        );
        request = decodeCommittedRangeRequest(frame, this.#opts.limits);
      } catch (err) {
        if (err instanceof FrameTooLargeError || err instanceof CodecError) this.#m.offense(peerId, stream, err);
        else stream.abort(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const handler = this.#rangeHandler;
      if (handler === undefined) throw new NoBlockHandlerError();
      const response = await handler(request, { peerId, validator });
      if (stream.writeStatus !== "writable") return;
      stream.send(encodeFrame(encodeCommittedRangeResponse(response)));
      await stream.close();
      this.#m.counters.blockRequestsServed++;
    } catch (err) {
      this.#m.log.debug("range request not served", { peer: peerId.toString(), err: String(err) });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Asks validator `index`; rejects with RequestTimeoutError or RequestFailedError, never hangs. */
  async request(index: number, peerId: PeerId, request: BlockRequest): Promise<BlockResponse> {
    const timeoutMs = this.#opts.requestTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    this.#m.counters.blockRequestsSent++;
    let stream: Stream | undefined;
    try {
      stream = await this.#m.host.dialProtocol(peerId, BLOCKS_PROTOCOL, { signal });
      const response = readOneFrame(stream, this.#opts.maxBlockResponseBytes, signal);
      // Sending or closing can fail first (the peer died): then nobody awaits `response`, and its
      // rejection must not go unhandled (that takes the process down).
      response.catch(() => {});
      stream.send(encodeFrame(encodeConsensusMessage({ kind: "blockRequest", request })));
      await stream.close({ signal });
      const message = decodeConsensusMessage(await response, this.#opts.limits);
      if (message.kind !== "blockResponse") throw new RequestFailedError(index, `answered with a ${message.kind}`);
      return message.response;
    } catch (err) {
      this.#m.counters.blockRequestsFailed++;
      stream?.abort(err instanceof Error ? err : new Error(String(err)));
      if (signal.aborted) throw new RequestTimeoutError(index, timeoutMs);
      if (err instanceof RequestFailedError) throw err;
      throw new RequestFailedError(index, err instanceof Error ? err.message : String(err));
    }
  }

  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer;
    const validator = this.#m.peers.indexOf(peerId);
    try {
      if (validator < 0 && this.#opts.serveBlocksToValidatorsOnly) {
        this.#m.counters.refused++;
        stream.abort(new NotAValidatorError(peerId.toString(), BLOCKS_PROTOCOL));
        this.#m.refused?.(peerId, BLOCKS_PROTOCOL);
        return;
      }
      let request: BlockRequest;
      try {
        const frame = await readOneFrame(
          stream,
          MAX_REQUEST_FRAME_BYTES,
          AbortSignal.timeout(this.#opts.requestTimeoutMs),
        );
        const message = decodeConsensusMessage(frame, this.#opts.limits);
        if (message.kind !== "blockRequest") throw new RequestFailedError(validator, `sent a ${message.kind}`);
        request = message.request;
      } catch (err) {
        // Garbage is the peer's fault; a stream that ended or timed out may be the network's.
        if (err instanceof FrameTooLargeError || err instanceof CodecError || err instanceof RequestFailedError) {
          this.#m.offense(peerId, stream, err);
        } else {
          stream.abort(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      const handler = this.#handler;
      if (handler === undefined) throw new NoBlockHandlerError();
      const response = await handler(request, { peerId, validator });
      if (stream.writeStatus !== "writable") return;
      stream.send(encodeFrame(encodeConsensusMessage({ kind: "blockResponse", response })));
      await stream.close();
      this.#m.counters.blockRequestsServed++;
    } catch (err) {
      // Our handler failed or the stream went away: not the peer's fault.
      this.#m.log.debug("block request not served", { peer: peerId.toString(), err: String(err) });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
