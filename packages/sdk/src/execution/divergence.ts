import type { BlockHeader } from "@ordo/types";
import { bytesEqual, toHex } from "@ordo/types";
import { DivergenceError } from "./errors.js";

/** What a header's (execHeight, appHash) says about this replica's state. */
export type DivergenceCheck = "match" | "unknown";

/**
 * Compares the app hash a block header carries for `execHeight` with this replica's own, taken from
 * `appHashAt` (an `Executor`'s or `ExecutionEngine`'s). Returns "match", or "unknown" when this
 * replica has not executed that height yet or no longer remembers it; throws a
 * {@link DivergenceError} on a mismatch. Consensus runs the same check on proposals; a follower or
 * the node uses this one on blocks it receives.
 */
export function checkDivergence(
  header: Pick<BlockHeader, "height" | "execHeight" | "appHash" | "proposer">,
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
