import type { Cancel, TimeService } from "../timeService.js";

export interface RoundStateOptions {
  /** Round timer after a commit; doubles for every consecutive round that ended by timeout. */
  baseTimeoutMs: number;
  /** Cap on the doubling: timer = base * 2^min(k, maxBackoffExponent). */
  maxBackoffExponent: number;
}

export const defaultRoundStateOptions: Readonly<RoundStateOptions> = Object.freeze({
  baseTimeoutMs: 1000,
  maxBackoffExponent: 6,
});

export interface NewRound {
  round: number;
  /** True when entered through a TC (the previous round ended by timeout). */
  viaTimeout: boolean;
}

/**
 * The pacemaker's clock and round number. A replica enters round r + 1 on a QC or TC for round r
 * and never goes back; each entry restarts the round timer, whose expiry is reported (and
 * re-reported every period, to retransmit the timeout) through `onLocalTimeout`.
 */
export class RoundState {
  #round = 0;
  #consecutiveTimeouts = 0;
  #cancel: Cancel | null = null;
  readonly #opts: RoundStateOptions;
  readonly #time: TimeService;
  readonly #onLocalTimeout: (round: number) => void;

  constructor(
    opts: Partial<RoundStateOptions>,
    modules: { time: TimeService; onLocalTimeout: (round: number) => void },
  ) {
    this.#opts = { ...defaultRoundStateOptions, ...opts };
    this.#time = modules.time;
    this.#onLocalTimeout = modules.onLocalTimeout;
  }

  get currentRound(): number {
    return this.#round;
  }

  get consecutiveTimeouts(): number {
    return this.#consecutiveTimeouts;
  }

  /** Current timer duration: base * 2^min(k, cap). */
  timeoutDuration(): number {
    return this.#opts.baseTimeoutMs * 2 ** Math.min(this.#consecutiveTimeouts, this.#opts.maxBackoffExponent);
  }

  /**
   * Feeds the rounds of a QC and (optionally) a TC; enters `max(qcRound, tcRound) + 1` if that is
   * above the current round. Returns the new round, or null when nothing changed.
   */
  processCertificates(qcRound: number, tcRound: number | null): NewRound | null {
    const viaQc = qcRound + 1;
    const viaTc = tcRound === null ? -1 : tcRound + 1;
    const next = Math.max(viaQc, viaTc);
    if (next <= this.#round) return null;
    const viaTimeout = viaTc > viaQc;
    this.#consecutiveTimeouts = viaTimeout ? this.#consecutiveTimeouts + 1 : this.#consecutiveTimeouts;
    this.#round = next;
    this.#arm();
    return { round: next, viaTimeout };
  }

  /** A commit resets the backoff: the network is making progress. */
  onCommit(): void {
    this.#consecutiveTimeouts = 0;
  }

  #arm(): void {
    this.#cancel?.();
    const round = this.#round;
    const fire = (): void => {
      if (this.#round !== round) return;
      this.#cancel = this.#time.setTimeout(fire, this.timeoutDuration());
      this.#onLocalTimeout(round);
    };
    this.#cancel = this.#time.setTimeout(fire, this.timeoutDuration());
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
  }
}
