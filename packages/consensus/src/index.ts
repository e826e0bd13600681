export { type BlockRecord, BlockTree, blockRecord, type CommitResult } from "./blockTree/blockTree.js";
export { type ConsensusStorage, MemoryConsensusStorage } from "./consensusStorage.js";
export { DivergenceMonitor } from "./divergenceMonitor.js";
export {
  type ConsensusErrorCode,
  ConsensusError,
  ConsensusOptionsError,
  DivergenceError,
  ProposalError,
  type SafetyErrorCode,
  SafetyError,
  SyncError,
  TimeoutMessageError,
  VoteError,
} from "./errors.js";
export type { Executor } from "./executor.js";
export type { ProposerElection } from "./liveness/proposerElection.js";
export { RoundRobinProposerElection } from "./liveness/roundRobinProposerElection.js";
export { defaultRoundStateOptions, type NewRound, RoundState, type RoundStateOptions } from "./liveness/roundState.js";
export { TimeoutCollector } from "./liveness/timeoutCollector.js";
export { type AddOutcome, defaultMempoolOptions, Mempool, type MempoolOptions } from "./mempool/mempool.js";
export type { ConsensusNetwork } from "./network.js";
export { checkNoReplay, checkProposal, type ProposalCheckOptions } from "./proposalChecks.js";
export {
  type ProposalDecision,
  ProposalGenerator,
  type ProposalGeneratorOptions,
} from "./liveness/proposalGenerator.js";
export {
  type ConsensusEvent,
  RoundManager,
  type RoundManagerModules,
  type RoundManagerOptions,
  type RoundManagerStats,
  type VoteDelivery,
  voteDeliveries,
} from "./roundManager.js";
export {
  blockOverheadBytes,
  defaultRoundManagerOptions,
  validateRoundManagerOptions,
} from "./roundManagerOptions.js";
export { checkSafeToExtend, checkSafeToTimeout, checkVoteRound } from "./safety/rules.js";
export { decodeSafetyData, encodeSafetyData, initialSafetyData, type SafetyData } from "./safety/safetyData.js";
export { SafetyRules, type SafetyRulesOptions } from "./safety/safetyRules.js";
export { MemorySafetyStorage, type SafetyStorage } from "./safety/safetyStorage.js";
export { fetchMissingChain } from "./sync/blockFetcher.js";
export {
  anchorOf,
  type CommittedChainSource,
  type RangeAnchor,
  type ServeRangeOptions,
  serveCommittedRange,
  type VerifiedRange,
  verifyCommittedRange,
} from "./sync/committedRange.js";
export {
  defaultRangeSyncOptions,
  RangeSync,
  type RangeSyncModules,
  type RangeSyncOptions,
  type RangeSyncProgress,
} from "./sync/rangeSync.js";
export type { Cancel, TimeService } from "./timeService.js";
export { VoteAggregator } from "./voteAggregator.js";
