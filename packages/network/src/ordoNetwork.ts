import { EventEmitter } from "node:events";
import type { PeerId, Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import type { ConsensusNetwork } from "@ordo/consensus";
import type { KeyPair, ValidatorSet } from "@ordo/crypto";
import {
  type Block,
  type BlockRequest,
  blockId,
  bytesEqual,
  type BlockResponse,
  type CommittedRangeRequest,
  type CommittedRangeResponse,
  type ConsensusMessage,
  encodeConsensusMessage,
  type Transaction,
} from "@ordo/types";
import { BlockFetch, type BlockRequester, type RangeRequestHandler } from "./blockFetch.js";
import { type CompactProposal, encodeCompactProposalFrame, resolveCompactProposal } from "./compactProposal.js";
import { ConsensusStreams } from "./consensusStreams.js";
import { type NetworkCounters, newCounters } from "./counters.js";
import { NetworkNotRunningError, UnknownValidatorError } from "./errors.js";
import { type BlockHandler, Gossip, type GossipValidators, type TxBatchHandler } from "./gossip.js";
import { createOrdoHost, type OrdoHost } from "./host.js";
import { type NetworkLogger, silentLogger } from "./logger.js";
import { type NetworkOptions, validateNetworkOptions } from "./options.js";
import { PeerExchange } from "./peerExchange.js";
import { PeerScore } from "./peerScore.js";
import { encodeTxBatchFrame } from "./txBatch.js";
import { libp2pPrivateKey, peerIdFromValidatorKey, ValidatorPeers } from "./validatorPeers.js";

export type ConsensusMessageHandler = (from: number, message: ConsensusMessage) => void;
export type BlockRequestHandler = (
  request: BlockRequest,
  from: BlockRequester,
) => BlockResponse | Promise<BlockResponse>;

export interface OrdoNetworkModules {
  /** This node's key: its libp2p identity, and its validator index when it is in the set. */
  key: KeyPair;
  validators: ValidatorSet;
  log?: NetworkLogger;
  /** Extra gossip checks (signatures) run before delivery and forwarding. */
  gossipValidators?: GossipValidators;
}

/** A peer that broke a protocol rule and was disconnected. */
export interface PeerOffense {
  peerId: string;
  /** Its validator index, or -1. */
  validator: number;
  reason: string;
  banned: boolean;
}

export interface NetworkEvents {
  "validator:connect": [validator: number];
  "validator:disconnect": [validator: number];
  /**
   * Our consensus stream to a validator (re)opened. What was relayed before it opened reached that
   * validator only if gossip did: a listener re-sends what it must (the validator, its mempool).
   */
  "validator:stream": [validator: number];
  "peer:offense": [offense: PeerOffense];
  /** A non-validator tried a validator-only protocol; its stream was refused. */
  "peer:refused": [refusal: { peerId: string; protocol: string }];
}

export interface PeerStatus {
  peerId: string;
  /** Validator index, or -1 for a non-validator peer. */
  validator: number;
  connected: boolean;
  /** Our outbound consensus stream to it is open. */
  streamOpen: boolean;
  /** Consensus frames waiting for it. */
  queued: number;
  score: number;
  banned: boolean;
  addresses: string[];
}

type State = "stopped" | "starting" | "running" | "stopping";

/**
 * Ordo's network over libp2p 3, and the `ConsensusNetwork` consensus runs on.
 *
 * ```ts
 * const net = new OrdoNetwork({ chainId, listenAddresses, bootstrap }, { key, validators, log });
 * net.onConsensusMessage((from, msg) => roundManager.enqueue(from, msg));
 * net.setBlockRequestHandler((req) => roundManager.serveBlockRequest(req));
 * net.onTxBatch((txs) => mempool.addMany(txs));
 * await net.start();
 * // consensus calls net.broadcast / net.sendTo / net.request
 * await net.stop();
 * ```
 */
export class OrdoNetwork extends EventEmitter<NetworkEvents> implements ConsensusNetwork {
  readonly opts: NetworkOptions;
  readonly peers: ValidatorPeers;
  /** Our validator index, or -1 when this node is a follower outside the set. */
  readonly selfIndex: number;
  readonly peerId: PeerId;
  readonly counters: NetworkCounters = newCounters();
  readonly #m: OrdoNetworkModules;
  readonly #log: NetworkLogger;
  readonly #score: PeerScore;
  #state: State = "stopped";
  #transition: Promise<void> = Promise.resolve();
  #host: OrdoHost | undefined;
  #streams: ConsensusStreams | undefined;
  #blocks: BlockFetch | undefined;
  #gossip: Gossip | undefined;
  #exchange: PeerExchange | undefined;
  #timer: NodeJS.Timeout | undefined;
  #consensusHandler: ConsensusMessageHandler | undefined;
  #txLookup: ((idHex: string) => Transaction | undefined) | undefined;
  #blockHandler: BlockRequestHandler | undefined;
  #rangeHandler: RangeRequestHandler | undefined;
  #txHandler: TxBatchHandler | undefined;
  #gossipBlockHandler: BlockHandler | undefined;
  readonly #asking = new Set<string>();

  constructor(opts: Partial<NetworkOptions> & Pick<NetworkOptions, "chainId">, modules: OrdoNetworkModules) {
    super();
    this.opts = validateNetworkOptions(opts);
    this.#m = modules;
    this.#log = modules.log ?? silentLogger;
    this.peers = new ValidatorPeers(modules.validators);
    this.selfIndex = modules.validators.indexOf(modules.key.publicKey);
    this.peerId = peerIdFromValidatorKey(modules.key.publicKey);
    this.#score = new PeerScore(this.opts);
  }

  get running(): boolean {
    return this.#state === "running";
  }

  /** The libp2p node (for the node's status page and for tests); throws before start(). */
  get host(): OrdoHost {
    if (this.#host === undefined) throw new NetworkNotRunningError("access the host");
    return this.#host;
  }

  /** Our dialable addresses, each ending in /p2p/<peer id> (what others put in `bootstrap`). */
  multiaddrs(): string[] {
    return this.#host?.getMultiaddrs().map((a) => a.toString()) ?? [];
  }

  onConsensusMessage(handler: ConsensusMessageHandler | undefined): void {
    this.#consensusHandler = handler;
  }

  /**
   * Where compact proposals find their transactions (by id, hex): the transactions this node
   * received, from clients or relayed. A proposal naming one it does not know is fetched whole
   * from its sender instead.
   */
  setTxLookup(lookup: ((idHex: string) => Transaction | undefined) | undefined): void {
    this.#txLookup = lookup;
  }

  setBlockRequestHandler(handler: BlockRequestHandler | undefined): void {
    this.#blockHandler = handler;
  }

  /** What serves block sync (committed ranges with commit proofs). */
  setRangeRequestHandler(handler: RangeRequestHandler | undefined): void {
    this.#rangeHandler = handler;
  }

  onTxBatch(handler: TxBatchHandler | undefined): void {
    this.#txHandler = handler;
    this.#gossip?.onTxBatch(handler);
  }

  onBlock(handler: BlockHandler | undefined): void {
    this.#gossipBlockHandler = handler;
    this.#gossip?.onBlock(handler);
  }

  // --- lifecycle ---

  /** Starts the host and every protocol. Idempotent; concurrent calls share one start. */
  start(): Promise<void> {
    if (this.#state === "running" || this.#state === "starting") return this.#transition;
    // The state changes now, not when the chained step runs, so a second call sees it.
    this.#state = "starting";
    this.#transition = this.#transition.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#transition;
  }

  /** Stops everything and closes every connection. Idempotent. */
  stop(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "stopping") return this.#transition;
    this.#state = "stopping";
    this.#transition = this.#transition.then(
      () => this.#stop(),
      () => this.#stop(),
    );
    return this.#transition;
  }

  async #start(): Promise<void> {
    this.#state = "starting";
    try {
      const opts = this.opts;
      const host = await createOrdoHost({
        privateKey: libp2pPrivateKey(this.#m.key),
        listenAddresses: opts.listenAddresses,
        announceAddresses: opts.announceAddresses,
        bootstrap: opts.bootstrap,
        mdns: opts.mdns,
        connectionGater: this.#score.gater(),
        maxGossipBytes: opts.maxGossipBytes,
        inboundConnectionsPerSecond: opts.inboundConnectionsPerSecond,
      });
      this.#host = host;
      const offense = (peer: PeerId, stream: Stream, err: unknown) => this.#offense(peer, stream, err);
      const refused = (peer: PeerId, protocol: string) =>
        this.#emit("peer:refused", { peerId: peer.toString(), protocol });
      const common = { host, peers: this.peers, counters: this.counters, log: this.#log, refused };
      this.#streams = new ConsensusStreams(
        { ...opts, retryMs: Math.min(1000, opts.maintenanceIntervalMs) },
        {
          ...common,
          selfIndex: this.selfIndex,
          offense,
          deliver: (from, message) => this.#consensusHandler?.(from, message),
          deliverTxs: (_from, peer, txs) => this.#txHandler?.(txs, peer),
          deliverCompact: (from, proposal) => this.#onCompactProposal(from, proposal),
          opened: (index) => this.#emit("validator:stream", index),
        },
      );
      this.#blocks = new BlockFetch(opts, { ...common, offense });
      this.#blocks.setHandler(async (req, from) => {
        const handler = this.#blockHandler;
        if (handler === undefined) throw new Error("no block request handler");
        return handler(req, from);
      });
      this.#blocks.setRangeHandler(async (req, from) => {
        const handler = this.#rangeHandler;
        if (handler === undefined) throw new Error("no range request handler");
        return handler(req, from);
      });
      this.#exchange = new PeerExchange(
        { timeoutMs: opts.dialTimeoutMs },
        { host, peers: this.peers, log: this.#log, learnt: (v) => this.#streams?.connect(v, true) },
      );
      this.#gossip = new Gossip(opts, {
        pubsub: host.services.pubsub,
        counters: this.counters,
        log: this.#log,
        ...(this.#m.gossipValidators ? { validators: this.#m.gossipValidators } : {}),
      });
      this.#gossip.onTxBatch(this.#txHandler);
      this.#gossip.onBlock(this.#gossipBlockHandler);
      host.addEventListener("peer:connect", this.#onPeerConnect);
      host.addEventListener("peer:disconnect", this.#onPeerDisconnect);
      await this.#streams.start();
      await this.#blocks.start();
      await this.#exchange.start();
      await host.start();
      this.#gossip.start();
      this.#timer = setInterval(() => this.#maintain(), opts.maintenanceIntervalMs);
      this.#timer.unref();
      this.#state = "running";
      this.#log.info("network started", { peerId: this.peerId.toString(), validator: this.selfIndex });
      this.#maintain();
    } catch (err) {
      await this.#stop().catch(() => {});
      throw err;
    }
  }

  async #stop(): Promise<void> {
    this.#state = "stopping";
    clearInterval(this.#timer);
    this.#timer = undefined;
    const host = this.#host;
    this.#gossip?.stop();
    await this.#streams?.stop();
    await this.#blocks?.stop();
    await this.#exchange?.stop();
    if (host) {
      host.removeEventListener("peer:connect", this.#onPeerConnect);
      host.removeEventListener("peer:disconnect", this.#onPeerDisconnect);
      await host.stop();
    }
    this.#host = undefined;
    this.#streams = undefined;
    this.#blocks = undefined;
    this.#gossip = undefined;
    this.#exchange = undefined;
    this.#state = "stopped";
  }

  // --- ConsensusNetwork ---

  // A follower (selfIndex -1) has no consensus voice: validators would refuse its streams anyway.
  broadcast(message: ConsensusMessage): void {
    const streams = this.#streams;
    if (streams === undefined || this.#state !== "running" || this.selfIndex < 0) {
      this.counters.dropped++;
      return;
    }
    // A proposal goes compact (transaction ids only) to each validator whose stream takes it.
    const compactable = message.kind === "proposal" && message.block.txs.length > 0;
    let full: Uint8Array | undefined;
    let compact: Uint8Array | undefined;
    for (let i = 0; i < this.peers.size; i++) {
      if (i === this.selfIndex) continue;
      if (compactable && streams.takesCompact(i)) {
        compact ??= encodeCompactProposalFrame(message.block);
        streams.send(i, compact);
      } else {
        full ??= encodeConsensusMessage(message);
        streams.send(i, full);
      }
    }
  }

  /** Delivers a compact proposal as a full one: from our own transactions, else fetched from its sender. */
  #onCompactProposal(from: number, p: CompactProposal): void {
    const block = this.#txLookup ? resolveCompactProposal(p, this.#txLookup) : undefined;
    if (block) {
      this.counters.compactResolved++;
      this.#consensusHandler?.(from, { kind: "proposal", block });
      return;
    }
    this.counters.compactFetched++;
    const id = blockId(p.header);
    this.request(from, { blockId: id, count: 1 }).then(
      (res) => {
        const fetched = res.blocks[0];
        if (!fetched || !bytesEqual(blockId(fetched.header), id)) {
          this.counters.compactFailed++;
          return;
        }
        try {
          this.#consensusHandler?.(from, { kind: "proposal", block: fetched });
        } catch (err) {
          this.counters.handlerErrors++;
          this.#log.warn("consensus handler threw", { validator: from, err: String(err) });
        }
      },
      (err: unknown) => {
        this.counters.compactFailed++;
        this.#log.debug("fetching a compact proposal's block failed", { validator: from, err: String(err) });
      },
    );
  }

  sendTo(validator: number, message: ConsensusMessage): void {
    if (validator === this.selfIndex) return;
    const streams = this.#streams;
    if (
      streams === undefined ||
      this.#state !== "running" ||
      this.selfIndex < 0 ||
      this.peers.peerId(validator) === undefined
    ) {
      this.counters.dropped++;
      return;
    }
    streams.send(validator, encodeConsensusMessage(message));
  }

  async request(validator: number, request: BlockRequest): Promise<BlockResponse> {
    const peerId = this.peers.peerId(validator);
    if (peerId === undefined || validator === this.selfIndex) throw new UnknownValidatorError(validator);
    const blocks = this.#blocks;
    if (blocks === undefined || this.#state !== "running") throw new NetworkNotRunningError("request blocks");
    return blocks.request(validator, peerId, request);
  }

  async requestRange(validator: number, request: CommittedRangeRequest): Promise<CommittedRangeResponse> {
    const peerId = this.peers.peerId(validator);
    if (peerId === undefined || validator === this.selfIndex) throw new UnknownValidatorError(validator);
    const blocks = this.#blocks;
    if (blocks === undefined || this.#state !== "running") throw new NetworkNotRunningError("request blocks");
    return blocks.requestRange(validator, peerId, request);
  }

  // --- gossip ---

  /** Gossips a batch of client transactions to every node; resolves with the peers it was sent to. */
  async publishTxs(txs: readonly Transaction[]): Promise<number> {
    if (this.#gossip === undefined || this.#state !== "running") throw new NetworkNotRunningError("publish");
    return this.#gossip.publishTxs(txs);
  }

  /**
   * Hands a batch of client transactions to every other validator: over the direct stream to each
   * validator that has one open (one copy each, where gossipsub's forwarding sends ~3 per node in a
   * 4-validator mesh), and through gossip as well when some validator has no open stream (so a
   * partly connected node still spreads them) or when this node is not a validator. Resolves with
   * the number of validators reached directly plus the gossip recipients.
   */
  async relayTxs(txs: readonly Transaction[]): Promise<number> {
    const streams = this.#streams;
    if (streams === undefined || this.#gossip === undefined || this.#state !== "running") {
      throw new NetworkNotRunningError("relay transactions");
    }
    if (this.selfIndex < 0) return this.#gossip.publishTxs(txs);
    let direct = 0;
    let missing = 0;
    const body = encodeTxBatchFrame(txs);
    for (let i = 0; i < this.peers.size; i++) {
      if (i === this.selfIndex) continue;
      if (streams.hasStream(i)) {
        streams.send(i, body);
        direct++;
      } else missing++;
    }
    return missing > 0 ? direct + (await this.#gossip.publishTxs(txs)) : direct;
  }

  /**
   * Sends a transaction batch to validator `index` alone, on our consensus stream to it; false (and
   * nothing sent) when that stream is not open.
   */
  relayTxsTo(index: number, txs: readonly Transaction[]): boolean {
    const streams = this.#streams;
    if (streams === undefined || this.#state !== "running") throw new NetworkNotRunningError("relay transactions");
    if (index === this.selfIndex || txs.length === 0 || !streams.hasStream(index)) return false;
    streams.send(index, encodeTxBatchFrame(txs));
    return true;
  }

  /** Frames waiting to be written to validator `index`; undefined while no stream to it is open. */
  queuedTo(index: number): number | undefined {
    const streams = this.#streams;
    return streams?.hasStream(index) ? streams.queued(index) : undefined;
  }

  /** Gossips a committed block for followers. */
  async publishBlock(block: Block): Promise<number> {
    if (this.#gossip === undefined || this.#state !== "running") throw new NetworkNotRunningError("publish");
    return this.#gossip.publishBlock(block);
  }

  /** Peers subscribed to our transaction topic (gossip reaches them). */
  txSubscribers(): string[] {
    return this.#gossip?.txSubscribers().map((p) => p.toString()) ?? [];
  }

  // --- status ---

  /** Validator indices (other than ours) we hold a connection to. */
  connectedValidators(): number[] {
    const host = this.#host;
    if (host === undefined) return [];
    return this.peers
      .entries()
      .filter(([i, id]) => i !== this.selfIndex && host.getConnections(id).length > 0)
      .map(([i]) => i);
  }

  /** Every validator and every other connected peer, for the status page. */
  peerList(): PeerStatus[] {
    const host = this.#host;
    const out: PeerStatus[] = [];
    const seen = new Set<string>();
    const describe = (id: PeerId, validator: number): PeerStatus => {
      const connections = host?.getConnections(id) ?? [];
      return {
        peerId: id.toString(),
        validator,
        connected: connections.length > 0,
        streamOpen: validator >= 0 && (this.#streams?.hasStream(validator) ?? false),
        queued: validator >= 0 ? (this.#streams?.queued(validator) ?? 0) : 0,
        score: this.#score.score(id),
        banned: this.#score.isBanned(id),
        addresses: connections.map((c) => c.remoteAddr.toString()),
      };
    };
    for (const [i, id] of this.peers.entries()) {
      if (i === this.selfIndex) continue;
      seen.add(id.toString());
      out.push(describe(id, i));
    }
    for (const id of host?.getPeers() ?? []) {
      if (!seen.has(id.toString())) out.push(describe(id, -1));
    }
    return out;
  }

  // --- internals ---

  #emit<K extends keyof NetworkEvents>(event: K, ...args: NetworkEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: NetworkEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.counters.handlerErrors++;
      this.#log.warn("network event listener threw", { event, err: String(err) });
    }
  }

  readonly #onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    try {
      const peer = evt.detail;
      const validator = this.peers.indexOf(peer);
      if (validator >= 0 && validator !== this.selfIndex) {
        this.#streams?.connect(validator, true);
        this.#emit("validator:connect", validator);
      }
      if (this.#missingValidators().length > 0) this.#ask(peer);
    } catch (err) {
      this.#log.warn("peer:connect handling failed", { err: String(err) });
    }
  };

  readonly #onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    try {
      const validator = this.peers.indexOf(evt.detail);
      if (validator >= 0 && validator !== this.selfIndex) this.#emit("validator:disconnect", validator);
    } catch (err) {
      this.#log.warn("peer:disconnect handling failed", { err: String(err) });
    }
  };

  #missingValidators(): number[] {
    const host = this.#host;
    if (host === undefined) return [];
    return this.peers
      .entries()
      .filter(([i, id]) => i !== this.selfIndex && host.getConnections(id).length === 0 && !this.#score.isBanned(id))
      .map(([i]) => i);
  }

  #ask(peer: PeerId): void {
    const key = peer.toString();
    if (this.#exchange === undefined || this.#asking.has(key)) return;
    this.#asking.add(key);
    void this.#exchange.ask(peer).finally(() => this.#asking.delete(key));
  }

  /** Periodic: reopen streams to validators (dialling them), learn missing validators' addresses. */
  #maintain(): void {
    try {
      const host = this.#host;
      const streams = this.#streams;
      if (host === undefined || streams === undefined || this.#state !== "running") return;
      for (let i = 0; i < this.peers.size; i++) {
        if (i !== this.selfIndex && !streams.hasStream(i)) streams.connect(i);
      }
      if (this.#missingValidators().length > 0) {
        const connected = host.getPeers();
        if (connected.length > 0) this.#ask(connected[Math.floor(Math.random() * connected.length)]!);
        else for (const addr of this.opts.bootstrap) host.dial(multiaddr(addr)).catch(() => {});
      }
    } catch (err) {
      this.#log.warn("network maintenance failed", { err: String(err) });
    }
  }

  #offense(peer: PeerId, stream: Stream, err: unknown): void {
    this.counters.rejected++;
    const banned = this.#score.penalize(peer);
    const reason = err instanceof Error ? err.message : String(err);
    stream.abort(err instanceof Error ? err : new Error(reason));
    this.counters.disconnects++;
    const validator = this.peers.indexOf(peer);
    this.#log.warn("peer misbehaved, disconnecting", { peer: peer.toString(), validator, reason, banned });
    this.#emit("peer:offense", { peerId: peer.toString(), validator, reason, banned });
    this.#host?.hangUp(peer).catch(() => {});
  }
}
