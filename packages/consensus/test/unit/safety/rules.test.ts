import { expect } from "chai";
import type { TimeoutCert } from "@ordo/types";
import {
  checkSafeToExtend,
  checkSafeToTimeout,
  checkVoteRound,
  SafetyError,
  type SafetyErrorCode,
} from "../../../src/index.js";

const tc = (round: number, highQcRounds: number[]): TimeoutCert => ({
  round,
  signers: highQcRounds.map((_, i) => i),
  highQcRounds,
  signatures: highQcRounds.map(() => new Uint8Array(64)),
});

function rejects(fn: () => void, code: SafetyErrorCode): void {
  expect(fn).to.throw(SafetyError).with.property("code", code);
}

describe("safety rules", () => {
  describe("rule 1: round > lastVotedRound", () => {
    it("allows only rounds strictly above the last voted round", () => {
      for (let last = 0; last < 6; last++) {
        for (let round = 0; round < 8; round++) {
          const data = { lastVotedRound: last, highestQcRound: 0 };
          if (round > last) expect(() => checkVoteRound(data, round)).to.not.throw();
          else rejects(() => checkVoteRound(data, round), "ALREADY_VOTED");
        }
      }
    });
  });

  describe("rule 2: extend the previous round's QC, or a QC justified by a TC", () => {
    it("accepts qc.round + 1 == round with or without a TC", () => {
      expect(() => checkSafeToExtend(5, 4, null)).to.not.throw();
      expect(() => checkSafeToExtend(5, 4, tc(4, [9]))).to.not.throw();
    });

    it("accepts a gap only with a TC for round - 1 whose high-QC rounds the QC matches or beats", () => {
      expect(() => checkSafeToExtend(7, 3, tc(6, [3, 2, 1]))).to.not.throw();
      expect(() => checkSafeToExtend(7, 5, tc(6, [3, 5, 1]))).to.not.throw();
    });

    it("rejects a gap without a TC", () => {
      rejects(() => checkSafeToExtend(7, 3, null), "NOT_SAFE_TO_EXTEND");
    });

    it("rejects a TC for another round than round - 1", () => {
      rejects(() => checkSafeToExtend(7, 3, tc(5, [1])), "NOT_SAFE_TO_EXTEND");
      rejects(() => checkSafeToExtend(7, 3, tc(7, [1])), "NOT_SAFE_TO_EXTEND");
    });

    it("rejects a QC below the highest QC round a TC signer reported (it could fork a committed block)", () => {
      rejects(() => checkSafeToExtend(7, 3, tc(6, [3, 4, 1])), "NOT_SAFE_TO_EXTEND");
    });

    it("exhaustively matches the formula for small rounds", () => {
      for (let round = 1; round < 7; round++) {
        for (let qcRound = 0; qcRound < round; qcRound++) {
          for (const t of [null, tc(round - 1, [qcRound]), tc(round - 1, [qcRound + 1]), tc(round - 2, [0])]) {
            const ok =
              qcRound + 1 === round || (t !== null && t.round + 1 === round && qcRound >= Math.max(...t.highQcRounds));
            const f = () => checkSafeToExtend(round, qcRound, t);
            if (ok) expect(f, `${round}/${qcRound}/${t?.round}`).to.not.throw();
            else expect(f, `${round}/${qcRound}/${t?.round}`).to.throw(SafetyError);
          }
        }
      }
    });
  });

  describe("timeout rule", () => {
    it("allows a timeout in a round entered by QC or TC, at or above the last voted round", () => {
      expect(() => checkSafeToTimeout({ lastVotedRound: 3, highestQcRound: 2 }, 4, 3, null)).to.not.throw();
      expect(() => checkSafeToTimeout({ lastVotedRound: 4, highestQcRound: 2 }, 4, 3, null)).to.not.throw();
      expect(() => checkSafeToTimeout({ lastVotedRound: 3, highestQcRound: 2 }, 6, 2, tc(5, [2]))).to.not.throw();
    });

    it("rejects a high QC below the locked round", () => {
      rejects(() => checkSafeToTimeout({ lastVotedRound: 3, highestQcRound: 5 }, 6, 4, tc(5, [4])), "STALE_QC");
    });

    it("rejects a round below the last voted round", () => {
      rejects(() => checkSafeToTimeout({ lastVotedRound: 7, highestQcRound: 2 }, 6, 5, null), "NOT_SAFE_TO_TIMEOUT");
    });

    it("rejects a round not entered by a QC or TC for the round before", () => {
      rejects(() => checkSafeToTimeout({ lastVotedRound: 0, highestQcRound: 0 }, 6, 3, null), "NOT_SAFE_TO_TIMEOUT");
      rejects(
        () => checkSafeToTimeout({ lastVotedRound: 0, highestQcRound: 0 }, 6, 3, tc(4, [3])),
        "NOT_SAFE_TO_TIMEOUT",
      );
    });
  });
});
