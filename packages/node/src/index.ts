export { defaultNodeConfig, loadNodeConfig, type NodeConfig, validateNodeConfig } from "./config.js";
export { type ConfigErrorCode, ConfigError } from "./errors.js";
export {
  type ConsensusParams,
  defaultConsensusParams,
  type Genesis,
  genesisBlock,
  genesisToJSON,
  loadGenesis,
  parseGenesis,
  type TxAuth,
} from "./genesis.js";
export { type Home, homePaths, loadHome } from "./home.js";
export { peerIdOfKeyPair, peerIdOfPublicKey } from "./peerIdentity.js";
export { generateTestnet, type TestnetLayout, type TestnetOptions } from "./testnet.js";
export { buildHttpApi, defaultHttpApiOptions, type HttpApiOptions } from "./api/httpApi.js";
export type {
  BlockResults,
  CommitEvent,
  NodeService,
  NodeStatus,
  QueryOutcome,
  SubmitOutcome,
  TxStatus,
} from "./api/nodeService.js";
export { createLogger, type Logger } from "./logger.js";
export { NodeMetrics } from "./metrics.js";
export { Validator, type ValidatorOptions } from "./validator/validator.js";
export { LocalCluster, type LocalClusterOptions } from "./devnet/localCluster.js";
export { followCommits, type CommitFeedEvent } from "./devnet/commitFeed.js";
