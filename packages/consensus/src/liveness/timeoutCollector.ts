import type { Timeout, TimeoutCert } from "@ordo/types";

/**
 * Verified timeouts for one round, one per sender. Forms the TC once a quorum is in; reports
 * when f + 1 are in, the point at which a replica times out too (one slow timer cannot stall others).
 */
export class TimeoutCollector {
  readonly #bySender = new Map<number, Timeout>();
  #tc: TimeoutCert | null = null;

  constructor(
    readonly round: number,
    private readonly quorum: number,
  ) {}

  get count(): number {
    return this.#bySender.size;
  }

  /** Adds a timeout (the first one per sender counts); returns the TC when this one completes it. */
  add(t: Timeout): TimeoutCert | null {
    if (t.round !== this.round || this.#bySender.has(t.sender)) return null;
    this.#bySender.set(t.sender, t);
    if (this.#tc || this.#bySender.size < this.quorum) return null;
    const signers = [...this.#bySender.keys()].sort((a, b) => a - b);
    this.#tc = {
      round: this.round,
      signers,
      highQcRounds: signers.map((s) => this.#bySender.get(s)!.highQc.round),
      signatures: signers.map((s) => this.#bySender.get(s)!.signature),
    };
    return this.#tc;
  }

  /** The timeout carrying the highest QC seen in this round (to adopt that QC). */
  highestQcTimeout(): Timeout | undefined {
    let best: Timeout | undefined;
    for (const t of this.#bySender.values()) if (!best || t.highQc.round > best.highQc.round) best = t;
    return best;
  }
}
