import { expect } from "chai";
import { verifyReceiptSignature } from "@ordo/crypto";
import {
  type Block,
  genesisQuorumCert,
  merkleProof,
  merkleRoot,
  resultLeaf,
  sha256,
  transactionId,
  verifyMerkleProof,
  ZERO_HASH,
  blockId,
} from "@ordo/types";
import {
  AppHarness,
  BaseApplication,
  ExecutionEngine,
  fail,
  KeyPair,
  MemoryBackend,
  ok,
  type TxContext,
} from "../../../src/index.js";

/** Counts transactions; payload [0] fails on purpose. */
class Counter extends BaseApplication {
  finalized: number[] = [];
  protected deliverTx(tx: TxContext) {
    if (tx.payload[0] === 0) return fail(100, "zero");
    const n = (this.store.get(new Uint8Array([1]))?.[0] ?? 0) + 1;
    this.store.set(new Uint8Array([1]), new Uint8Array([n]));
    return ok(new Uint8Array([n]));
  }
  override async finalizeBlock(req: Parameters<BaseApplication["finalizeBlock"]>[0]) {
    this.finalized.push(req.height);
    return super.finalizeBlock(req);
  }
}

const chainId = "exec";
const user = KeyPair.fromSeed(new Uint8Array(32).fill(3));
let nonce = 0n;
const tx = (p: number) => ({
  chainId,
  sender: user.publicKey,
  nonce: nonce++,
  payload: new Uint8Array([p]),
  signature: new Uint8Array(64),
});

function chain(count: number, txsPer = 2): Block[] {
  const blocks: Block[] = [];
  let parent = ZERO_HASH;
  for (let h = 1; h <= count; h++) {
    const txs = Array.from({ length: txsPer }, (_, i) => tx(i === 0 && h % 2 === 0 ? 0 : 1));
    const header = {
      height: h,
      round: h,
      parentId: parent,
      qc: genesisQuorumCert(parent),
      tc: null,
      proposer: 0,
      timestamp: h,
      payloadRoot: merkleRoot(txs.map(transactionId)),
      execHeight: 0,
      appHash: sha256(),
    };
    blocks.push({ header, txs, signature: new Uint8Array(64) });
    parent = blockId(header);
  }
  return blocks;
}

describe("ExecutionEngine", () => {
  it("executes each height exactly once, in order, and skips re-deliveries", async () => {
    const app = new Counter();
    const engine = new ExecutionEngine({ chainId }, { app });
    await engine.init();
    const blocks = chain(5);
    engine.deliver(blocks.slice(0, 2), genesisQuorumCert(ZERO_HASH));
    engine.deliver(blocks.slice(1, 5), genesisQuorumCert(ZERO_HASH));
    await engine.idle();
    expect(app.finalized).to.deep.equal([1, 2, 3, 4, 5]);
    expect(engine.lastExecuted().height).to.equal(5);
    expect(engine.appHashAt(3)).to.be.instanceOf(Uint8Array);
  });

  it("after a restart asks the app where it is and applies only what it lacks", async () => {
    const backend = new MemoryBackend();
    const first = new ExecutionEngine({ chainId }, { app: new Counter(backend) });
    await first.init();
    const blocks = chain(6);
    first.deliver(blocks.slice(0, 4), genesisQuorumCert(ZERO_HASH));
    await first.idle();
    const hashAt4 = first.lastExecuted().appHash;
    const app = new Counter(backend);
    const second = new ExecutionEngine({ chainId }, { app });
    await second.init();
    expect(second.lastExecuted()).to.deep.equal({ height: 4, appHash: hashAt4 });
    second.deliver(blocks, genesisQuorumCert(ZERO_HASH));
    await second.idle();
    expect(app.finalized).to.deep.equal([5, 6]);
  });

  it("stops with a clear error on a gap in heights", async () => {
    const engine = new ExecutionEngine({ chainId }, { app: new Counter() });
    await engine.init();
    engine.deliver(chain(3).slice(2), genesisQuorumCert(ZERO_HASH));
    try {
      await engine.idle();
      expect.fail("a gap must fail");
    } catch (err) {
      expect((err as Error).message).to.match(/height 3 delivered after height 0/);
    }
  });

  it("signs one receipt per block whose results root proves each transaction's result", async () => {
    const key = KeyPair.generate();
    const engine = new ExecutionEngine({ chainId, validatorIndex: 2 }, { app: new Counter(), key });
    await engine.init();
    const seen: Parameters<Parameters<ExecutionEngine["onExecuted"]>[0]>[0][] = [];
    engine.onExecuted((e) => seen.push(e));
    engine.deliver(chain(2, 3), genesisQuorumCert(ZERO_HASH));
    await engine.idle();
    expect(seen).to.have.length(2);
    for (const e of seen) {
      const r = e.receipt!;
      expect(r.validator).to.equal(2);
      expect(verifyReceiptSignature(key.publicKey, chainId, r, r.signature)).to.equal(true);
      const leaves = e.results.map((res, i) => resultLeaf(e.txIds[i]!, i, res));
      leaves.forEach((leaf, i) =>
        expect(verifyMerkleProof(r.resultsRoot, leaf, i, leaves.length, merkleProof(leaves, i))).to.equal(true),
      );
    }
    expect(seen[1]!.results[0]!.code).to.equal(100); // the failing transaction is recorded, not dropped
  });

  it("a harness gives the same app hash to two instances fed the same blocks", async () => {
    const run = async () => {
      const h = await AppHarness.create(new Counter());
      const a = h.account(1);
      await h.block([a.tx(new Uint8Array([1])), a.tx(new Uint8Array([0]))]);
      return (await h.block([a.tx(new Uint8Array([1]))])).appHash;
    };
    expect(await run()).to.deep.equal(await run());
  });
});
