import { type CodecLimits, defaultLimits, validateLimits } from "@ordo/types";
import { InvalidNetworkOptionsError } from "./errors.js";

export interface NetworkOptions {
  /** Chain id: names the gossip topics and must match every gossiped transaction. */
  chainId: string;
  /** libp2p listen multiaddrs; loopback with an OS-chosen port by default. */
  listenAddresses: string[];
  /** Addresses to announce instead of the listen addresses (for NAT or containers). Empty: announce listen ones. */
  announceAddresses: string[];
  /** Bootstrap peers, as multiaddrs ending in `/p2p/<peer id>`. */
  bootstrap: string[];
  /** mDNS discovery. Off by default: it multicasts on every interface, not only loopback. */
  mdns: boolean;
  /** Decoder limits for every message received. */
  limits: CodecLimits;
  /** Largest consensus frame accepted, in bytes (checked on the length prefix, before buffering). */
  maxFrameBytes: number;
  /** Largest block-fetch response accepted, in bytes. */
  maxBlockResponseBytes: number;
  /** Largest gossip message accepted (a transaction batch or a block), in bytes. */
  maxGossipBytes: number;
  /** Most transactions in one gossiped batch. */
  maxTxsPerBatch: number;
  /** Per peer: most consensus frames waiting to be written; beyond it the oldest are dropped. */
  maxQueuedFrames: number;
  /** Per peer: most bytes waiting to be written; beyond it the oldest frames are dropped. */
  maxQueuedBytes: number;
  /** Coalesce queued frames into writes of up to this many bytes. */
  maxBytesPerWrite: number;
  /** Write many frames per stream write (true) or one write per frame (false, for benchmarks). */
  coalesce: boolean;
  /** Timeout of one block request, dial included. */
  requestTimeoutMs: number;
  /** Timeout of one dial or stream opening. */
  dialTimeoutMs: number;
  /** How often to redial missing validators and ask peers for validator addresses. */
  maintenanceIntervalMs: number;
  /** Score lost per protocol offense (oversized or malformed frame, invalid request). */
  offensePenalty: number;
  /** A peer whose score falls to this value or below is banned for `banMs`. */
  banScore: number;
  /** How long a banned peer is refused (dials and inbound connections). */
  banMs: number;
  /**
   * Inbound connections accepted per second from one IP address (libp2p's limit, 5 by default, is
   * tight where every peer shares one address: a loopback devnet, peers behind one NAT).
   */
  inboundConnectionsPerSecond: number;
  /** Serve block requests only to validators (true) or to any peer such as a follower (false). */
  serveBlocksToValidatorsOnly: boolean;
}

export const defaultNetworkOptions: Readonly<Omit<NetworkOptions, "chainId" | "limits">> = Object.freeze({
  listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
  announceAddresses: [],
  bootstrap: [],
  mdns: false,
  maxFrameBytes: defaultLimits.maxBlockBytes + 1024 * 1024,
  maxBlockResponseBytes: 64 * 1024 * 1024,
  maxGossipBytes: 4 * 1024 * 1024,
  maxTxsPerBatch: 10_000,
  maxQueuedFrames: 8192,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxBytesPerWrite: 256 * 1024,
  coalesce: true,
  requestTimeoutMs: 5000,
  dialTimeoutMs: 5000,
  maintenanceIntervalMs: 2000,
  offensePenalty: 10,
  banScore: -30,
  banMs: 60_000,
  inboundConnectionsPerSecond: 25,
  serveBlocksToValidatorsOnly: true,
});

const positiveIntegers = [
  "maxFrameBytes",
  "maxBlockResponseBytes",
  "maxGossipBytes",
  "maxTxsPerBatch",
  "maxQueuedFrames",
  "maxQueuedBytes",
  "maxBytesPerWrite",
  "requestTimeoutMs",
  "dialTimeoutMs",
  "maintenanceIntervalMs",
  "offensePenalty",
  "banMs",
  "inboundConnectionsPerSecond",
] as const satisfies readonly (keyof NetworkOptions)[];

/** Fills in defaults and checks every option; throws InvalidNetworkOptionsError naming the bad one. */
export function validateNetworkOptions(
  partial: Partial<NetworkOptions> & Pick<NetworkOptions, "chainId">,
): NetworkOptions {
  const opts: NetworkOptions = {
    ...defaultNetworkOptions,
    ...partial,
    limits: validateLimits(partial.limits ?? {}),
  };
  if (typeof opts.chainId !== "string" || opts.chainId.length === 0 || opts.chainId.length > 64) {
    throw new InvalidNetworkOptionsError("chainId must be a non-empty string of at most 64 characters");
  }
  if (!/^[A-Za-z0-9._-]+$/.test(opts.chainId)) {
    throw new InvalidNetworkOptionsError("chainId may only hold letters, digits, '.', '_' and '-' (it names topics)");
  }
  for (const key of positiveIntegers) {
    const value = opts[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new InvalidNetworkOptionsError(`${key} must be a positive integer, got ${value}`, { key, value });
    }
  }
  if (!Number.isSafeInteger(opts.banScore) || opts.banScore >= 0) {
    throw new InvalidNetworkOptionsError(`banScore must be a negative integer, got ${opts.banScore}`);
  }
  if (opts.maxFrameBytes > 0xffffffff) throw new InvalidNetworkOptionsError("maxFrameBytes must fit in 32 bits");
  for (const key of ["listenAddresses", "announceAddresses", "bootstrap"] as const) {
    if (!Array.isArray(opts[key]) || !opts[key].every((a) => typeof a === "string" && a.startsWith("/"))) {
      throw new InvalidNetworkOptionsError(`${key} must be a list of multiaddr strings`, { key });
    }
  }
  if (opts.listenAddresses.length === 0) throw new InvalidNetworkOptionsError("listenAddresses must not be empty");
  for (const a of opts.bootstrap) {
    if (!a.includes("/p2p/")) throw new InvalidNetworkOptionsError(`bootstrap address ${a} must end in /p2p/<peer id>`);
  }
  return opts;
}
