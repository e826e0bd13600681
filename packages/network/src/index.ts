export { BLOCKS_PROTOCOL, type BlockRequester, RANGE_PROTOCOL, type RangeRequestHandler } from "./blockFetch.js";
export {
  COMPACT_PROPOSAL_FRAME_TAG,
  type CompactProposal,
  decodeCompactProposalFrame,
  encodeCompactProposalFrame,
  resolveCompactProposal,
} from "./compactProposal.js";
export { CONSENSUS_PROTOCOL, CONSENSUS_PROTOCOL_COMPACT } from "./consensusStreams.js";
export type { NetworkCounters } from "./counters.js";
export {
  FrameTooLargeError,
  InvalidNetworkOptionsError,
  NetworkNotRunningError,
  NoBlockHandlerError,
  NotAValidatorError,
  RequestFailedError,
  RequestTimeoutError,
  StreamEndedError,
  UnknownValidatorError,
} from "./errors.js";
export { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from "./frames.js";
export { type BlockHandler, blockTopic, type GossipValidators, type TxBatchHandler, txTopic } from "./gossip.js";
export { createOrdoHost, type HostInit, type OrdoHost, type OrdoServices } from "./host.js";
export { type NetworkLogger, silentLogger } from "./logger.js";
export { defaultNetworkOptions, type NetworkOptions, validateNetworkOptions } from "./options.js";
export {
  type BlockRequestHandler,
  type ConsensusMessageHandler,
  type NetworkEvents,
  OrdoNetwork,
  type OrdoNetworkModules,
  type PeerOffense,
  type PeerStatus,
} from "./ordoNetwork.js";
export { PEERS_PROTOCOL } from "./peerExchange.js";
export { PeerScore } from "./peerScore.js";
export { decodeTxBatch, encodeTxBatch } from "./txBatch.js";
export { libp2pPrivateKey, peerIdFromValidatorKey, ValidatorPeers } from "./validatorPeers.js";
