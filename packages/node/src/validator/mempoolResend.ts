import type { Transaction } from "@ordo/types";

/** What a re-send to one validator needs from the validator and its network. */
export interface ResendLink {
  /** Sends one batch to the validator; false when its stream is gone (the re-send stops). */
  send(txs: readonly Transaction[]): boolean;
  /** Frames still waiting to be written to it; undefined once its stream is gone (the re-send stops). */
  queued(): number | undefined;
  /** Resolves after a short pause (a timer: the link's queue drains as the socket accepts writes). */
  pause(): Promise<void>;
  /** False once the validator is stopping. */
  running(): boolean;
}

/**
 * Sends `groups` (a mempool's pending transactions) to a validator whose stream has just (re)opened,
 * one group at a time, each once the link's queue is empty: a whole mempool queued at once (up to
 * tens of MB) would hold every consensus message to that validator behind it, and rounds could time
 * out. Resolves with the number of transactions sent.
 */
export async function resendInGroups(groups: readonly (readonly Transaction[])[], link: ResendLink): Promise<number> {
  let sent = 0;
  for (const txs of groups) {
    for (let queued = link.queued(); queued !== 0; queued = link.queued()) {
      // A new stream starts a re-send of its own.
      if (queued === undefined || !link.running()) return sent;
      await link.pause();
    }
    if (!link.running() || !link.send(txs)) return sent;
    sent += txs.length;
  }
  return sent;
}

/**
 * At most one re-send to each validator per `intervalMs`: only validators may open consensus
 * streams, but one that reset its stream over and over would otherwise get the whole mempool each
 * time. What a validator misses in a gap shorter than the interval, gossipsub still offers it (it
 * advertises a published message for ~3 s), so the interval stays below that.
 */
export class ResendThrottle {
  readonly #last = new Map<number, number>();

  constructor(readonly intervalMs: number) {}

  /** Whether a re-send to `validator` may start at `now` (ms); if so, it counts from now. */
  allow(validator: number, now: number): boolean {
    const last = this.#last.get(validator);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.#last.set(validator, now);
    return true;
  }
}
