import { initialSafetyData, type SafetyData } from "./safetyData.js";

/**
 * Where SafetyRules keeps its data. `store` must be durable when it returns (fsync): a signature
 * is released only after it, so a crash can never make a replica forget what it signed.
 */
export interface SafetyStorage {
  load(): SafetyData;
  store(data: SafetyData): void;
}

/** For tests and the simulator: "durable" for the life of the object, which outlives simulated crashes. */
export class MemorySafetyStorage implements SafetyStorage {
  #data: SafetyData = { ...initialSafetyData };
  writes = 0;

  load(): SafetyData {
    return { ...this.#data };
  }

  store(data: SafetyData): void {
    this.#data = { ...data };
    this.writes++;
  }
}
