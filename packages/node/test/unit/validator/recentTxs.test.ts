import { expect } from "chai";
import { transactionIdHex } from "@ordo/types";
import { arbitraryTransaction, SeededRandom } from "@ordo/types/testing";
import { RecentTxs } from "../../../src/validator/recentTxs.js";

describe("RecentTxs", () => {
  const rng = new SeededRandom(3);
  const txs = Array.from({ length: 30 }, () => arbitraryTransaction(rng));

  it("finds what was added by id until it is removed", () => {
    const r = new RecentTxs(100);
    r.add(txs.slice(0, 10));
    expect(r.get(transactionIdHex(txs[3]!))).to.equal(txs[3]);
    r.remove(txs.slice(0, 5));
    expect(r.get(transactionIdHex(txs[3]!))).to.equal(undefined);
    expect(r.get(transactionIdHex(txs[7]!))).to.equal(txs[7]);
    expect(r.size).to.equal(5);
  });

  it("never holds more than its capacity, dropping the oldest first", () => {
    const r = new RecentTxs(8);
    for (const tx of txs) r.add([tx]);
    expect(r.size).to.be.at.most(8);
    expect(r.get(transactionIdHex(txs[29]!))).to.equal(txs[29]);
    expect(r.get(transactionIdHex(txs[0]!))).to.equal(undefined);
  });
});
