import type { Connection, PeerId, Stream, StreamMessageEvent } from "@libp2p/interface";
import { type CodecLimits, type ConsensusMessage, decodeConsensusMessage, type Transaction } from "@ordo/types";
import type { NetworkCounters } from "./counters.js";
import { type CompactProposal, COMPACT_PROPOSAL_FRAME_TAG, decodeCompactProposalFrame } from "./compactProposal.js";
import { NotAValidatorError } from "./errors.js";
import { FrameDecoder } from "./frames.js";
import type { OrdoHost } from "./host.js";
import type { NetworkLogger } from "./logger.js";
import { PeerSender, type PeerSenderOptions } from "./peerSender.js";
import { forEachChunk } from "./streamFrames.js";
import { decodeTxBatch, TX_BATCH_FRAME_TAG } from "./txBatch.js";
import type { ValidatorPeers } from "./validatorPeers.js";

export const CONSENSUS_PROTOCOL = "/ordo/consensus/1.0.0";
/** 1.1 adds compact proposals (transaction ids only); a stream negotiated as 1.0 never carries one. */
export const CONSENSUS_PROTOCOL_COMPACT = "/ordo/consensus/1.1.0";
const PROTOCOLS = [CONSENSUS_PROTOCOL_COMPACT, CONSENSUS_PROTOCOL];

export interface ConsensusStreamsOptions extends PeerSenderOptions {
  chainId: string;
  limits: CodecLimits;
  /** Transaction batches relayed on these streams: at most this many transactions and bytes. */
  maxTxsPerBatch: number;
  maxGossipBytes: number;
  maxFrameBytes: number;
  dialTimeoutMs: number;
  /** Wait this long before trying again to open a stream to a validator after a failure. */
  retryMs: number;
}

export interface ConsensusStreamsModules {
  host: OrdoHost;
  peers: ValidatorPeers;
  /** Our validator index, or -1 for a node outside the set. */
  selfIndex: number;
  counters: NetworkCounters;
  log: NetworkLogger;
  /** A decoded message from validator `from`. Exceptions are caught and counted, never blamed on the peer. */
  deliver(from: number, message: ConsensusMessage): void;
  /** A strictly decoded transaction batch relayed by validator `from` (same rules as the handler). */
  deliverTxs?(from: number, peer: PeerId, txs: Transaction[]): void;
  /** A strictly decoded compact proposal from validator `from` (only on 1.1 streams). */
  deliverCompact?(from: number, proposal: CompactProposal): void;
  /** Our outbound stream to validator `index` (re)opened: frames sent from now on reach it. */
  opened?(index: number): void;
  /** The peer sent something it must not (oversized or malformed frame): score it down and disconnect. */
  offense(peer: PeerId, stream: Stream, err: unknown): void;
  /** A non-validator was refused a validator-only protocol (already counted). */
  refused?(peer: PeerId, protocol: string): void;
}

/**
 * The consensus hot path: one long-lived outbound stream to each other validator, written through a
 * coalescing {@link PeerSender}, and the inbound streams validators open to us. Each side writes
 * only on the stream it opened, so there is no race over which of two simultaneous streams wins.
 * Only validators may open these streams; every frame is size-checked on its prefix and decoded
 * strictly.
 */
export class ConsensusStreams {
  readonly #opts: ConsensusStreamsOptions;
  readonly #m: ConsensusStreamsModules;
  readonly #senders: PeerSender[];
  readonly #opening: boolean[];
  readonly #retryAt: number[];
  /** Whether our outbound stream to each validator was negotiated as 1.1 (takes compact proposals). */
  readonly #compact: boolean[];
  readonly #streams = new Set<Stream>();
  #running = false;

