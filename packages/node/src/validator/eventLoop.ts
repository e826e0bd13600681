import type { ConsensusEvent } from "@ordo/consensus";

/**
 * Feeds the round manager one event at a time. Network messages, timers, fetch results and
 * transactions all arrive here; an event posted while another is being handled (a handler that
 * posts) is queued and handled right after, never re-entrantly.
 */
export class ConsensusEventLoop {
  readonly #queue: ConsensusEvent[] = [];
  #handle: ((event: ConsensusEvent) => void) | undefined;
  #busy = false;
  #stopped = false;

  /** Starts handling; events posted before this wait in the queue. */
  attach(handle: (event: ConsensusEvent) => void): void {
    this.#handle = handle;
    this.#drain();
  }

  readonly post = (event: ConsensusEvent): void => {
    if (this.#stopped) return;
    this.#queue.push(event);
    this.#drain();
  };

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  get queued(): number {
    return this.#queue.length;
  }

  #drain(): void {
    if (this.#busy || this.#handle === undefined) return;
    this.#busy = true;
    try {
      for (let e = this.#queue.shift(); e !== undefined && !this.#stopped; e = this.#queue.shift()) this.#handle(e);
    } finally {
      this.#busy = false;
    }
  }
}
