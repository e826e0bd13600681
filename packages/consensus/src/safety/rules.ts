import { maxHighQcRound, type TimeoutCert } from "@ordo/types";
import { SafetyError } from "../errors.js";
import type { SafetyData } from "./safetyData.js";

/**
 * The two voting rules and the timeout rule as pure checks over SafetyData. Each throws a
 * SafetyError saying which clause failed; none has side effects.
 */

/** Rule 1: `round > lastVotedRound` — at most one vote per round, and never in a round timed out in. */
export function checkVoteRound(data: SafetyData, round: number): void {
  if (!(round > data.lastVotedRound)) {
    throw new SafetyError("ALREADY_VOTED", `round ${round} is not above last voted round ${data.lastVotedRound}`, {
      round,
      lastVotedRound: data.lastVotedRound,
    });
  }
}

/**
 * Rule 2: `qcRound + 1 == round`, or `tc` is for `round - 1` and `qcRound >= max(tc.highQcRounds)`
 * — a block either extends the previous round's QC, or after a timeout extends a QC at least as
 * high as any a quorum reported, so it cannot fork away a block that may have committed.
 */
export function checkSafeToExtend(round: number, qcRound: number, tc: TimeoutCert | null): void {
  if (qcRound + 1 === round) return;
  if (tc && tc.round + 1 === round && qcRound >= maxHighQcRound(tc)) return;
  throw new SafetyError(
    "NOT_SAFE_TO_EXTEND",
    `block of round ${round} extends QC of round ${qcRound} without a justifying TC`,
    {
      round,
      qcRound,
      tcRound: tc?.round,
    },
  );
}

/**
 * Timeout rule: `highQcRound >= highestQcRound`, `round >= lastVotedRound`, and the round was entered
 * legitimately: `highQcRound + 1 == round` or a TC for `round - 1` is held.
 */
export function checkSafeToTimeout(
  data: SafetyData,
  round: number,
  highQcRound: number,
  lastTc: TimeoutCert | null,
): void {
  if (highQcRound < data.highestQcRound) {
    throw new SafetyError("STALE_QC", `timeout carries QC round ${highQcRound} below locked ${data.highestQcRound}`, {
      round,
    });
  }
  if (round < data.lastVotedRound) {
    throw new SafetyError("NOT_SAFE_TO_TIMEOUT", `round ${round} is below last voted round ${data.lastVotedRound}`, {
      round,
    });
  }
  if (highQcRound + 1 !== round && !(lastTc && lastTc.round + 1 === round)) {
    throw new SafetyError(
      "NOT_SAFE_TO_TIMEOUT",
      `round ${round} was not entered by a QC or TC for round ${round - 1}`,
      {
        round,
      },
    );
  }
}
