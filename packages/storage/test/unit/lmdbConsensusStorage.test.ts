import { expect } from "chai";
import { certify, child, consensusStorageSuite, genesis } from "@ordo/consensus/testing";
import { arbitraryTimeoutCert, SeededRandom } from "@ordo/types/testing";
import { LmdbConsensusStorage, StorageError } from "../../src/index.js";
import { tempStores } from "./tempStores.js";

const rounds = (blocks: { header: { round: number } }[]) => blocks.map((b) => b.header.round).sort((a, b) => a - b);

describe("LmdbConsensusStorage", () => {
  const stores = tempStores();
  consensusStorageSuite("LMDB", () => new LmdbConsensusStorage(stores.open()));

  // A chain g <- b1 <- b2 <- b3 <- b4, and a fork f2 on b1 at round 3 (b3 is at round 3 too).
  const g = genesis();
  const b1 = child(g.rec, g.qc, 1);
  const b2 = child(b1, certify(b1), 2);
  const f2 = child(b1, certify(b1), 3, []);
  const b3 = child(b2, certify(b2), 4);
  const b4 = child(b3, certify(b3), 5);

  it("reads every write back at once, before it lands, and all of it after flushed()", async () => {
    const s = new LmdbConsensusStorage(stores.open());
    s.saveBlock(b1.id, b1.block);
    s.saveHighQc(certify(b1));
    s.saveCommitted([b1.block], certify(b1));
    expect(s.getBlock(b1.id)).to.deep.equal(b1.block);
    expect(s.committedBlockAt(1)).to.deep.equal(b1.block);
    expect(s.blocksAboveRound(0)).to.deep.equal([b1.block]);
    await s.flushed();
    expect(s.getBlock(b1.id)).to.deep.equal(b1.block);
    expect(s.committedBlockAt(1)).to.deep.equal(b1.block);
  });

  it("after a close and reopen has the high QC and TC, the committed tip with its QC, and the blocks above it", async () => {
    const dir = stores.dir();
    const tc = arbitraryTimeoutCert(new SeededRandom(3));
    const first = stores.open(dir);
    const s = new LmdbConsensusStorage(first);
    for (const b of [b1, b2, f2, b3, b4]) s.saveBlock(b.id, b.block);
    s.saveHighQc(certify(b4));
    s.saveHighTc(tc);
    s.saveCommitted([b1.block, b2.block], certify(b2));
    await s.flushed();
    await first.close();

    const again = new LmdbConsensusStorage(stores.open(dir));
    expect(again.committedTip()).to.deep.equal({ block: b2.block, qc: certify(b2) });
    expect(again.highQc()).to.deep.equal(certify(b4));
    expect(again.highTc()).to.deep.equal(tc);
    expect(again.committedBlockAt(1)).to.deep.equal(b1.block);
    expect(again.committedBlockAt(2)).to.deep.equal(b2.block);
    expect(again.committedBlockAt(3)).to.equal(undefined);
    expect(rounds(again.blocksAboveRound(2))).to.deep.equal([3, 4, 5]);
    expect(again.getBlock(b4.id)).to.deep.equal(b4.block);
  });

  it("drops uncommitted blocks at or below the committed root from the round index, and deletes the forks among them", async () => {
    const store = stores.open();
    const s = new LmdbConsensusStorage(store);
    for (const b of [b1, b2, f2, b3, b4]) s.saveBlock(b.id, b.block);
    s.saveCommitted([b1.block, b2.block, b3.block], certify(b3));
    await s.flushed();
    // The round index now holds only b4: a restart reads nothing else.
    expect(rounds([...store.uncommittedAboveRound(-1)])).to.deep.equal([5]);
    expect(s.getBlock(f2.id)).to.equal(undefined);
    expect(s.getBlock(b2.id)).to.deep.equal(b2.block);
    expect(rounds(s.blocksAboveRound(4))).to.deep.equal([5]);
    // Committed blocks above a lower round come from walking down from the tip.
    expect(rounds(s.blocksAboveRound(1))).to.deep.equal([2, 4, 5]);
  });

  it("serves committed blocks from the store's height index", async () => {
    const store = stores.open();
    const s = new LmdbConsensusStorage(store);
    s.saveCommitted([b1.block, b2.block], certify(b2));
    await s.flushed();
    expect(store.lastCommittedHeight()).to.equal(2);
    expect([...store.committedRange(1, 2)]).to.deep.equal([b1.block, b2.block]);
  });

  it("a failed write fails flushed() and every later save with its StorageError", async () => {
    const store = stores.open();
    const s = new LmdbConsensusStorage(store);
    await store.close(); // every write now fails, asynchronously like a full disk would
    s.saveBlock(b1.id, b1.block);
    let failed: unknown;
    await s.flushed().catch((err: unknown) => {
      failed = err;
    });
    expect(failed).to.be.instanceOf(StorageError).with.property("code", "CLOSED");
    expect(s.failure).to.equal(failed);
    expect(() => s.saveHighQc(certify(b1))).to.throw(StorageError);
  });
});
