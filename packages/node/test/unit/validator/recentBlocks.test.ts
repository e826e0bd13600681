import { expect } from "chai";
import { transactionIdHex } from "@ordo/types";
import { arbitraryBlockReceipt, arbitraryTransaction, arbitraryTxResult, SeededRandom } from "@ordo/types/testing";
import { type RecentBlock, RecentBlocks } from "../../../src/validator/recentBlocks.js";

describe("RecentBlocks.find (GET /v1/tx/:id without the tx index)", () => {
  const rng = new SeededRandom(21);
  const entry = (txs: number): RecentBlock => {
    const block = {
      txs: Array.from({ length: txs }, () => arbitraryTransaction(rng)),
    } as unknown as RecentBlock["block"];
    return {
      block,
      stored: { results: block.txs.map(() => arbitraryTxResult(rng)), receipt: arbitraryBlockReceipt(rng) },
    };
  };

  it("finds a transaction of a held height with its index, and nothing once the height is dropped", () => {
    const recent = new RecentBlocks(() => undefined, 2);
    const a = entry(3);
    const b = entry(2);
    recent.remember(7, a);
    recent.remember(8, b);
    expect(recent.find(transactionIdHex(a.block.txs[2]!))).to.deep.equal({ height: 7, index: 2 });
    expect(recent.find(transactionIdHex(b.block.txs[0]!))).to.deep.equal({ height: 8, index: 0 });
    expect(recent.find("00".repeat(32))).to.equal(undefined);
    recent.remember(9, entry(1)); // capacity 2: height 7 goes
    expect(recent.find(transactionIdHex(a.block.txs[2]!))).to.equal(undefined);
  });

  it("a transaction committed twice (a replay) is found at its first height, as the index would", () => {
    const recent = new RecentBlocks(() => undefined, 4);
    const a = entry(2);
    const replay: RecentBlock = { ...entry(0), block: { ...a.block, txs: [a.block.txs[1]!] } };
    recent.remember(3, a);
    recent.remember(5, replay);
    expect(recent.find(transactionIdHex(a.block.txs[1]!))).to.deep.equal({ height: 3, index: 1 });
  });
});
