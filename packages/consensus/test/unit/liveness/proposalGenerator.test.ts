import { expect } from "chai";
import { KeyPair, signTimeout, signTransaction } from "@ordo/crypto";
import { sha256, type TimeoutCert, toHex, transactionId } from "@ordo/types";
import { BlockTree, Mempool, ProposalGenerator } from "../../../src/index.js";
import { CHAIN, certify, child, FakeTime, genesis, keys } from "../fixtures.js";

describe("ProposalGenerator", () => {
  const g = genesis();
  const client = KeyPair.fromSeed(new Uint8Array(32).fill(3));
  const tx = (nonce: number) =>
    signTransaction(client, {
      chainId: CHAIN,
      sender: client.publicKey,
      nonce: BigInt(nonce),
      payload: new Uint8Array(4),
    });
  const setup = (maxTxsPerBlock = 3, drainForOthers?: boolean) => {
    const mempool = new Mempool();
    const generator = new ProposalGenerator(
      { chainId: CHAIN, index: 1, maxTxsPerBlock, maxBatchBytes: 1 << 20, maxBatchWaitMs: 5, drainForOthers },
      {
        key: keys[1]!,
        mempool,
        executor: {
          deliver: () => {},
          lastExecuted: () => ({ height: 0, appHash: sha256() }),
          appHashAt: () => undefined,
        },
        time: new FakeTime(),
      },
    );
    const add = (...txs: ReturnType<typeof tx>[]) => {
      for (const t of txs) mempool.add(t, transactionId(t), 100);
    };
    return { generator, add, tree: new BlockTree(g.rec, g.qc) };
  };
  const tcFor = (round: number, highQcRounds: number[]): TimeoutCert => {
    const signers = [0, 2, 3];
    return {
      round,
      signers,
      highQcRounds,
      signatures: signers.map((i) => signTimeout(keys[i]!, CHAIN, round, g.qc, i).signature),
    };
  };

  it("proposes nothing with no transactions and no ancestor to drain", () => {
    const { generator, tree } = setup();
    expect(generator.generate(1, tree, null, true)).to.equal(null);
  });

  it("waits for a partial batch unless forced, and proposes a full one at once, on its high QC", () => {
    const { generator, tree, add } = setup();
    add(tx(1), tx(5));
    expect(generator.generate(1, tree, null, false)).to.have.property("wait", true);
    const forced = generator.generate(1, tree, null, true);
    expect(forced).to.have.property("block");
    add(tx(2), tx(3), tx(4));
    const full = generator.generate(1, tree, null, false);
    if (full === null || !("block" in full)) throw new Error("expected a block");
    expect(full.block.txs).to.have.length(3);
    expect(full.block.header).to.deep.include({ round: 1, height: 1, proposer: 1, tc: null });
    expect(toHex(full.block.header.qc.blockId)).to.equal(g.rec.idHex);
  });

  it("proposes a lone transaction at once (waiting would only delay a client that waits for each answer)", () => {
    const { generator, tree, add } = setup();
    add(tx(1));
    const lone = generator.generate(1, tree, null, false);
    if (lone === null || !("block" in lone)) throw new Error("expected a block");
    expect(lone.block.txs).to.have.length(1);
  });

  it("under load (a chain to drain and more than one transaction waiting) still waits for a fuller batch", () => {
    const { generator, tree, add } = setup(10);
    const t = tx(20);
    add(t, tx(21), tx(22));
    const b1 = child(g.rec, g.qc, 1, [t]);
    tree.insert(b1);
    tree.insertQc(certify(b1));
    expect(generator.generate(2, tree, null, false)).to.deep.equal({ wait: true, inChain: 1 });
    const forced = generator.generate(2, tree, null, true);
    if (forced === null || !("block" in forced)) throw new Error("expected a block");
    expect(forced.block.txs.map((x) => x.nonce)).to.deep.equal([21n, 22n]);
  });

  it("proposes an empty block to drain a parent with transactions, never repeating them", () => {
    const { generator, tree, add } = setup();
    const t = tx(9);
    add(t);
    const b1 = child(g.rec, g.qc, 1, [t]);
    tree.insert(b1);
    tree.insertQc(certify(b1));
    const drain = generator.generate(2, tree, null, false);
    if (drain === null || !("block" in drain)) throw new Error("expected a block");
    expect(drain.block.txs).to.deep.equal([]);
  });

  it("after the commit of a block with transactions, proposes once more only when the others learn commits from proposals", () => {
    for (const drainForOthers of [undefined, true, false]) {
      const { generator, tree } = setup(3, drainForOthers);
      const t = tx(9); // committed below, so no longer in the mempool
      const b1 = child(g.rec, g.qc, 1, [t]);
      tree.insert(b1);
      const b2 = child(b1, certify(b1), 2, []);
      tree.insert(b2);
      expect(tree.insertQc(certify(b2))?.blocks.map((b) => b.round)).to.deep.equal([1]); // QC(2) commits b1
      const next = generator.generate(3, tree, null, false);
      if (drainForOthers === false) expect(next).to.equal(null);
      else if (next === null || !("block" in next))
        throw new Error(`expected a block (drainForOthers ${drainForOthers})`);
      else expect(next.block.txs).to.deep.equal([]);
    }
  });

  it("proposes nothing in a round its high QC and TC do not justify, or on a QC below what the TC reports", () => {
    const { generator, tree, add } = setup();
    add(tx(1));
    expect(generator.generate(3, tree, null, true)).to.equal(null); // no QC or TC for round 2
    const withTc = generator.generate(3, tree, tcFor(2, [0, 0, 0]), true);
    if (withTc === null || !("block" in withTc)) throw new Error("expected a block");
    expect(withTc.block.header.tc?.round).to.equal(2);
    expect(generator.generate(3, tree, tcFor(2, [0, 1, 0]), true)).to.equal(null); // someone saw QC round 1
  });
});
