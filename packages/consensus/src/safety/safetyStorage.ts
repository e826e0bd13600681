import { initialSafetyData, type SafetyData } from "./safetyData.js";

/**
 * Where SafetyRules keeps its data. `store` starts making `data` durable (fsync) and calls `done`
 * once it is, or with the error when it cannot be: SafetyRules releases a signature only after
 * that, so a crash can never make a replica forget what it signed. Writes complete in the order
 * they were asked for (a backend may skip a write superseded by a later one, calling both `done`s
 * when the later one is durable). `done` may run before `store` returns.
 */
export interface SafetyStorage {
  load(): SafetyData;
  store(data: SafetyData, done: (err: Error | null) => void): void;
}

/** For tests: "durable" for the life of the object at once (`done` runs before `store` returns). */
export class MemorySafetyStorage implements SafetyStorage {
  #data: SafetyData = { ...initialSafetyData };
  writes = 0;

  load(): SafetyData {
    return { ...this.#data };
  }

  store(data: SafetyData, done: (err: Error | null) => void): void {
    this.#data = { ...data };
    this.writes++;
    done(null);
  }
}
