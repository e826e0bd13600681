import type { ProposerElection } from "./proposerElection.js";

/** `leader(r) = r mod n`: the default, as in PROTOCOL.md. */
export class RoundRobinProposerElection implements ProposerElection {
  constructor(private readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError("validator count must be a positive integer");
  }

  leader(round: number): number {
    return round % this.n;
  }
}
