import { expect } from "chai";
import { KeyPair, signTransaction } from "@ordo/crypto";
import { toHex, transactionId } from "@ordo/types";
import { Mempool } from "../../../src/index.js";

const key = KeyPair.generate();
const tx = (nonce: number, size = 10) => {
  const t = signTransaction(key, {
    chainId: "c",
    sender: key.publicKey,
    nonce: BigInt(nonce),
    payload: new Uint8Array(size),
  });
  return { t, id: transactionId(t), hex: toHex(transactionId(t)) };
};

describe("Mempool", () => {
  it("deduplicates by id and refuses recently committed transactions", () => {
    const m = new Mempool();
    const a = tx(1);
    expect(m.add(a.t, a.id, 100)).to.equal("added");
    expect(m.add(a.t, a.id, 100)).to.equal("duplicate");
    m.markCommitted([a.hex]);
    expect(m.size).to.equal(0);
    expect(m.add(a.t, a.id, 100)).to.equal("committed");
  });

  it("batches oldest first within max txs and max bytes, skipping ids in the uncommitted chain", () => {
    const m = new Mempool();
    const txs = [1, 2, 3, 4, 5].map((n) => tx(n));
    for (const x of txs) m.add(x.t, x.id, 100);
    expect(m.batch(3, 10_000, new Set()).ids.map(toHex)).to.deep.equal(txs.slice(0, 3).map((x) => x.hex));
    expect(m.batch(10, 250, new Set()).txs).to.have.length(2);
    expect(m.batch(10, 10_000, new Set([txs[0]!.hex, txs[2]!.hex])).ids.map(toHex)).to.deep.equal([
      txs[1]!.hex,
      txs[3]!.hex,
      txs[4]!.hex,
    ]);
    expect(m.hasPendingOutside(new Set(txs.map((x) => x.hex)))).to.equal(false);
    expect(m.hasPendingOutside(new Set([txs[0]!.hex]))).to.equal(true);
  });

  it("groups every pending transaction, oldest first, within max txs and max bytes (an oversized one alone)", () => {
    const m = new Mempool();
    const txs = [1, 2, 3, 4, 5, 6].map((n) => tx(n));
    const sizes = [100, 100, 100, 500, 100, 100];
    for (const [i, x] of txs.entries()) m.add(x.t, x.id, sizes[i]!);
    m.markCommitted([txs[5]!.hex]);
    const nonces = (groups: { nonce: bigint }[][]) => groups.map((g) => g.map((t) => Number(t.nonce)));
    expect(nonces(m.groups(2, 10_000))).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(nonces(m.groups(10, 300))).to.deep.equal([[1, 2, 3], [4], [5]]);
    expect(nonces(m.groups(10, 250))).to.deep.equal([[1, 2], [3], [4], [5]]);
    expect(new Mempool().groups(10, 100)).to.deep.equal([]);
  });

  it("refuses beyond its capacity and forgets the oldest committed ids beyond its bound", () => {
    const m = new Mempool({ capacity: 2, recentlyCommitted: 2 });
    const [a, b, c] = [tx(1), tx(2), tx(3)];
    m.add(a.t, a.id, 1);
    m.add(b.t, b.id, 1);
    expect(m.add(c.t, c.id, 1)).to.equal("full");
    m.markCommitted([a.hex, b.hex, c.hex]);
    expect(m.isCommitted(a.hex)).to.equal(false);
    expect(m.isCommitted(c.hex)).to.equal(true);
  });

  it("remembers exactly the last `recentlyCommitted` distinct ids, over many calls, a repeat taking no slot", () => {
    const m = new Mempool({ recentlyCommitted: 4 });
    const all = Array.from({ length: 11 }, (_, i) => tx(100 + i).hex);
    m.markCommitted(all.slice(0, 3));
    m.markCommitted([all[1]!]); // already remembered: keeps its place
    m.markCommitted(all.slice(3, 7));
    expect(all.map((h) => m.isCommitted(h))).to.deep.equal([
      ...Array(3).fill(false),
      ...Array(4).fill(true),
      ...Array(4).fill(false),
    ]);
    for (const h of all.slice(7)) m.markCommitted([h]);
    expect(all.filter((h) => m.isCommitted(h))).to.deep.equal(all.slice(7));
  });
});
