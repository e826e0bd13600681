import { expect } from "chai";
import { AppHarness, bytesEqual, Code, type HarnessAccount, harnessKey, MemoryBackend, toBase64 } from "@ordo/sdk";
import { forEachSeed } from "@ordo/types/testing";
import {
  BankApp,
  BankCode,
  BankGenesisError,
  createApp,
  decodeU128,
  MAX_AMOUNT,
  MAX_NONCE_AHEAD,
  transfer,
} from "../src/index.js";

/** A bank with genesis `balances` for harness accounts seedBase, seedBase + 1, ... */
async function bank(balances: bigint[], seedBase = 0) {
  const app = new BankApp();
  const appState = {
    accounts: balances.map((balance, i) => ({
      publicKey: toBase64(harnessKey(seedBase + i).publicKey),
      balance: balance.toString(),
    })),
  };
  const h = await AppHarness.create(app, { appState });
  return { app, h, accounts: balances.map((_, i) => h.account(seedBase + i)) };
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

  it("stores balances exactly on both sides of 2^53 and 2^64 (the account codec's fast and general paths)", async () => {
    const edges = [
      0n,
      1n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 64n - 1n,
      2n ** 64n,
      2n ** 64n + 2n ** 53n + 7n,
      2n ** 127n,
    ];
    const { h, accounts } = await bank(edges);
    for (const [i, a] of accounts.entries()) expect(await balanceOf(h, a), `balance ${edges[i]}`).to.equal(edges[i]);
    // A transfer rewrites both accounts through the codec: 2^53 - 1 + 1 crosses into the general path.
    const [, one, below53] = accounts as HarnessAccount[];
    expect((await h.block([one!.tx(transfer(below53!.publicKey, 1n))])).results[0]!.code).to.equal(Code.OK);
    expect(await balanceOf(h, below53!)).to.equal(2n ** 53n);
    expect(await balanceOf(h, one!)).to.equal(0n);
  });

  it("createApp is the factory a node loads, on the backend it is given", async () => {
    const backend = new MemoryBackend();
    const alice = harnessKey(77);
    const appState = { accounts: [{ publicKey: toBase64(alice.publicKey), balance: "9" }] };
    await AppHarness.create(createApp({ backend }), { appState });
    const reopened = createApp({ backend });
    expect((await reopened.info()).initialized).to.equal(true);
    expect(reopened.account(alice.publicKey)).to.deep.equal({ balance: 9n, nonce: 0n });
  });

  it("rejects a malformed genesis", async () => {
    for (const appState of [
      null,
      {},
      { accounts: [{ publicKey: "AAAA", balance: "1" }] },
      { accounts: [{ publicKey: "not base64!", balance: "1" }] },
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
      const err = await AppHarness.create(new BankApp(), { appState }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(appState)).to.be.instanceOf(BankGenesisError);
    }
  });

  it("property: over thousands of seeded transfer sequences the ledger matches a reference model, conserves supply, never goes negative, only raises nonces, and its app hash is a function of the sequence", async function () {
    this.timeout(300_000);
    const runs = Number(process.env.ORDO_BANK_RUNS ?? 2000);
    const GENESIS = [50n, 50n, 20n, 0n]; // account 4 is not in genesis until someone pays it
    const SUPPLY = GENESIS.reduce((x, y) => x + y, 0n);
    type Transfer = { from: number; to: number; amount: bigint; nonce: bigint; code: number };
    type Model = { balances: bigint[]; nonces: bigint[]; exists: boolean[] };
    const runsOf: { seed: number; blocks: Transfer[][]; model: Model }[] = [];

    // The model applies the bank's rules in the bank's order; plans and expected codes come from it.
    forEachSeed(runs, (rng, seed) => {
      const m: Model = {
        balances: [...GENESIS, 0n],
        nonces: [0n, 0n, 0n, 0n, 0n],
        exists: [true, true, true, true, false],
      };
      const blocks = Array.from({ length: rng.int(1, 3) }, () =>
        Array.from({ length: rng.int(0, 8) }, (): Transfer => {
          const from = rng.int(0, 4);
          const to = rng.int(0, 4);
          const amount = BigInt(rng.int(0, 60));
          const nonce = rng.bool(0.1)
            ? BigInt(Math.max(0, Number(m.nonces[from]!) + rng.pick([-1, 1, 2])))
            : m.nonces[from]!;
          let code: number = Code.OK;
          if (amount === 0n) code = BankCode.INVALID_AMOUNT;
          else if (!m.exists[from]) code = BankCode.UNKNOWN_SENDER;
          else if (nonce !== m.nonces[from]) code = BankCode.NONCE_MISMATCH;
          else if (from === to) code = BankCode.SELF_TRANSFER;
          else if (m.balances[from]! < amount) code = BankCode.INSUFFICIENT_FUNDS;
          else {
            m.balances[from]! -= amount;
            m.balances[to]! += amount;
            m.nonces[from]!++;
            m.exists[to] = true;
          }
          return { from, to, amount, nonce, code };
        }),
      );
      runsOf.push({ seed, blocks, model: m });
    });

    let differing = 0;
    for (const { seed, blocks, model } of runsOf) {
      const ctx = `[seed ${seed}]`;
      const base = (seed % 100_000) * 10;
      const [a, b, c] = await Promise.all([0, 1, 2].map(() => bank(GENESIS, base)));
      const extra = (x: { h: AppHarness }) => x.h.account(base + 4);
      const run = async (x: Awaited<ReturnType<typeof bank>>, plan: Transfer[][]) => {
        const accts = [...x.accounts, extra(x)];
        const hashes: Uint8Array[] = [];
        let nonces = accts.map(() => 0n);
        for (const txs of plan) {
          const r = await x.h.block(
            txs.map((t) => accts[t.from]!.tx(transfer(accts[t.to]!.publicKey, t.amount), t.nonce)),
          );
          hashes.push(r.appHash);
          const now = accts.map((acc) => x.app.account(acc.publicKey)?.nonce ?? 0n);
          now.forEach((n, i) => {
            expect(n >= nonces[i]!, `${ctx} nonce of account ${i} went down`).to.equal(true);
          });
          nonces = now;
          if (x === a)
            expect(
              r.results.map((res) => res.code),
              `${ctx} codes`,
            ).to.deep.equal(txs.map((t) => t.code));
        }
        return { hashes, accts };
      };
      const ra = await run(a, blocks);
      const rb = await run(b, blocks);
      expect(
        ra.hashes.map((x) => Buffer.from(x).toString("hex")),
        `${ctx} same sequence, same app hashes`,
      ).to.deep.equal(rb.hashes.map((x) => Buffer.from(x).toString("hex")));

      const balances = ra.accts.map((acc) => a.app.account(acc.publicKey)?.balance ?? 0n);
      expect(balances, `${ctx} balances match the model`).to.deep.equal(model.balances);
      expect(
        ra.accts.map((acc) => a.app.account(acc.publicKey)?.nonce ?? 0n),
        `${ctx} nonces`,
      ).to.deep.equal(model.nonces);
      const all = a.app.accounts().map(([, acc]) => acc);
      expect(
        all.reduce((x, y) => x + y.balance, 0n),
        `${ctx} supply`,
      ).to.equal(SUPPLY);
      expect(a.app.supply(), `${ctx} recorded supply`).to.equal(SUPPLY);
      for (const x of all) expect(x.balance >= 0n, `${ctx} negative balance`).to.equal(true);

      // Instance c runs the same plan with its last successful transfer changed (one unit less, or
      // another recipient): still successful, so the state and the app hash must differ.
      const flat = blocks.flatMap((txs, bi) => txs.map((t, ti) => ({ t, bi, ti })));
      const last = flat.filter(({ t }) => t.code === Code.OK).at(-1);
      if (!last) continue;
      const changed = blocks.map((txs) => txs.map((t) => ({ ...t })));
      const t = changed[last.bi]![last.ti]!;
      if (t.amount >= 2n) t.amount -= 1n;
      else t.to = [0, 1, 2, 3, 4].find((i) => i !== t.from && i !== t.to)!;
      const rc = await run(c, changed);
      const lastC = rc.hashes.at(-1)!;
      expect(bytesEqual(ra.hashes.at(-1)!, lastC), `${ctx} one transfer differs, app hash differs`).to.equal(false);
      differing++;
    }
    expect(differing, "most sequences have a successful transfer to vary").to.be.above(runs * 0.8);
  });
});
