import { type KeyPair, signTimeout, signVote } from "@ordo/crypto";
import type { BlockHeader, QuorumCert, Timeout, TimeoutCert, Vote } from "@ordo/types";
import { checkSafeToExtend, checkSafeToTimeout, checkVoteRound } from "./rules.js";
import type { SafetyData } from "./safetyData.js";
import type { SafetyStorage } from "./safetyStorage.js";

export interface SafetyRulesOptions {
  chainId: string;
  /** This replica's validator index. */
  index: number;
}

export interface SafetyRulesModules {
  key: KeyPair;
  storage: SafetyStorage;
  /** A write failed: the signatures waiting for it are never released (default: ignore). */
  onStoreFailed?: (err: Error) => void;
}

/**
 * The only component that signs votes and timeouts. Check the rules, persist SafetyData, then
 * sign: in that order, always. No timers, no network.
 *
 * The checks run, and the new SafetyData takes effect, at once (a second vote in the same round is
 * refused even while the first is being written); the signature is made and handed to `release`
 * only once that data is durable, so the write's fsync need not block the caller. A release also
 * waits for writes still in flight when the data did not change (a timeout in the round just voted
 * in): nothing leaves before every rule it relies on is on disk.
 */
export class SafetyRules {
  readonly #opts: SafetyRulesOptions;
  readonly #key: KeyPair;
  readonly #storage: SafetyStorage;
  readonly #onStoreFailed: (err: Error) => void;
  #data: SafetyData;
  /** Writes asked for, and the last of them known durable (writes complete in order). */
  #asked = 0;
  #durable = 0;
  #inFlight = 0;
  #waiting: (() => void)[] = [];

  constructor(opts: SafetyRulesOptions, modules: SafetyRulesModules) {
    this.#opts = opts;
    this.#key = modules.key;
    this.#storage = modules.storage;
    this.#onStoreFailed = modules.onStoreFailed ?? (() => {});
    this.#data = modules.storage.load();
  }

  /** The data the rules check against (ahead of the disk while a write is in flight). */
  get data(): Readonly<SafetyData> {
    return this.#data;
  }

  /**
   * Votes for the block with header `h` and id `id` in round `h.round`:
   * requires `h.round > lastVotedRound` and (`h.qc.round + 1 == h.round` or a TC justifies it);
   * persists `lastVotedRound = h.round`, `highestQcRound = max(highestQcRound, h.qc.round)`, then
   * hands the signed vote to `release` (possibly before returning). Throws SafetyError when refused.
   */
  vote(h: BlockHeader, id: Uint8Array, release: (vote: Vote) => void): void {
    checkVoteRound(this.#data, h.round);
    checkSafeToExtend(h.round, h.qc.round, h.tc);
    const data = { lastVotedRound: h.round, highestQcRound: Math.max(this.#data.highestQcRound, h.qc.round) };
    this.#persist(data, () =>
      release(
        signVote(
          this.#key,
          this.#opts.chainId,
          { blockId: id, round: h.round, parentId: h.parentId, parentRound: h.qc.round },
          this.#opts.index,
        ),
      ),
    );
  }

  /**
   * Signs `Timeout{round, highQc}`: requires `highQc.round >= highestQcRound`, `round >= lastVotedRound`,
   * and `highQc.round + 1 == round` or `lastTc.round + 1 == round`; persists `lastVotedRound = round`,
   * then hands the signed timeout to `release` (possibly before returning).
   */
  timeout(round: number, highQc: QuorumCert, lastTc: TimeoutCert | null, release: (timeout: Timeout) => void): void {
    checkSafeToTimeout(this.#data, round, highQc.round, lastTc);
    const data = { lastVotedRound: round, highestQcRound: Math.max(this.#data.highestQcRound, highQc.round) };
    this.#persist(data, () => release(signTimeout(this.#key, this.#opts.chainId, round, highQc, this.#opts.index)));
  }

  #persist(next: SafetyData, release: () => void): void {
    const changed =
      next.lastVotedRound !== this.#data.lastVotedRound || next.highestQcRound !== this.#data.highestQcRound;
    // Unchanged data after a failed write is not on disk either: write it again.
    const unwritten = this.#durable !== this.#asked && this.#inFlight === 0;
    if (!changed && !unwritten) {
      if (this.#durable === this.#asked) release();
      else this.#waiting.push(release);
      return;
    }
    this.#data = next;
    this.#waiting.push(release);
    const seq = ++this.#asked;
    this.#inFlight++;
    try {
      this.#storage.store({ ...next }, (err) => this.#stored(seq, err));
    } catch (err) {
      this.#stored(seq, err as Error);
    }
  }

  #stored(seq: number, err: Error | null): void {
    this.#inFlight--;
    if (err) {
      this.#onStoreFailed(err);
      // Only the latest write covers every waiting signature; an earlier failure is covered by it.
      if (seq === this.#asked) this.#waiting = [];
      return;
    }
    this.#durable = Math.max(this.#durable, seq);
    if (this.#durable !== this.#asked) return;
    const ready = this.#waiting;
    this.#waiting = [];
    for (const release of ready) release();
  }
}
