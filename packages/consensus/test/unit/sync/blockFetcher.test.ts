import { expect } from "chai";
import type { BlockRequest, BlockResponse } from "@ordo/types";
import { type ConsensusNetwork, ConsensusError, fetchMissingChain } from "../../../src/index.js";
import { certify, child, genesis } from "../fixtures.js";

describe("fetchMissingChain", () => {
  const g = genesis();
  const chain = [g.rec];
  for (let r = 1; r <= 6; r++) chain.push(child(chain[r - 1]!, r === 1 ? g.qc : certify(chain[r - 1]!), r));
  const byId = new Map(chain.map((b) => [b.idHex, b]));

  /** A peer serving `count` blocks walking parents, through `tamper` on the way out. */
  const peer = (tamper = (r: BlockResponse) => r) => {
    const asked: BlockRequest[] = [];
    const network: ConsensusNetwork = {
      broadcast: () => {},
      sendTo: () => {},
      request: async (_validator, req) => {
        asked.push(req);
        const blocks = [];
        let rec = byId.get(Buffer.from(req.blockId).toString("hex"));
        while (rec && rec.height > 0 && blocks.length < req.count) {
          blocks.push(rec.block);
          rec = byId.get(rec.parentHex);
        }
        return tamper({ blocks });
      },
    };
    return { network, asked };
  };
  const knownUpTo = (height: number) => (idHex: string) => (byId.get(idHex)?.height ?? 99) <= height;

  it("fetches the missing ancestors in growing batches (1, 4, 16 ... up to batch) and returns them oldest first, stopping at a known block", async () => {
    const { network, asked } = peer();
    const blocks = await fetchMissingChain(network, 1, chain[6]!.id, knownUpTo(2), { batch: 3, maxBlocks: 100 });
    expect(blocks.map((b) => b.header.height)).to.deep.equal([3, 4, 5, 6]);
    expect(asked.map((r) => r.count)).to.deep.equal([1, 3]);
    // The usual gap under load, one block: one request for one block.
    const one = peer();
    const just = await fetchMissingChain(one.network, 1, chain[6]!.id, knownUpTo(5), { batch: 32, maxBlocks: 100 });
    expect(just.map((b) => b.header.height)).to.deep.equal([6]);
    expect(one.asked.map((r) => r.count)).to.deep.equal([1]);
    const deep = peer();
    await fetchMissingChain(deep.network, 1, chain[6]!.id, knownUpTo(0), { batch: 32, maxBlocks: 100 });
    expect(deep.asked.map((r) => r.count)).to.deep.equal([1, 4, 16]);
  });

  it("stops at a settled block (at or below the committed root) even when nothing below it is known", async () => {
    const { network, asked } = peer();
    // Nothing is "known" (the tree was pruned above these blocks while the walk ran)...
    const settled = (b: { header: { height: number } }) => b.header.height <= 3;
    const blocks = await fetchMissingChain(network, 1, chain[6]!.id, () => false, {
      batch: 2,
      maxBlocks: 100,
      settled,
    });
    // ...yet the walk ends at the root instead of going on to genesis.
    expect(blocks.map((b) => b.header.height)).to.deep.equal([4, 5, 6]);
    expect(asked.map((r) => r.count)).to.deep.equal([1, 2, 2]);
    // Without it, the same walk runs down to genesis, which no peer serves.
    const unbounded = peer();
    const err = await fetchMissingChain(unbounded.network, 1, chain[6]!.id, () => false, {
      batch: 2,
      maxBlocks: 100,
    }).catch((e) => e);
    expect(err).to.be.instanceOf(ConsensusError).with.property("code", "SYNC_FAILED");
    expect(unbounded.asked.length).to.be.greaterThan(3);
  });

  it("refuses a block that is not the one asked for", async () => {
    const { network } = peer((r) => ({ blocks: [chain[1]!.block, ...r.blocks] }));
    const err = await fetchMissingChain(network, 1, chain[6]!.id, knownUpTo(2), { batch: 3, maxBlocks: 100 }).catch(
      (e) => e,
    );
    expect(err).to.be.instanceOf(ConsensusError).with.property("code", "SYNC_FAILED");
  });

  it("fails on an empty answer, and beyond its bound (block sync's job)", async () => {
    const empty = peer(() => ({ blocks: [] }));
    const e1 = await fetchMissingChain(empty.network, 1, chain[6]!.id, knownUpTo(0), {
      batch: 3,
      maxBlocks: 100,
    }).catch((e) => e);
    expect(e1).to.be.instanceOf(ConsensusError).with.property("code", "SYNC_FAILED");
    const { network } = peer();
    const e2 = await fetchMissingChain(network, 1, chain[6]!.id, knownUpTo(0), { batch: 2, maxBlocks: 3 }).catch(
      (e) => e,
    );
    expect(e2).to.be.instanceOf(ConsensusError).with.property("code", "SYNC_FAILED");
  });
});
