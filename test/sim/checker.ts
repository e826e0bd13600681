import { toHex, type Vote } from "@ordo/types";

export interface Violation {
  kind: "fork" | "doubleVote";
  detail: string;
  time: number;
}

/**
 * Safety, checked on every step: the committed sequences of honest replicas are prefixes of one
 * another (each height has one block id across all of them), and no honest validator signs two
 * different votes in one round.
 */
export class SafetyChecker {
  readonly #canon: string[] = [];
  readonly #votes = new Map<string, string>();
  readonly violations: Violation[] = [];
  commits = 0;

  onCommit(node: string, height: number, idHex: string, time: number): void {
    this.commits++;
    const known = this.#canon[height];
    if (known === undefined) this.#canon[height] = idHex;
    else if (known !== idHex) {
      this.violations.push({
        kind: "fork",
        detail: `${node} committed ${idHex.slice(0, 12)} at height ${height}, others ${known.slice(0, 12)}`,
        time,
      });
    }
  }

  onHonestVote(validator: number, vote: Vote, time: number): void {
    const key = `${validator}:${vote.round}`;
    const idHex = `${toHex(vote.blockId)}:${vote.parentRound}`;
    const known = this.#votes.get(key);
    if (known === undefined) this.#votes.set(key, idHex);
    else if (known !== idHex) {
      this.violations.push({
        kind: "doubleVote",
        detail: `validator ${validator} voted twice in round ${vote.round}`,
        time,
      });
    }
  }

  get height(): number {
    return this.#canon.length - 1;
  }
}
