import { expect } from "chai";
import { describe, it } from "mocha";
import type { ConsensusStorage } from "../consensusStorage.js";
import { certify, child, genesis } from "./fixtures.js";

/** The contract every ConsensusStorage backend must meet; run here on the in-memory one. */
export function consensusStorageSuite(name: string, make: () => ConsensusStorage): void {
  describe(`ConsensusStorage contract: ${name}`, () => {
    const g = genesis();
    const b1 = child(g.rec, g.qc, 1);
    const b2 = child(b1, certify(b1), 2);
    const b3 = child(b2, certify(b2), 3);

    it("starts empty", () => {
      const s = make();
      expect(s.committedTip()).to.equal(undefined);
      expect(s.highQc()).to.equal(undefined);
      expect(s.highTc()).to.equal(undefined);
      expect(s.blocksAboveRound(0)).to.deep.equal([]);
    });

    it("keeps blocks, the committed chain with its tip QC, and the uncommitted blocks above a round", () => {
      const s = make();
      for (const b of [b1, b2, b3]) s.saveBlock(b.id, b.block);
      s.saveHighQc(certify(b3));
      s.saveCommitted([b1.block], certify(b1));
      expect(s.getBlock(b2.id)).to.deep.equal(b2.block);
      expect(s.committedTip()).to.deep.equal({ block: b1.block, qc: certify(b1) });
      expect(s.committedBlockAt(1)).to.deep.equal(b1.block);
      expect(s.committedBlockAt(2)).to.equal(undefined);
      expect(s.highQc()).to.deep.equal(certify(b3));
      expect(
        s
          .blocksAboveRound(1)
          .map((b) => b.header.round)
          .sort(),
      ).to.deep.equal([2, 3]);
      s.saveCommitted([b2.block], certify(b2));
      expect(s.committedTip()?.block).to.deep.equal(b2.block);
    });
  });
}
