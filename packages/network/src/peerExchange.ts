import type { Connection, PeerId, Stream } from "@libp2p/interface";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { CodecError, Reader, Writer } from "@ordo/types";
import { encodeFrame } from "./frames.js";
import type { OrdoHost } from "./host.js";
import type { NetworkLogger } from "./logger.js";
import { readOneFrame } from "./streamFrames.js";
import type { ValidatorPeers } from "./validatorPeers.js";

export const PEERS_PROTOCOL = "/ordo/peers/1.0.0";

const MAX_ADDRS_PER_PEER = 8;
const MAX_ADDR_BYTES = 256;

/** Validator index with the addresses a peer knows for it. */
export interface ValidatorAddresses {
  validator: number;
  addresses: Multiaddr[];
}

/** u16 count, then per entry: u16 validator index, u8 address count, each address as a u32-prefixed byte string. */
export function encodeValidatorAddresses(entries: readonly ValidatorAddresses[]): Uint8Array {
  const w = new Writer(64 + entries.length * 64);
  w.u16(entries.length);
  for (const e of entries) {
    const addrs = e.addresses.slice(0, MAX_ADDRS_PER_PEER);
    w.u16(e.validator).u8(addrs.length);
    for (const a of addrs) w.bytes(a.bytes);
  }
  return w.finish();
}

export function decodeValidatorAddresses(bytes: Uint8Array, validators: number): ValidatorAddresses[] {
  const r = new Reader(bytes);
  const n = r.u16("entries");
  if (n > validators) throw new CodecError("TOO_LARGE", `${n} entries for ${validators} validators`);
  const out: ValidatorAddresses[] = [];
  for (let i = 0; i < n; i++) {
    const validator = r.u16("validator");
    if (validator >= validators) throw new CodecError("OUT_OF_RANGE", `validator index ${validator}`);
    const count = r.u8("address count");
    if (count > MAX_ADDRS_PER_PEER) throw new CodecError("TOO_LARGE", `${count} addresses`);
    const addresses: Multiaddr[] = [];
    for (let j = 0; j < count; j++) {
      const raw = r.bytes(MAX_ADDR_BYTES, "address");
      try {
        addresses.push(multiaddr(raw));
      } catch {
        throw new CodecError("INVALID_VALUE", "invalid multiaddr");
      }
    }
    out.push({ validator, addresses });
  }
  r.end();
  return out;
}

export interface PeerExchangeModules {
  host: OrdoHost;
  peers: ValidatorPeers;
  log: NetworkLogger;
  /** Called when new addresses were learnt for a validator (so it can be dialled). */
  learnt(validator: number): void;
}

/**
 * Validator address exchange, so that a validator started with a single bootstrap address finds
 * all the others (libp2p alone has no peer exchange without a DHT). A peer answers with the
 * addresses it holds for validators; the asker checks nothing but their shape, because the dial is
 * authenticated by Noise against the peer id derived from the validator key: a wrong address
 * only costs a failed dial.
 */
export class PeerExchange {
  readonly #m: PeerExchangeModules;
  readonly #timeoutMs: number;
  #running = false;

  constructor(opts: { timeoutMs: number }, modules: PeerExchangeModules) {
    this.#timeoutMs = opts.timeoutMs;
    this.#m = modules;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#m.host.handle(PEERS_PROTOCOL, (stream, connection) => this.#serve(stream, connection), {
      maxInboundStreams: 4,
      maxOutboundStreams: 4,
    });
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#m.host.unhandle(PEERS_PROTOCOL).catch(() => {});
  }

  /** Asks `peer` for validator addresses and stores those we did not have. Never throws. */
  async ask(peer: PeerId): Promise<void> {
    let stream: Stream | undefined;
    try {
      const signal = AbortSignal.timeout(this.#timeoutMs);
      stream = await this.#m.host.dialProtocol(peer, PEERS_PROTOCOL, { signal });
      const frame = await readOneFrame(stream, 64 * 1024 + this.#m.peers.size * 2200, signal);
      await stream.close().catch(() => {});
      const self = this.#m.host.peerId;
      for (const { validator, addresses } of decodeValidatorAddresses(frame, this.#m.peers.size)) {
        const id = this.#m.peers.peerId(validator)!;
        if (id.equals(self) || addresses.length === 0) continue;
        await this.#m.host.peerStore.merge(id, { multiaddrs: addresses });
        this.#m.learnt(validator);
      }
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)));
      this.#m.log.debug("peer exchange failed", { peer: peer.toString(), err: String(err) });
    }
  }

  async #serve(stream: Stream, connection: Connection): Promise<void> {
    try {
      const entries: ValidatorAddresses[] = [];
      for (const [validator, id] of this.#m.peers.entries()) {
        if (id.equals(connection.remotePeer)) continue;
        let addresses: Multiaddr[];
        if (id.equals(this.#m.host.peerId)) {
          addresses = this.#m.host.getMultiaddrs().map((a) => a.decapsulateCode(421));
        } else {
          // Only peers we are connected to: their stored addresses were confirmed by identify.
          if (this.#m.host.getConnections(id).length === 0) continue;
          const peer = await this.#m.host.peerStore.get(id).catch(() => undefined);
          addresses = peer?.addresses.map((a) => a.multiaddr) ?? [];
        }
        if (addresses.length > 0) entries.push({ validator, addresses });
      }
      stream.send(encodeFrame(encodeValidatorAddresses(entries)));
      await stream.close();
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
