import { MemoryConsensusStorage } from "../../src/index.js";
import { consensusStorageSuite } from "../../src/testing/index.js";

consensusStorageSuite("memory", () => new MemoryConsensusStorage());
