import { type BlockHeader, bytesEqual, toHex } from "@ordo/types";
import { DivergenceError, ProposalError } from "./errors.js";

/**
 * Compares the app hash a proposer puts in its header (its state after `execHeight`) with ours.
 * One disagreeing proposer may be Byzantine: its proposal is refused. Once f + 1 distinct proposers
 * disagree with us at one height, at least one honest replica does, so it is our state that
 * diverged: `check` then returns a DivergenceError and the replica halts rather than serve it.
 */
export class DivergenceMonitor {
  readonly #dissent = new Map<number, Set<number>>();

  constructor(
    private readonly f: number,
    private readonly appHashAt: (height: number) => Uint8Array | undefined,
  ) {}

  /** Null when the header agrees (or we have not executed its height); throws ProposalError for a lone dissenter. */
  check(h: BlockHeader): DivergenceError | null {
    if (h.execHeight === 0) return null;
    const mine = this.appHashAt(h.execHeight);
    if (!mine || bytesEqual(mine, h.appHash)) return null;
    let dissent = this.#dissent.get(h.execHeight);
    if (!dissent) {
      this.#dissent.set(h.execHeight, (dissent = new Set()));
      // Bounded: a lying proposer could add a height per block. Old heights fall out of the
      // executor's app-hash window anyway (appHashAt returns undefined for them).
      if (this.#dissent.size > 1024) this.#dissent.delete(this.#dissent.keys().next().value!);
    }
    dissent.add(h.proposer);
    const meta = { height: h.execHeight, mine: toHex(mine).slice(0, 16), theirs: toHex(h.appHash).slice(0, 16) };
    if (dissent.size > this.f) {
      return new DivergenceError(
        `app hash at height ${h.execHeight} differs from ${dissent.size} proposers': this replica's state diverged, halting`,
        meta,
      );
    }
    throw new ProposalError(`proposer's app hash at height ${h.execHeight} differs from ours`, meta);
  }
}
