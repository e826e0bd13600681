import { expect } from "chai";
import { BlockTree } from "../../../src/index.js";
import { certify, child, genesis } from "../fixtures.js";

describe("BlockTree", () => {
  it("commits B when a QC for its child of round B.round + 1 arrives, with all uncommitted ancestors in order", () => {
    const g = genesis();
    const tree = new BlockTree(g.rec, g.qc);
    const b1 = child(g.rec, g.qc, 1);
    const b2 = child(b1, certify(b1), 2);
    const b3 = child(b2, certify(b2), 3);
    for (const b of [b1, b2, b3]) tree.insert(b);
    expect(tree.insertQc(certify(b1))).to.equal(null); // b1's parent is genesis: nothing new
    const c = tree.insertQc(certify(b3));
    expect(c?.blocks.map((b) => b.round)).to.deep.equal([1, 2]);
    expect(tree.root.idHex).to.equal(b2.idHex);
    expect(tree.highQc.round).to.equal(3);
    expect(tree.highCommitQc.round).to.equal(3);
    expect(tree.insertQc(certify(b3))).to.equal(null); // exactly once
  });

  it("a QC for a block whose parent is not one round below commits nothing (the 2-chain needs consecutive rounds)", () => {
    const g = genesis();
    const tree = new BlockTree(g.rec, g.qc);
    const b1 = child(g.rec, g.qc, 1);
    const b3 = child(b1, certify(b1), 3); // round 2 timed out
    tree.insert(b1);
    tree.insert(b3);
    expect(tree.insertQc(certify(b3))).to.equal(null);
    expect(tree.root.round).to.equal(0);
    const b4 = child(b3, certify(b3), 4);
    tree.insert(b4);
    expect(tree.insertQc(certify(b4))?.blocks.map((b) => b.round)).to.deep.equal([1, 3]);
  });

  it("prunes forks and everything below the committed root", () => {
    const g = genesis();
    const tree = new BlockTree(g.rec, g.qc);
    const b1 = child(g.rec, g.qc, 1);
    const fork = child(g.rec, g.qc, 2);
    const b2 = child(b1, certify(b1), 2);
    const b3 = child(b2, certify(b2), 3);
    for (const b of [b1, fork, b2, b3]) tree.insert(b);
    expect(tree.size).to.equal(5);
    tree.insertQc(certify(b3));
    expect(tree.has(fork.idHex)).to.equal(false);
    expect(tree.has(g.rec.idHex)).to.equal(false);
    expect(tree.has(b1.idHex)).to.equal(false);
    expect([...tree.ancestors(b3.idHex)].map((b) => b.round)).to.deep.equal([3]);
    expect(tree.size).to.equal(2);
  });

  it("refuses a block whose parent is unknown, and ignores blocks at or below the root", () => {
    const g = genesis();
    const tree = new BlockTree(g.rec, g.qc);
    const b1 = child(g.rec, g.qc, 1);
    const b2 = child(b1, certify(b1), 2);
    expect(() => tree.insert(b2)).to.throw(RangeError);
    expect(tree.insert(g.rec)).to.equal(false);
  });
});
