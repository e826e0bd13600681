import { noise } from "@chainsafe/libp2p-noise";
import { bootstrap } from "@libp2p/bootstrap";
import { type GossipSub, gossipsub, StrictNoSign } from "@libp2p/gossipsub";
import { type Identify, identify } from "@libp2p/identify";
import type { ConnectionGater, PrivateKey } from "@libp2p/interface";
import { mdns } from "@libp2p/mdns";
import { type Ping, ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { createLibp2p, type Libp2p, type Libp2pOptions } from "libp2p";
import { sodiumNoiseCrypto } from "./noiseCrypto.js";
import { withTunedNoiseConnections } from "./noiseConnections.js";
import { installYamuxWindowHysteresis } from "./yamuxWindowUpdates.js";

export interface OrdoServices extends Record<string, unknown> {
  identify: Identify;
  ping: Ping;
  pubsub: GossipSub;
}

export type OrdoHost = Libp2p<OrdoServices>;

export interface HostInit {
  privateKey: PrivateKey;
  listenAddresses: string[];
  announceAddresses?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  connectionGater?: ConnectionGater;
  /** Largest gossip message data decoded by gossipsub. */
  maxGossipBytes?: number;
  /** Inbound connections accepted per second from one IP address. */
  inboundConnectionsPerSecond?: number;
}

/**
 * A libp2p 3 host as Ordo runs it: TCP, Noise, yamux, identify, ping, bootstrap (and optionally
 * mDNS) discovery and gossipsub. Not started: the caller registers its protocols first.
 */
export async function createOrdoHost(init: HostInit): Promise<OrdoHost> {
  const peerDiscovery: NonNullable<Libp2pOptions["peerDiscovery"]> = [];
  // bootstrap() throws on an empty list, so it is only added when there is something to dial.
  if (init.bootstrap && init.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: init.bootstrap, timeout: 0 }));
  if (init.mdns) peerDiscovery.push(mdns());
  installYamuxWindowHysteresis();
  return createLibp2p<OrdoServices>({
    start: false,
    privateKey: init.privateKey,
    addresses: {
      listen: init.listenAddresses,
      ...(init.announceAddresses && init.announceAddresses.length > 0 ? { announce: init.announceAddresses } : {}),
    },
    transports: [tcp()],
    // libp2p 3 reads `connectionEncrypters`; the old `connectionEncryption` key is silently ignored.
    connectionEncrypters: [withTunedNoiseConnections(noise({ crypto: sodiumNoiseCrypto }))],
    streamMuxers: [yamux()],
    peerDiscovery,
    ...(init.inboundConnectionsPerSecond
      ? { connectionManager: { inboundConnectionThreshold: init.inboundConnectionsPerSecond } }
      : {}),
    ...(init.connectionGater ? { connectionGater: init.connectionGater } : {}),
    services: {
      identify: identify(),
      // ping defaults to one outbound stream; the node may ping several peers at once.
      ping: ping({ maxOutboundStreams: 8 }),
      // Consensus messages and transactions carry our own signatures: gossipsub's signing would
      // halve its rate for nothing. Topic validators decode strictly before anything is forwarded.
      pubsub: gossipsub({
        globalSignaturePolicy: StrictNoSign,
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        ...(init.maxGossipBytes ? { maxInboundDataLength: init.maxGossipBytes } : {}),
      }),
    },
  });
}
