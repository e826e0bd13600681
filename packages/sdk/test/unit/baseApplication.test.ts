import { expect } from "chai";
import {
  BaseApplication,
  Code,
  fail,
  type KvWrite,
  MemoryBackend,
  ok,
  Reader,
  type StateBackend,
  type TxContext,
} from "../../src/index.js";

const b = (s: string) => new TextEncoder().encode(s);
const s = (x: Uint8Array) => new TextDecoder().decode(x);
const tx = (payload: string, nonce = 0n): TxContext => ({
  id: new Uint8Array(32),
  sender: new Uint8Array(32),
  nonce,
  payload: b(payload),
});

/** Payload "k=v" sets k; "fail:k" writes k then fails; "throw" throws; "long" fails with a huge log. */
class Scripted extends BaseApplication {
  constructor(backend?: StateBackend) {
    super(backend);
    this.queries = { get: (key) => ok(this.store.get(key) ?? new Uint8Array()) };
  }
  protected override genesis(appState: unknown): void {
    this.store.set(b("genesis"), b(String((appState as { v: string }).v)));
  }
  protected override check(t: TxContext) {
    if (s(t.payload) === "write-in-check") this.store.set(b("x"), b("y"));
    return ok();
  }
  protected deliverTx(t: TxContext) {
    const p = s(t.payload);
    if (p === "throw") throw new Error("boom");
    if (p === "decode") new Reader(t.payload).u64("a u64 that is not there");
    if (p === "long") return fail(100, "x".repeat(5000));
    if (p.startsWith("fail:")) {
      this.store.set(b(p.slice(5)), b("should not stay"));
      return fail(101, "refused");
    }
    const [k, v] = p.split("=") as [string, string];
    this.store.set(b(k), b(v));
    return ok(b("done"));
  }
}

/** A backend whose writes wait until released: a block stays pending between finalize and commit. */
class GatedBackend extends MemoryBackend {
  release: () => void = () => {};
  override async write(writes: readonly KvWrite[]): Promise<void> {
    await new Promise<void>((resolve) => {
      this.release = resolve;
    });
    return super.write(writes);
  }
}

describe("BaseApplication", () => {
  it("commits genesis at height 0 and reports it through info", async () => {
    const app = new Scripted();
    expect((await app.info()).initialized).to.equal(false);
    const r = await app.initChain({ chainId: "c", appState: { v: "g" }, time: 0 });
    const info = await app.info();
    expect(info).to.deep.include({ initialized: true, lastHeight: 0 });
    expect(info.appHash).to.deep.equal(r.appHash);
    expect(s((await app.query({ path: "get", data: b("genesis") })).value)).to.equal("g");
  });

  it("undoes a failed or throwing transaction's writes, keeps the others, truncates logs, maps a CodecError to BAD_PAYLOAD", async () => {
    const app = new Scripted();
    await app.initChain({ chainId: "c", appState: { v: "g" }, time: 0 });
    const r = await app.finalizeBlock({
      height: 1,
      time: 1,
      proposer: 0,
      txs: [tx("a=1"), tx("fail:b"), tx("throw"), tx("long"), tx("c=3"), tx("decode")],
    });
    await app.commit();
    expect(r.results.map((x) => x.code)).to.deep.equal([Code.OK, 101, Code.INTERNAL, 100, Code.OK, Code.BAD_PAYLOAD]);
    expect(r.results[2]!.log).to.match(/deliverTx threw: boom/);
    expect(r.results[3]!.log.length).to.equal(1024);
    expect(s(r.results[0]!.data)).to.equal("done");
    const get = async (k: string) => s((await app.query({ path: "get", data: b(k) })).value);
    expect([await get("a"), await get("b"), await get("c")]).to.deep.equal(["1", "", "3"]);
    expect((await app.info()).lastHeight).to.equal(1);
  });

  it("checkTx and queries read the committed state while a block is pending, and checkTx cannot write", async () => {
    const backend = new GatedBackend();
    const app = new Scripted(backend);
    const init = app.initChain({ chainId: "c", appState: { v: "g" }, time: 0 });
    backend.release();
    await init;
    await app.finalizeBlock({ height: 1, time: 1, proposer: 0, txs: [tx("genesis=changed")] });
    const committing = app.commit();
    const during = await app.query({ path: "get", data: b("genesis") });
    expect(s(during.value), "the pending block is invisible").to.equal("g");
    expect(during.height).to.equal(0);
    const bad = await app.checkTx(tx("write-in-check"));
    expect(bad.code).to.equal(Code.INTERNAL);
    expect(bad.log).to.match(/must not write/);
    backend.release();
    await committing;
    const after = await app.query({ path: "get", data: b("genesis") });
    expect([s(after.value), after.height]).to.deep.equal(["changed", 1]);
  });

  it("answers UNKNOWN_QUERY for an unknown path", async () => {
    const r = await new Scripted().query({ path: "nope", data: new Uint8Array() });
    expect(r.code).to.equal(Code.UNKNOWN_QUERY);
    expect(r.log).to.match(/nope/);
  });

  it("finalizing a height again without a commit starts from the committed state, not the dropped block", async () => {
    const app = new Scripted();
    await app.initChain({ chainId: "c", appState: { v: "g" }, time: 0 });
    await app.finalizeBlock({ height: 1, time: 1, proposer: 0, txs: [tx("a=dropped")] });
    const again = await app.finalizeBlock({ height: 1, time: 1, proposer: 0, txs: [tx("b=kept")] });
    await app.commit();
    const fresh = new Scripted();
    await fresh.initChain({ chainId: "c", appState: { v: "g" }, time: 0 });
    const direct = await fresh.finalizeBlock({ height: 1, time: 1, proposer: 0, txs: [tx("b=kept")] });
    expect(again.appHash).to.deep.equal(direct.appHash);
    expect((await app.query({ path: "get", data: b("a") })).value).to.have.length(0);
  });
});
