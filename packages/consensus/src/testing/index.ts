/**
 * Test support for ConsensusStorage and SafetyStorage backends, importable from other packages
 * as `@ordo/consensus/testing` (uses mocha and chai: for test code only).
 */
export { consensusStorageSuite } from "./consensusStorageSuite.js";
export { CHAIN, certify, child, genesis, keys, validators } from "./fixtures.js";
export { safetyRulesSuite, timeoutReleased, voteReleased } from "./safetyRulesSuite.js";
