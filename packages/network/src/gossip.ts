import type { GossipSub, GossipsubMessage, Message } from "@libp2p/gossipsub";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import { type Block, type CodecLimits, decodeBlock, encodeBlock, type Transaction } from "@ordo/types";
import type { NetworkCounters } from "./counters.js";
import type { NetworkLogger } from "./logger.js";
import { decodeTxBatch, encodeTxBatch } from "./txBatch.js";

export const txTopic = (chainId: string): string => `/ordo/${chainId}/txs/1`;
export const blockTopic = (chainId: string): string => `/ordo/${chainId}/blocks/1`;

export type TxBatchHandler = (txs: Transaction[], from: PeerId) => void;
export type BlockHandler = (block: Block, from: PeerId) => void;

/**
 * Extra checks run inside gossip validation, after strict decoding and before delivery or
 * forwarding: the node plugs in signature checks here. Returning false rejects the message.
 */
export interface GossipValidators {
  txBatch?(txs: Transaction[], from: PeerId): boolean;
  block?(block: Block, from: PeerId): boolean;
}

export interface GossipOptions {
  chainId: string;
  limits: CodecLimits;
  maxGossipBytes: number;
  maxTxsPerBatch: number;
}

export interface GossipModules {
  pubsub: GossipSub;
  counters: NetworkCounters;
  log: NetworkLogger;
  validators?: GossipValidators;
}

type Decoded = { kind: "txs"; txs: Transaction[] } | { kind: "block"; block: Block };

/**
 * Gossip topics: transaction batches (a client submits to one node; every validator needs them) and
 * committed blocks (for followers). Every message is decoded strictly in the topic validator; a
 * rejected message is neither delivered nor forwarded, and gossipsub scores its sender down.
 */
export class Gossip {
  readonly #opts: GossipOptions;
  readonly #m: GossipModules;
  readonly #txTopic: string;
  readonly #blockTopic: string;
  /** Decoded in validation, handed to delivery without decoding twice (gossipsub passes the same data). */
  readonly #decoded = new WeakMap<Uint8Array, Decoded>();
  #txHandler: TxBatchHandler | undefined;
  #blockHandler: BlockHandler | undefined;
  #running = false;

  constructor(opts: GossipOptions, modules: GossipModules) {
    this.#opts = opts;
    this.#m = modules;
    this.#txTopic = txTopic(opts.chainId);
    this.#blockTopic = blockTopic(opts.chainId);
  }

  onTxBatch(handler: TxBatchHandler | undefined): void {
    this.#txHandler = handler;
  }

  onBlock(handler: BlockHandler | undefined): void {
    this.#blockHandler = handler;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const pubsub = this.#m.pubsub;
    pubsub.topicValidators.set(this.#txTopic, this.#validate);
    pubsub.topicValidators.set(this.#blockTopic, this.#validate);
    pubsub.addEventListener("gossipsub:message", this.#onMessage);
    pubsub.subscribe(this.#txTopic);
    pubsub.subscribe(this.#blockTopic);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    const pubsub = this.#m.pubsub;
    pubsub.removeEventListener("gossipsub:message", this.#onMessage);
    try {
      pubsub.unsubscribe(this.#txTopic);
      pubsub.unsubscribe(this.#blockTopic);
    } catch {
      // gossipsub already stopped
    }
    pubsub.topicValidators.delete(this.#txTopic);
    pubsub.topicValidators.delete(this.#blockTopic);
  }

  /** Peers we know subscribe to the transaction topic. */
  txSubscribers(): PeerId[] {
    return this.#m.pubsub.getSubscribers(this.#txTopic);
  }

  /** Publishes a batch of transactions; resolves with the number of peers it was sent to. */
  async publishTxs(txs: readonly Transaction[]): Promise<number> {
    return this.#publish(this.#txTopic, encodeTxBatch(txs));
  }

  /** Publishes a committed block for followers. */
  async publishBlock(block: Block): Promise<number> {
    return this.#publish(this.#blockTopic, encodeBlock(block));
  }

  async #publish(topic: string, data: Uint8Array): Promise<number> {
    const result = await this.#m.pubsub.publish(topic, data);
    this.#m.counters.gossipOut++;
    return result.recipients.length;
  }

  #decode(topic: string, data: Uint8Array, from: PeerId): Decoded | undefined {
    if (data.length > this.#opts.maxGossipBytes) return undefined;
    if (topic === this.#txTopic) {
      const txs = decodeTxBatch(data, this.#opts.chainId, this.#opts.maxTxsPerBatch, this.#opts.limits);
      if (this.#m.validators?.txBatch && !this.#m.validators.txBatch(txs, from)) return undefined;
      return { kind: "txs", txs };
    }
    if (topic === this.#blockTopic) {
      const block = decodeBlock(data, this.#opts.limits);
      if (this.#m.validators?.block && !this.#m.validators.block(block, from)) return undefined;
      return { kind: "block", block };
    }
    return undefined;
  }

  readonly #validate = (from: PeerId, msg: Message): TopicValidatorResult => {
    try {
      const decoded = this.#decode(msg.topic, msg.data, from);
      if (decoded !== undefined) {
        this.#decoded.set(msg.data, decoded);
        return TopicValidatorResult.Accept;
      }
    } catch (err) {
      this.#m.log.debug("gossip message rejected", { topic: msg.topic, from: from.toString(), err: String(err) });
    }
    this.#m.counters.rejected++;
    return TopicValidatorResult.Reject;
  };

  // An exception escaping an EventTarget listener crashes the process: catch everything.
  readonly #onMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    try {
      const { msg, propagationSource } = evt.detail;
      const decoded = this.#decoded.get(msg.data) ?? this.#decode(msg.topic, msg.data, propagationSource);
      if (decoded === undefined) return;
      this.#m.counters.gossipIn++;
      if (decoded.kind === "txs") this.#txHandler?.(decoded.txs, propagationSource);
      else this.#blockHandler?.(decoded.block, propagationSource);
    } catch (err) {
      this.#m.counters.handlerErrors++;
      this.#m.log.warn("gossip handler threw", { err: String(err) });
    }
  };
}