  constructor(opts: ConsensusStreamsOptions, modules: ConsensusStreamsModules) {
    this.#opts = opts;
    this.#m = modules;
    const n = modules.peers.size;
    this.#senders = Array.from(
      { length: n },
      () =>
        new PeerSender(opts, modules.counters, (stream, err) =>
          modules.log.debug("consensus write failed", { stream: stream.id, err: String(err) }),
        ),
    );
    this.#opening = new Array(n).fill(false);
    this.#retryAt = new Array(n).fill(0);
    this.#compact = new Array(n).fill(false);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    for (const protocol of PROTOCOLS) {
      await this.#m.host.handle(protocol, (stream, connection) => this.#onInbound(stream, connection), {
        // A reconnecting peer may briefly have an old and a new stream.
        maxInboundStreams: 4,
        maxOutboundStreams: 4,
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const protocol of PROTOCOLS) await this.#m.host.unhandle(protocol).catch(() => {});
    for (const sender of this.#senders) {
      sender.detach();
      sender.clear();
    }
    for (const stream of this.#streams) stream.abort(new Error("network stopping"));
    this.#streams.clear();
  }

  /** Queues an encoded message for validator `index` and makes sure a stream to it is being opened. */
  send(index: number, body: Uint8Array): void {
    const sender = this.#senders[index];
    if (sender === undefined || index === this.#m.selfIndex) return;
    this.#m.counters.messagesOut++;
    sender.enqueue(body);
    if (sender.stream === undefined) this.connect(index);
  }

  /** Whether frames to validator `index` currently have an open stream to go to. */
  hasStream(index: number): boolean {
    return this.#senders[index]?.stream !== undefined;
  }

  /** Whether validator `index` takes compact proposals: our open stream to it speaks 1.1. */
  takesCompact(index: number): boolean {
    return this.hasStream(index) && this.#compact[index] === true;
  }

  /** Frames waiting for validator `index`. */
  queued(index: number): number {
    return this.#senders[index]?.queued ?? 0;
  }

  /**
   * Opens the outbound stream to validator `index` if there is none (dialling it if needed), unless
   * an attempt is already under way or the last one failed less than `retryMs` ago.
   */
  connect(index: number, force = false): void {
    const peerId = this.#m.peers.peerId(index);
    // Only validators open consensus streams: a follower's would be refused.
    if (!this.#running || peerId === undefined || index === this.#m.selfIndex || this.#m.selfIndex < 0) return;
    if (this.#opening[index] || this.#senders[index]!.stream !== undefined) return;
    if (!force && Date.now() < this.#retryAt[index]!) return;
    this.#opening[index] = true;
    this.#m.host.dialProtocol(peerId, PROTOCOLS, { signal: AbortSignal.timeout(this.#opts.dialTimeoutMs) }).then(
      (stream) => {
        this.#opening[index] = false;
        if (!this.#running) {
          stream.abort(new Error("network stopping"));
          return;
        }
        this.#adopt(stream, index, peerId, true);
      },
      (err: unknown) => {
        this.#opening[index] = false;
        this.#retryAt[index] = Date.now() + this.#opts.retryMs;
        this.#m.log.debug("consensus stream open failed", { validator: index, err: String(err) });
      },
    );
  }

  /** A relayed transaction batch: the same limits and strict decoding as a gossiped one. */
  #onTxBatchFrame(index: number, peerId: PeerId, body: Uint8Array): void {
    if (body.length - 1 > this.#opts.maxGossipBytes) {
      throw new Error(`transaction batch of ${body.length - 1} bytes exceeds ${this.#opts.maxGossipBytes}`);
    }
    const txs = decodeTxBatch(body.subarray(1), this.#opts.chainId, this.#opts.maxTxsPerBatch, this.#opts.limits);
    this.#m.counters.messagesIn++;
    try {
      this.#m.deliverTxs?.(index, peerId, txs);
    } catch (err) {
      this.#m.counters.handlerErrors++;
      this.#m.log.warn("transaction batch handler threw", { validator: index, err: String(err) });
    }
  }

  #onInbound(stream: Stream, connection: Connection): void {
    try {
      const index = this.#m.peers.indexOf(connection.remotePeer);
      if (index < 0 || index === this.#m.selfIndex) {
        this.#m.counters.refused++;
        stream.abort(new NotAValidatorError(connection.remotePeer.toString(), CONSENSUS_PROTOCOL));
        this.#m.refused?.(connection.remotePeer, CONSENSUS_PROTOCOL);
        return;
      }
      this.#adopt(stream, index, connection.remotePeer, false);
      // The peer is reachable: open our own direction now rather than on the first send.
      this.connect(index, true);
    } catch (err) {
      this.#m.log.warn("consensus inbound stream setup failed", { err: String(err) });
    }
  }

  /** Reads frames from a stream (both directions are read), and writes on it if it is ours. */
  #adopt(stream: Stream, index: number, peerId: PeerId, outbound: boolean): void {
    this.#streams.add(stream);
    const decoder = new FrameDecoder(this.#opts.maxFrameBytes);
    let broken = false;
    const onFrame = (body: Uint8Array) => {
      // Decoding errors propagate to the listener below and count against the peer.
      if (body[0] === TX_BATCH_FRAME_TAG) {
        this.#onTxBatchFrame(index, peerId, body);
        return;
      }
      if (body[0] === COMPACT_PROPOSAL_FRAME_TAG && stream.protocol === CONSENSUS_PROTOCOL_COMPACT) {
        const proposal = decodeCompactProposalFrame(body, this.#opts.limits);
        this.#m.counters.messagesIn++;
        try {
          this.#m.deliverCompact?.(index, proposal);
        } catch (err) {
          this.#m.counters.handlerErrors++;
          this.#m.log.warn("compact proposal handler threw", { validator: index, err: String(err) });
        }
        return;
      }
      const message = decodeConsensusMessage(body, this.#opts.limits);
      this.#m.counters.messagesIn++;
      try {
        this.#m.deliver(index, message);
      } catch (err) {
        this.#m.counters.handlerErrors++;
        this.#m.log.warn("consensus handler threw", { validator: index, err: String(err) });
      }
    };
    // An exception escaping a stream listener takes the process down: catch everything here.
    const onMessage = (evt: StreamMessageEvent) => {
      if (broken) return;
      try {
        forEachChunk(evt.data, (chunk) => decoder.push(chunk, onFrame));
      } catch (err) {
        broken = true;
        try {
          this.#m.offense(peerId, stream, err);
        } catch (inner) {
          this.#m.log.warn("offense handling failed", { err: String(inner) });
        }
      }
    };
    const onClose = () => {
      try {
        this.#streams.delete(stream);
        stream.removeEventListener("message", onMessage);
        if (!outbound) return;
        const sender = this.#senders[index]!;
        if (sender.stream !== stream) return;
        sender.detach(stream);
        // Reopen while the peer is still connected (a reset stream on a live connection);
        // a dropped connection is redialled by the maintenance loop and on reconnect.
        if (this.#running && this.#m.host.getConnections(peerId).length > 0) this.connect(index);
      } catch (err) {
        this.#m.log.warn("consensus stream close handling failed", { err: String(err) });
      }
    };
    stream.addEventListener("message", onMessage);
    stream.addEventListener("close", onClose, { once: true });
    // The remote finished writing on its stream: close our side too so both ends release it.
    stream.addEventListener(
      "remoteCloseWrite",
      () => {
        if (!outbound) stream.close().catch(() => {});
      },
      { once: true },
    );
    if (outbound) {
      const sender = this.#senders[index]!;
      const previous = sender.stream;
      this.#compact[index] = stream.protocol === CONSENSUS_PROTOCOL_COMPACT;
      sender.attach(stream);
      if (previous !== undefined && previous !== stream) previous.close().catch(() => {});
      this.#m.log.debug("consensus stream open", { validator: index });
      this.#m.opened?.(index);
    }
  }
}
