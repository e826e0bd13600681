import { expect } from "chai";
import { AppHarness, bytesEqual, Code, type HarnessAccount, toBase64 } from "@ordo/sdk";
import { forEachSeed } from "@ordo/types/testing";
import { BankApp, BankCode, decodeU128, MAX_AMOUNT, MAX_NONCE_AHEAD, transfer } from "../src/index.js";

async function bank(balances: bigint[], seedBase = 0) {
  const app = new BankApp();
  const accountsFor = (h: AppHarness) => balances.map((_, i) => h.account(seedBase + i));
  // Accounts are derived from seeds, so the genesis can name them before the harness exists.
  const probe = await AppHarness.create(new BankApp(), { appState: { accounts: [] } });
  const keys = accountsFor(probe);
  const appState = {
    accounts: keys.map((a, i) => ({ publicKey: toBase64(a.publicKey), balance: balances[i]!.toString() })),
  };
  const h = await AppHarness.create(app, { appState });
  return { app, h, accounts: accountsFor(h) };
}

const balanceOf = async (h: AppHarness, a: HarnessAccount) => decodeU128((await h.query("balance", a.publicKey)).value);

describe("bank app", () => {
  it("moves funds, bumps the sender's nonce, and answers balance, account and supply queries", async () => {
    const { h, accounts } = await bank([100n, 5n]);
    const [alice, bob] = accounts as [HarnessAccount, HarnessAccount];
    const r = await h.block([alice.tx(transfer(bob.publicKey, 30n))]);
    expect(r.results.map((x) => x.code)).to.deep.equal([Code.OK]);
    expect(await balanceOf(h, alice)).to.equal(70n);
    expect(await balanceOf(h, bob)).to.equal(35n);
    expect(decodeU128((await h.query("supply")).value)).to.equal(105n);
    const acct = JSON.parse(new TextDecoder().decode((await h.query("account", alice.publicKey)).value));
    expect(acct).to.deep.equal({ balance: "70", nonce: "1" });
  });

  it("rejects each bad transfer with its own code and leaves state untouched", async () => {
    const { h, app, accounts } = await bank([100n, 5n]);
    const [alice, bob] = accounts as [HarnessAccount, HarnessAccount];
    const stranger = h.account(999);
    const before = app.accounts();
    // [transaction, code in a block, code at checkTx when it differs]
    const cases: [ReturnType<HarnessAccount["tx"]>, number, number?][] = [
      [alice.tx(transfer(bob.publicKey, 101n), 0n), BankCode.INSUFFICIENT_FUNDS],
      [alice.tx(transfer(bob.publicKey, 0n), 0n), BankCode.INVALID_AMOUNT],
      // A later nonce may become valid once the earlier ones commit: admitted, but not executable now.
      [alice.tx(transfer(bob.publicKey, 1n), 5n), BankCode.NONCE_MISMATCH, Code.OK],
      [alice.tx(transfer(bob.publicKey, 1n), MAX_NONCE_AHEAD), BankCode.NONCE_MISMATCH, BankCode.NONCE_TOO_FAR],
      [alice.tx(transfer(alice.publicKey, 1n), 0n), BankCode.SELF_TRANSFER],
      [stranger.tx(transfer(bob.publicKey, 1n), 0n), BankCode.UNKNOWN_SENDER],
      [alice.tx(new Uint8Array([1, 2, 3]), 0n), Code.BAD_PAYLOAD],
      [alice.tx(new Uint8Array([9, ...new Uint8Array(48)]), 0n), Code.UNKNOWN_OPERATION],
      [alice.tx(new Uint8Array([...transfer(bob.publicKey, 1n), 0]), 0n), Code.BAD_PAYLOAD],
    ];
    for (const [tx, code, checkCode] of cases)
      expect((await h.checkTx(tx)).code, `checkTx ${code}`).to.equal(checkCode ?? code);
    const r = await h.block(cases.map(([tx]) => tx));
    expect(r.results.map((x) => x.code)).to.deep.equal(cases.map(([, code]) => code));
    for (const res of r.results) expect(res.log).to.not.equal("");
    expect(app.accounts()).to.deep.equal(before);
  });

  it("rejects a replayed transfer (same nonce) after it committed", async () => {
    const { h, accounts } = await bank([100n, 0n]);
    const [alice, bob] = accounts as [HarnessAccount, HarnessAccount];
    const tx = alice.tx(transfer(bob.publicKey, 10n));
    expect((await h.block([tx])).results[0]!.code).to.equal(Code.OK);
    expect((await h.block([tx])).results[0]!.code).to.equal(BankCode.NONCE_MISMATCH);
    expect(await balanceOf(h, bob)).to.equal(10n);
  });

  it("admits pipelined nonces at checkTx, executes them in nonce order, and refuses used ones", async () => {
    const { h, accounts } = await bank([100n, 0n]);
    const [alice, bob] = accounts as [HarnessAccount, HarnessAccount];
    const txs = [1n, 2n, 3n].map((amount) => alice.tx(transfer(bob.publicKey, amount)));
    for (const tx of txs) expect((await h.checkTx(tx)).code).to.equal(Code.OK);
    const r = await h.block(txs);
    expect(r.results.map((x) => x.code)).to.deep.equal([Code.OK, Code.OK, Code.OK]);
    for (const tx of txs) expect((await h.checkTx(tx)).code).to.equal(BankCode.NONCE_MISMATCH);
    expect(await balanceOf(h, bob)).to.equal(6n);
  });

  it("answers NOT_FOUND for an unknown account and zero for its balance", async () => {
    const { h } = await bank([1n]);
    const stranger = h.account(4242);
    expect((await h.query("account", stranger.publicKey)).code).to.equal(BankCode.NOT_FOUND);
    expect(await balanceOf(h, stranger)).to.equal(0n);
  });

  it("cannot build a transfer of a negative, non-integer or too large amount", () => {
    const to = new Uint8Array(32);
    for (const amount of [-1n, MAX_AMOUNT + 1n, 1.5, 1, "1"]) {
      expect(() => transfer(to, amount as bigint), String(amount)).to.throw(/amount must be a bigint/);
    }
    expect(() => transfer(new Uint8Array(31), 1n)).to.throw();
  });

  it("lets a balance reach 2^128 - 1 exactly (genesis caps the supply there, so no balance can overflow)", async () => {
    const { h, accounts } = await bank([MAX_AMOUNT - 1n, 1n]);
    const [alice, bob] = accounts as [HarnessAccount, HarnessAccount];
    expect((await h.block([bob.tx(transfer(alice.publicKey, 1n))])).results[0]!.code).to.equal(Code.OK);
    expect(await balanceOf(h, alice)).to.equal(MAX_AMOUNT);
  });

  it("rejects a malformed genesis", async () => {
    for (const appState of [
      null,
      {},
      { accounts: [{ publicKey: "AAAA", balance: "1" }] },
      { accounts: [{ publicKey: toBase64(new Uint8Array(32)), balance: "-1" }] },
      { accounts: [{ publicKey: toBase64(new Uint8Array(32)), balance: "1.5" }] },
      { accounts: [{ publicKey: toBase64(new Uint8Array(32)), balance: 1 }] },
      {
        accounts: [
          { publicKey: toBase64(new Uint8Array(32)), balance: "1" },
          { publicKey: toBase64(new Uint8Array(32)), balance: "1" },
        ],
      },
      {
        accounts: [
          { publicKey: toBase64(new Uint8Array(32)), balance: MAX_AMOUNT.toString() },
          { publicKey: toBase64(new Uint8Array(32).fill(1)), balance: "1" },
        ],
      },
    ]) {
      let threw = false;
      try {
        await AppHarness.create(new BankApp(), { appState });
      } catch {
        threw = true;
      }
      expect(threw, JSON.stringify(appState)).to.equal(true);
    }
  });

  it("property: over random transfer sequences supply is conserved, no balance goes negative, nonces only grow, and the app hash is a function of the sequence", async function () {
    this.timeout(120_000);
    const runs = Number(process.env.ORDO_BANK_RUNS ?? 1000);
    const sequences: { seed: number; plan: { from: number; to: number; amount: bigint; nonceSkew: number }[] }[] = [];
    forEachSeed(runs, (rng, seed) => {
      const plan = Array.from({ length: rng.int(1, 12) }, () => ({
        from: rng.int(0, 3),
        to: rng.int(0, 3),
        amount: BigInt(rng.int(0, 60)),
        nonceSkew: rng.bool(0.1) ? rng.int(-1, 1) : 0,
      }));
      sequences.push({ seed, plan });
    });
    for (const { seed, plan } of sequences) {
      const a = await bank([50n, 50n, 20n, 0n], seed * 10);
      const b = await bank([50n, 50n, 20n, 0n], seed * 10);
      const build = (accounts: HarnessAccount[]) =>
        plan.map((p) => {
          const sender = accounts[p.from]!;
          const nonce = sender.nonce + BigInt(p.nonceSkew);
          if (p.nonceSkew === 0) sender.nonce++;
          return sender.tx(transfer(accounts[p.to]!.publicKey, p.amount), nonce < 0n ? 0n : nonce);
        });
      // Block 1 is one valid transfer; instance c makes it one unit larger. Block 2 is the random plan.
      const opener = (accounts: HarnessAccount[], amount: bigint) => [
        accounts[0]!.tx(transfer(accounts[1]!.publicKey, amount)),
      ];
      const c = await bank([50n, 50n, 20n, 0n], seed * 10);
      await a.h.block(opener(a.accounts, 5n));
      await b.h.block(opener(b.accounts, 5n));
      await c.h.block(opener(c.accounts, 6n));
      const nonceBefore = a.accounts.map((x) => a.app.account(x.publicKey)?.nonce ?? 0n);
      const ra = await a.h.block(build(a.accounts));
      const rb = await b.h.block(build(b.accounts));
      const rc = await c.h.block(build(c.accounts));
      const ctx = `[seed ${seed}]`;
      expect(bytesEqual(ra.appHash, rb.appHash), `${ctx} same sequence, same app hash`).to.equal(true);
      expect(bytesEqual(ra.appHash, rc.appHash), `${ctx} one transfer differs, app hash differs`).to.equal(false);
      const all = a.app.accounts().map(([, acc]) => acc);
      expect(
        all.reduce((s, x) => s + x.balance, 0n),
        `${ctx} supply`,
      ).to.equal(120n);
      expect(a.app.supply(), ctx).to.equal(120n);
      for (const x of all) expect(x.balance >= 0n, ctx).to.equal(true);
      a.accounts.forEach((x, i) => {
        expect((a.app.account(x.publicKey)?.nonce ?? 0n) >= nonceBefore[i]!, ctx).to.equal(true);
      });
    }
  });
});
