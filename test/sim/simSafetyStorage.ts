import { initialSafetyData, type SafetyData, type SafetyStorage } from "@ordo/consensus";
import type { SeededRandom } from "@ordo/types/testing";
import type { EventQueue } from "./eventQueue.js";

/**
 * A validator's safety data file in the simulator: a write becomes durable 0-2 ms of virtual time
 * after it is asked for, in order (like fdatasync on the thread pool), and a crash loses the writes
 * still in flight. What is durable outlives crashes, so a replica restarts from what really landed,
 * and the round manager's vote and timeout paths run the way they do over the real file.
 */
export class SimSafetyStorage implements SafetyStorage {
  #durable: SafetyData = { ...initialSafetyData };
  #inFlight: (() => void)[] = [];
  #lastDoneAt = 0;
  writes = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly rng: SeededRandom,
  ) {}

  load(): SafetyData {
    return { ...this.#durable };
  }

  store(data: SafetyData, done: (err: Error | null) => void): void {
    const copy = { ...data };
    const at = Math.max(this.queue.now + this.rng.int(0, 2), this.#lastDoneAt);
    this.#lastDoneAt = at;
    const cancel = this.queue.schedule(at - this.queue.now, () => {
      this.#inFlight.splice(this.#inFlight.indexOf(cancel), 1);
      this.#durable = copy;
      this.writes++;
      done(null);
    });
    this.#inFlight.push(cancel);
  }

  /** The process died: writes not yet durable never land, and nobody hears of them. */
  crash(): void {
    for (const cancel of this.#inFlight.splice(0)) cancel();
  }
}
