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

/**
 * The only component that signs votes and timeouts. Check the rules, persist SafetyData, then
 * sign: in that order, always. No timers, no network.
 */
export class SafetyRules {
  readonly #opts: SafetyRulesOptions;
  readonly #key: KeyPair;
  readonly #storage: SafetyStorage;
  #data: SafetyData;

  constructor(opts: SafetyRulesOptions, modules: { key: KeyPair; storage: SafetyStorage }) {
    this.#opts = opts;
    this.#key = modules.key;
    this.#storage = modules.storage;
    this.#data = modules.storage.load();
  }

  get data(): Readonly<SafetyData> {
    return this.#data;
  }

  /**
   * Votes for the block with header `h` and id `id` in round `h.round`:
   * requires `h.round > lastVotedRound` and (`h.qc.round + 1 == h.round` or a TC justifies it);
   * persists `lastVotedRound = h.round`, `highestQcRound = max(highestQcRound, h.qc.round)`.
   */
  vote(h: BlockHeader, id: Uint8Array): Vote {
    checkVoteRound(this.#data, h.round);
    checkSafeToExtend(h.round, h.qc.round, h.tc);
    this.#persist({ lastVotedRound: h.round, highestQcRound: Math.max(this.#data.highestQcRound, h.qc.round) });
    return signVote(
      this.#key,
      this.#opts.chainId,
      { blockId: id, round: h.round, parentId: h.parentId, parentRound: h.qc.round },
      this.#opts.index,
    );
  }

  /**
   * Signs `Timeout{round, highQc}`: requires `highQc.round >= highestQcRound`, `round >= lastVotedRound`,
   * and `highQc.round + 1 == round` or `lastTc.round + 1 == round`; persists `lastVotedRound = round`.
   */
  timeout(round: number, highQc: QuorumCert, lastTc: TimeoutCert | null): Timeout {
    checkSafeToTimeout(this.#data, round, highQc.round, lastTc);
    this.#persist({ lastVotedRound: round, highestQcRound: Math.max(this.#data.highestQcRound, highQc.round) });
    return signTimeout(this.#key, this.#opts.chainId, round, highQc, this.#opts.index);
  }

  #persist(next: SafetyData): void {
    if (next.lastVotedRound === this.#data.lastVotedRound && next.highestQcRound === this.#data.highestQcRound) return;
    this.#storage.store(next);
    this.#data = next;
  }
}
