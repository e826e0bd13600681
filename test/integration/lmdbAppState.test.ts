import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { BankApp, decodeU128, transfer } from "@ordo/app-bank";
import { AppHarness, toBase64 } from "@ordo/sdk";
import { OrdoStore } from "@ordo/storage";

/** The bank app on the validator's real LMDB store: state and app hash survive a reopen. */
describe("app state on LMDB (OrdoStore.appState as the SDK's StateBackend)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ordo-appstate-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("executes blocks, reopens the store, and resumes at the same height, app hash and balances", async () => {
    let store = OrdoStore.open({ path: dir });
    const probe = await AppHarness.create(new BankApp(), { appState: { accounts: [] } });
    const [alice, bob] = [probe.account(1), probe.account(2)];
    const appState = { accounts: [{ publicKey: toBase64(alice.publicKey), balance: "100" }] };
    const h = await AppHarness.create(new BankApp(store.appState), { appState });
    const a = h.account(1);
    await h.block([a.tx(transfer(bob.publicKey, 40n))]);
    await h.block([a.tx(transfer(bob.publicKey, 2n))]);
    const { height, appHash } = h.engine.lastExecuted();
    await store.close();

    store = OrdoStore.open({ path: dir });
    const app = new BankApp(store.appState);
    expect(await app.info()).to.deep.include({ lastHeight: height });
    expect((await app.info()).appHash).to.deep.equal(appHash);
    expect(decodeU128((await app.query({ path: "balance", data: bob.publicKey })).value)).to.equal(42n);
    expect(app.supply()).to.equal(100n);
    await store.close();
  });
});
