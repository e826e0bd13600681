import type { BlockHeader } from "@ordo/types";
import { bytesEqual, toHex } from "@ordo/types";
import { DivergenceError } from "./errors.js";

/** What a header's (execHeight, appHash) says about this replica's state. */
export type DivergenceCheck = "match" | "unknown";

type Header = Pick<BlockHeader, "height" | "execHeight" | "appHash" | "proposer">;

/**
 * Compares the app hash a block header carries for `execHeight` with this replica's own, taken from
 * `appHashAt` (an `Executor`'s or `ExecutionEngine`'s). Returns "match", or "unknown" when this
 * replica has not executed that height yet or no longer remembers it; throws a
 * {@link DivergenceError} on a mismatch. One header is one proposer's word: to decide that it is
 * this replica that diverged, count distinct proposers with {@link DivergenceMonitor}.
 */
export function checkDivergence(
  header: Header,
  appHashAt: (height: number) => Uint8Array | undefined,
): DivergenceCheck {
  const mine = appHashAt(header.execHeight);
  if (!mine) return "unknown";
  if (bytesEqual(mine, header.appHash)) return "match";
  throw new DivergenceError(
    "APP_HASH_MISMATCH",
    `app hash at height ${header.execHeight} is ${toHex(mine).slice(0, 16)}… here but ${toHex(header.appHash).slice(0, 16)}… ` +
      `in the header of block ${header.height} (proposer ${header.proposer}): this replica's state diverged, halt it`,
    {
      execHeight: header.execHeight,
      blockHeight: header.height,
      proposer: header.proposer,
      mine: toHex(mine),
      theirs: toHex(header.appHash),
    },
  );
}

/**
 * Tallies headers that disagree with this replica's app hash, per height. Once more than `f`
 * distinct proposers disagree at one height, at least one honest replica does, so this replica's
 * state is the wrong one: `observe` throws a {@link DivergenceError} (and keeps throwing it). Fewer
 * dissenters are a Byzantine proposer's lie, reported as "dissent" and not acted upon. Consensus
 * applies the same rule to proposals; this is for followers and for the node's checks on blocks.
 */
export class DivergenceMonitor {
  readonly #f: number;
  readonly #appHashAt: (height: number) => Uint8Array | undefined;
  readonly #dissent = new Map<number, Set<number>>();
  #diverged: DivergenceError | null = null;

  constructor(opts: { f: number }, modules: { appHashAt: (height: number) => Uint8Array | undefined }) {
    if (!Number.isInteger(opts.f) || opts.f < 0) throw new RangeError("f must be a non-negative integer");
    this.#f = opts.f;
    this.#appHashAt = modules.appHashAt;
  }

  get diverged(): DivergenceError | null {
    return this.#diverged;
  }

  observe(header: Header): DivergenceCheck | "dissent" {
    if (this.#diverged) throw this.#diverged;
    try {
      return checkDivergence(header, this.#appHashAt);
    } catch (err) {
      if (!(err instanceof DivergenceError)) throw err;
      let proposers = this.#dissent.get(header.execHeight);
      if (!proposers) this.#dissent.set(header.execHeight, (proposers = new Set()));
      proposers.add(header.proposer);
      if (proposers.size <= this.#f) return "dissent";
      this.#diverged = new DivergenceError(
        "APP_HASH_MISMATCH",
        `${proposers.size} proposers (more than f = ${this.#f}) disagree with this replica's app hash at height ` +
          `${header.execHeight}: this replica's state diverged, halt it`,
        { ...err.meta, proposers: [...proposers] },
      );
      throw this.#diverged;
    }
  }

  /** Forgets tallies below `height` (heights this replica no longer remembers anyway). */
  prune(height: number): void {
    for (const h of this.#dissent.keys()) if (h < height) this.#dissent.delete(h);
  }
}
