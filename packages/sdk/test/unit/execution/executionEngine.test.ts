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
  ExecutionError,
  ExecutionOptionsError,
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

/** A Counter that records each of its commits in `order`. */
function tracedCounter(backend: MemoryBackend, order: string[]): Counter {
  return new (class extends Counter {
    override async commit() {
      order.push("commit");
      return super.commit();
    }
  })(backend);
}

describe("ExecutionEngine", () => {
  it("executes each height exactly once, in order, and skips re-deliveries", async () => {
    const app = new Counter();
    const engine = new ExecutionEngine({ chainId }, { app });
    await engine.init();
    const blocks = chain(5);
    engine.deliver(blocks.slice(0, 2), genesisQuorumCert(ZERO_HASH));
    engine.deliver(blocks.slice(1, 5), genesisQuorumCert(ZERO_HASH));
    expect(app.finalized, "deliver returns before executing anything").to.deep.equal([]);
    expect(engine.backlog).to.equal(6);
    await engine.idle();
    expect(engine.backlog).to.equal(0);
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
      const leaves = e.results.map((res, i) => resultLeaf(e.txIds[i]!, res));
      leaves.forEach((leaf, i) => {
        expect(verifyMerkleProof(r.resultsRoot, leaf, i, leaves.length, merkleProof(leaves, i))).to.equal(true);
      });
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

  it("a restart after genesis but before block 1 does not run initChain again", async () => {
    const backend = new MemoryBackend();
    class Genesis extends Counter {
      inits = 0;
      protected override genesis(): void {
        this.inits++;
        this.store.set(new Uint8Array([1]), new Uint8Array([7]));
      }
    }
    const first = new Genesis(backend);
    const e1 = new ExecutionEngine({ chainId }, { app: first });
    await e1.init();
    const again = new Genesis(backend);
    const e2 = new ExecutionEngine({ chainId }, { app: again });
    await e2.init();
    expect(first.inits).to.equal(1);
    expect(again.inits, "genesis is not applied twice").to.equal(0);
    expect(e2.lastExecuted()).to.deep.equal(e1.lastExecuted());
    expect(e2.appHashAt(0)).to.deep.equal(e1.appHashAt(0));
  });

  it("announces a halt once to failure listeners and executes nothing after it", async () => {
    const app = new Counter();
    const engine = new ExecutionEngine({ chainId }, { app });
    await engine.init();
    const failures: ExecutionError[] = [];
    engine.onFailure((e) => failures.push(e));
    const blocks = chain(4);
    engine.deliver([blocks[1]!], genesisQuorumCert(ZERO_HASH));
    await engine.idle().catch(() => {});
    engine.deliver(blocks, genesisQuorumCert(ZERO_HASH));
    await engine.idle().catch(() => {});
    expect(failures.map((e) => e.code)).to.deep.equal(["GAP"]);
    expect(engine.failure).to.equal(failures[0]);
    expect(app.finalized).to.deep.equal([]);
  });

  it("an app that throws halts execution with APP_FAILED at that height, and results must match the txs", async () => {
    class Broken extends Counter {
      override async finalizeBlock(req: Parameters<BaseApplication["finalizeBlock"]>[0]) {
        if (req.height === 2) throw new Error("disk on fire");
        return super.finalizeBlock(req);
      }
    }
    const engine = new ExecutionEngine({ chainId }, { app: new Broken() });
    await engine.init();
    engine.deliver(chain(3), genesisQuorumCert(ZERO_HASH));
    const err = await engine.idle().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ExecutionError);
    expect((err as ExecutionError).code).to.equal("APP_FAILED");
    expect((err as Error).message).to.match(/height 2: disk on fire/);
    expect(engine.lastExecuted().height).to.equal(1);

    class Short extends Counter {
      override async finalizeBlock(req: Parameters<BaseApplication["finalizeBlock"]>[0]) {
        const r = await super.finalizeBlock(req);
        return { ...r, results: r.results.slice(1) };
      }
    }
    const short = new ExecutionEngine({ chainId }, { app: new Short() });
    await short.init();
    short.deliver(chain(1), genesisQuorumCert(ZERO_HASH));
    await short.idle().catch(() => {});
    expect(short.failure?.code).to.equal("BAD_RESULTS");
  });

  it("a listener that throws does not halt execution", async () => {
    const errors: number[] = [];
    const engine = new ExecutionEngine(
      { chainId },
      { app: new Counter(), onListenerError: (_err, height) => errors.push(height) },
    );
    await engine.init();
    engine.onExecuted(() => {
      throw new Error("listener bug");
    });
    engine.deliver(chain(3), genesisQuorumCert(ZERO_HASH));
    await engine.idle();
    expect(engine.lastExecuted().height).to.equal(3);
    expect(errors).to.deep.equal([1, 2, 3]);
  });

  it("deliver before init halts with NOT_INITIALIZED instead of executing on an unknown state", async () => {
    const app = new Counter();
    const engine = new ExecutionEngine({ chainId }, { app });
    engine.deliver(chain(1), genesisQuorumCert(ZERO_HASH));
    expect(engine.failure?.code).to.equal("NOT_INITIALIZED");
    expect(app.finalized).to.deep.equal([]);
  });

  it("validates its options", () => {
    const app = new Counter();
    const key = KeyPair.generate();
    const bad: [ConstructorParameters<typeof ExecutionEngine>[0], KeyPair | undefined][] = [
      [{ chainId: "" }, undefined],
      [{ chainId: "x".repeat(65) }, undefined],
      [{ chainId, validatorIndex: 1 }, undefined],
      [{ chainId }, key],
      [{ chainId, validatorIndex: -1 }, key],
      [{ chainId, validatorIndex: 1.5 }, key],
      [{ chainId, hashWindow: 0 }, undefined],
      [{ chainId, genesisTime: -5 }, undefined],
    ];
    for (const [opts, k] of bad)
      expect(() => new ExecutionEngine(opts, { app, key: k }), JSON.stringify(opts)).to.throw(ExecutionOptionsError);
    expect(() => new ExecutionEngine({ chainId, validatorIndex: 0 }, { app, key })).to.not.throw();
  });

  it("keeps the app hashes of the last hashWindow heights for divergence checks", async () => {
    const engine = new ExecutionEngine({ chainId, hashWindow: 2 }, { app: new Counter() });
    await engine.init();
    const seen: number[] = [];
    engine.onExecuted((e) => seen.push(e.height));
    engine.deliver(chain(4), genesisQuorumCert(ZERO_HASH));
    await engine.idle();
    expect(seen).to.deep.equal([1, 2, 3, 4]);
    expect([0, 1, 2, 3, 4].map((h) => engine.appHashAt(h) !== undefined)).to.deep.equal([
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it("beforeCommit stores results before the app commits; if it fails the app stays at the previous height", async () => {
    const backend = new MemoryBackend();
    const stored: number[] = [];
    const order: string[] = [];
    const engine = new ExecutionEngine(
      { chainId },
      {
        app: tracedCounter(backend, order),
        beforeCommit: async (e) => {
          order.push(`store ${e.height}`);
          if (e.height === 3) throw new Error("disk full");
          stored.push(e.height);
        },
      },
    );
    await engine.init();
    order.length = 0;
    const blocks = chain(4);
    engine.deliver(blocks, genesisQuorumCert(ZERO_HASH));
    await engine.idle().catch(() => {});
    expect(order).to.deep.equal(["store 1", "commit", "store 2", "commit", "store 3"]);
    expect(engine.failure?.code).to.equal("PERSIST_FAILED");
    expect(engine.lastExecuted().height).to.equal(2);

    // After a restart the app is at height 2 and re-executes 3 to the same results.
    const again = new ExecutionEngine(
      { chainId },
      { app: new Counter(backend), beforeCommit: (e) => void stored.push(e.height) },
    );
    await again.init();
    again.deliver(blocks, genesisQuorumCert(ZERO_HASH));
    await again.idle();
    expect(stored).to.deep.equal([1, 2, 3, 4]);
  });

  it("commitWithResults issues the app's commit before the results write settles, and halts if that write fails", async () => {
    const backend = new MemoryBackend();
    const order: string[] = [];
    const engine = new ExecutionEngine(
      { chainId },
      {
        app: tracedCounter(backend, order),
        commitWithResults: true,
        beforeCommit: async (e) => {
          order.push(`store ${e.height}`);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`stored ${e.height}`);
          if (e.height === 3) throw new Error("disk full");
        },
      },
    );
    await engine.init();
    order.length = 0;
    const executed: number[] = [];
    engine.onExecuted((e) => executed.push(e.height));
    engine.deliver(chain(4), genesisQuorumCert(ZERO_HASH));
    await engine.idle().catch(() => {});
    expect(order).to.deep.equal([
      "store 1",
      "commit",
      "stored 1",
      "store 2",
      "commit",
      "stored 2",
      "store 3",
      "commit",
      "stored 3",
    ]);
    expect(engine.failure?.code).to.equal("PERSIST_FAILED");
    // Height 3 never counts as executed: no receipt is announced for it.
    expect(executed).to.deep.equal([1, 2]);
    expect(engine.lastExecuted().height).to.equal(2);
  });
});
