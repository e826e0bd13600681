export type { Executor } from "./executor.js";
export type { ConsensusNetwork } from "./network.js";
export type { Cancel, TimeService } from "./timeService.js";
