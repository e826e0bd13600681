import { expect } from "chai";
import { AppHarness, MemoryBackend, toHex } from "@ordo/sdk";
import { createApp, NoopApp } from "../src/index.js";

describe("noop app", () => {
  it("accepts and succeeds every transaction, whatever its payload, with code 0 and no data", async () => {
    const h = await AppHarness.create(new NoopApp());
    const a = h.account(1);
    const b = h.account(2);
    const r = await h.block([a.tx(new Uint8Array()), b.tx(new Uint8Array([0xff, 1, 2])), a.tx(new Uint8Array(300))]);
    expect(r.results.map((x) => x.code)).to.deep.equal([0, 0, 0]);
    expect(r.results.every((x) => x.data.length === 0)).to.equal(true);
  });

  it("chains the app hash by height only, identically on two replicas, and survives a restart", async () => {
    const backend = new MemoryBackend();
    const one = await AppHarness.create(new NoopApp(backend));
    const two = await AppHarness.create(new NoopApp());
    const hashes: string[] = [];
    for (const h of [one, two]) {
      const acct = h.account(3);
      const first = await h.block([acct.tx(new Uint8Array([1]))]);
      const second = await h.block([]);
      expect(toHex(first.appHash)).to.not.equal(toHex(second.appHash));
      hashes.push(toHex(second.appHash));
    }
    expect(hashes[0]).to.equal(hashes[1]);
    const restarted = createApp({ backend });
    const info = await restarted.info();
    expect(info.lastHeight).to.equal(2);
    expect(toHex(info.appHash)).to.equal(hashes[0]);
  });
});
