import { type QuorumCert, toHex, type Vote } from "@ordo/types";

/**
 * Collects verified votes per (round, block) and forms a QC at quorum. A voter's first vote in a
 * round is the one that counts: a second vote for another block (equivocation) is ignored and reported.
 */
export class VoteAggregator {
  readonly #rounds = new Map<
    number,
    { voters: Map<number, string>; blocks: Map<string, Map<number, Vote>>; done: Set<string> }
  >();

  constructor(private readonly quorum: number) {}

  /** Returns the QC when this vote completes one, "equivocation" for a voter's conflicting vote, else null. */
  add(vote: Vote): QuorumCert | "equivocation" | null {
    let r = this.#rounds.get(vote.round);
    if (!r) this.#rounds.set(vote.round, (r = { voters: new Map(), blocks: new Map(), done: new Set() }));
    // Key by everything signed, so a Byzantine vote with the right block but wrong parent data
    // can never be mixed into a QC with honest signatures.
    const idHex = `${toHex(vote.blockId)}:${toHex(vote.parentId)}:${vote.parentRound}`;
    const previous = r.voters.get(vote.voter);
    if (previous !== undefined) return previous === idHex ? null : "equivocation";
    r.voters.set(vote.voter, idHex);
    let votes = r.blocks.get(idHex);
    if (!votes) r.blocks.set(idHex, (votes = new Map()));
    votes.set(vote.voter, vote);
    if (votes.size < this.quorum || r.done.has(idHex)) return null;
    r.done.add(idHex);
    const signers = [...votes.keys()].sort((a, b) => a - b);
    return {
      blockId: vote.blockId,
      round: vote.round,
      parentId: vote.parentId,
      parentRound: vote.parentRound,
      signers,
      signatures: signers.map((s) => votes.get(s)!.signature),
    };
  }

  /** Forgets rounds below `round`. */
  pruneBelow(round: number): void {
    for (const r of this.#rounds.keys()) if (r < round) this.#rounds.delete(r);
  }
}
