import { expect } from "chai";
import {
  AppHarness,
  BaseApplication,
  checkDivergence,
  DivergenceError,
  DivergenceMonitor,
  ok,
  type TxContext,
} from "../../../src/index.js";

/** Adds each payload byte to a counter; `skew` makes one replica compute differently (a bug). */
class Adder extends BaseApplication {
  constructor(readonly skew = 0) {
    super();
  }
  protected deliverTx(tx: TxContext) {
    const n = (this.store.get(new Uint8Array([1]))?.[0] ?? 0) + tx.payload[0]! + this.skew;
    this.store.set(new Uint8Array([1]), new Uint8Array([n & 0xff]));
    return ok();
  }
}

describe("checkDivergence", () => {
  it("matches a header that carries our app hash, and says unknown for a height we have not executed", async () => {
    const h = await AppHarness.create(new Adder());
    const a = h.account(1);
    await h.block([a.tx(new Uint8Array([2]))]);
    const at = (height: number) => h.engine.appHashAt(height);
    const header = { height: 3, proposer: 0, execHeight: 1, appHash: h.appHash };
    expect(checkDivergence(header, at)).to.equal("match");
    expect(checkDivergence({ ...header, execHeight: 9 }, at)).to.equal("unknown");
  });

  it("raises a DivergenceError naming the height and both hashes when a replica executed differently", async () => {
    const honest = await AppHarness.create(new Adder());
    const buggy = await AppHarness.create(new Adder(1));
    for (const h of [honest, buggy]) await h.block([h.account(1).tx(new Uint8Array([2]))]);
    // The honest proposer's next header carries its app hash at height 1; the buggy replica checks it.
    const header = { height: 2, proposer: 3, execHeight: 1, appHash: honest.appHash };
    let err: unknown;
    try {
      checkDivergence(header, (x) => buggy.engine.appHashAt(x));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect(d.code).to.equal("APP_HASH_MISMATCH");
    expect(d.message).to.match(/app hash at height 1 .* block 2 \(proposer 3\).*diverged/);
    expect(d.meta).to.include({ execHeight: 1, blockHeight: 2, proposer: 3 });
  });

  it("DivergenceMonitor: up to f lying proposers are dissent; f + 1 distinct ones mean this replica diverged", async () => {
    const h = await AppHarness.create(new Adder());
    await h.block([h.account(1).tx(new Uint8Array([2]))]);
    const monitor = new DivergenceMonitor({ f: 1 }, { appHashAt: (x) => h.engine.appHashAt(x) });
    const other = new Uint8Array(32).fill(9);
    const header = (proposer: number, appHash: Uint8Array = other) => ({ height: 5, proposer, execHeight: 1, appHash });
    expect(monitor.observe(header(0, h.appHash))).to.equal("match");
    expect(monitor.observe(header(2))).to.equal("dissent");
    expect(monitor.observe(header(2)), "the same proposer twice is still one").to.equal("dissent");
    expect(monitor.diverged).to.equal(null);
    expect(() => monitor.observe(header(3))).to.throw(DivergenceError, /2 proposers .* height 1/);
    expect(monitor.diverged?.meta.proposers).to.deep.equal([2, 3]);
    expect(() => monitor.observe(header(0, h.appHash)), "a halt is final").to.throw(DivergenceError);
  });
});
