import { expect } from "chai";
import {
  AppHarness,
  BaseApplication,
  HarnessError,
  harnessKey,
  KeyPair,
  merkleProof,
  ok,
  resultLeaf,
  signTransaction,
  type TxContext,
  verifyMerkleProof,
  verifyReceiptSignature,
} from "../../src/index.js";

class Echo extends BaseApplication {
  seen: { sender: Uint8Array; nonce: bigint; height: number; time: number }[] = [];
  protected deliverTx(tx: TxContext, block: { height: number; time: number }) {
    this.seen.push({ sender: tx.sender, nonce: tx.nonce, height: block.height, time: block.time });
    return ok(tx.payload);
  }
}

describe("AppHarness", () => {
  it("delivers signed transactions with sender and nonce, one height per block, time moving forward", async () => {
    const app = new Echo();
    const h = await AppHarness.create(app);
    const a = h.account(1);
    const r1 = await h.block([a.tx(new Uint8Array([1])), a.tx(new Uint8Array([2]))]);
    const r2 = await h.block([]);
    expect([r1.height, r2.height, h.height]).to.deep.equal([1, 2, 2]);
    expect(app.seen.map((x) => [x.nonce, x.height])).to.deep.equal([
      [0n, 1],
      [1n, 1],
    ]);
    expect(app.seen[0]!.sender).to.deep.equal(a.publicKey);
    expect(r2.block.header.timestamp).to.be.above(r1.block.header.timestamp);
    expect(r2.block.header.parentId).to.deep.equal(r1.blockId);
    expect(r2.block.header.execHeight).to.equal(1);
    expect(r2.block.header.appHash).to.deep.equal(r1.appHash);
  });

  it("refuses transactions a node would not admit: another chain, or a bad signature", async () => {
    const h = await AppHarness.create(new Echo(), { chainId: "mine" });
    const key = KeyPair.generate();
    const other = signTransaction(key, {
      chainId: "theirs",
      sender: key.publicKey,
      nonce: 0n,
      payload: new Uint8Array(),
    });
    const forged = { ...h.account(1).tx(new Uint8Array([1])), payload: new Uint8Array([2]) };
    for (const [tx, code] of [
      [other, "WRONG_CHAIN"],
      [forged, "BAD_SIGNATURE"],
    ] as const) {
      const err = await h.block([tx]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(HarnessError);
      expect((err as HarnessError).code).to.equal(code);
    }
    expect(h.height).to.equal(0);
  });

  it("with a validator key, signs receipts a client can check against the results", async () => {
    const key = KeyPair.generate();
    const h = await AppHarness.create(new Echo(), { validator: { key, index: 4 } });
    const r = await h.block([h.account(2).tx(new Uint8Array([7]))]);
    const receipt = r.receipt!;
    expect(receipt.validator).to.equal(4);
    expect(verifyReceiptSignature(key.publicKey, h.chainId, receipt, receipt.signature)).to.equal(true);
    const leaf = resultLeaf(r.txIds[0]!, r.results[0]!);
    expect(verifyMerkleProof(receipt.resultsRoot, leaf, 0, 1, merkleProof([leaf], 0))).to.equal(true);
  });

  it("harness accounts are the same key for the same seed in every harness, distinct across seeds", () => {
    expect(harnessKey(7).publicKey).to.deep.equal(harnessKey(7).publicKey);
    expect(harnessKey(1).publicKey).to.not.deep.equal(harnessKey(1 + 2 ** 24).publicKey);
    expect(() => harnessKey(-1)).to.throw(RangeError);
  });
});
