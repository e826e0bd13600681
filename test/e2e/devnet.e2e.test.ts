import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multiaddr } from "@multiformats/multiaddr";
import { decodeU128, transfer } from "@ordo/app-bank";
import { KeyPair } from "@ordo/crypto";
import { CONSENSUS_PROTOCOL, createOrdoHost, encodeFrame, libp2pPrivateKey, type OrdoHost } from "@ordo/network";
import { type Genesis, LocalCluster, loadGenesis, loadHome, peerIdOfKeyPair } from "@ordo/node";
import { Client, type CommittedTx, toBase64 } from "@ordo/sdk";
import { encodeTransaction, type Transaction } from "@ordo/types";
import { expect } from "chai";
import { declaredBodyTooLarge, eventually, fetchJson, statusOf } from "./helpers.js";

const VALIDATORS = 4;
const ACCOUNTS = 8;
const INITIAL = 1_000_000_000n;

/**
 * A devnet of real `ordo start` processes on loopback over real libp2p, driven by the SDK Client:
 * the whole path from a signed transfer to f + 1 verified receipts.
 */
describe("e2e: 4 validator processes over libp2p with the bank app", function () {
  this.timeout(240_000);
  let dir: string;
  let cluster: LocalCluster;
  let genesis: Genesis;
  let accounts: KeyPair[];
  let client: Client;
  /** The model: what every balance must be. */
  const balances = new Map<string, bigint>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ordo-e2e-"));
    cluster = await LocalCluster.start({
      dir,
      validators: VALIDATORS,
      app: "bank",
      accounts: ACCOUNTS,
      consensus: { baseRoundTimeoutMs: 400 },
    });
    genesis = loadGenesis(join(dir, "node0", "genesis.json"));
    accounts = cluster.accountKeyFiles.map((f) => KeyPair.fromJSON(JSON.parse(readFileSync(f, "utf8"))));
    for (const a of accounts) balances.set(toBase64(a.publicKey), INITIAL);
    client = new Client({
      urls: cluster.urls,
      chainId: genesis.chainId,
      validators: genesis.validators,
      commitTimeoutMs: 60_000,
    });
  });

  after(async function () {
    this.timeout(60_000);
    client?.close();
    await cluster?.stop();
    if (this.currentTest?.state === "failed") console.log(`e2e: validator logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  async function transfers(count: number, amountOf: (i: number) => bigint): Promise<Transaction[]> {
    const txs: Transaction[] = [];
    for (let i = 0; i < count; i++) {
      const from = accounts[i % accounts.length]!;
      const to = accounts[(i * 3 + 1) % accounts.length]!;
      const amount = amountOf(i);
      txs.push(await client.buildTx(transfer(to.publicKey, amount), { key: from }));
      balances.set(toBase64(from.publicKey), balances.get(toBase64(from.publicKey))! - amount);
      balances.set(toBase64(to.publicKey), balances.get(toBase64(to.publicKey))! + amount);
    }
    return txs;
  }

  async function commitAll(txs: Transaction[]): Promise<CommittedTx[]> {
    const outcomes = await client.submitMany(txs);
    const refused = outcomes.filter((o) => !o.accepted);
    expect(refused, JSON.stringify(refused.slice(0, 3))).to.have.length(0);
    const committed = await Promise.all(outcomes.map((o) => client.waitForCommit(o.idHex!)));
    for (const c of committed) expect(c.result.code, `tx ${c.idHex}`).to.equal(0);
    return committed;
  }

  /** Waits until the validators in `which` stand at one height, and returns their statuses. */
  async function converged(which: number[]) {
    return eventually(`validators ${which.join(",")} at one height`, 60_000, async () => {
      const s = await Promise.all(which.map((i) => statusOf(cluster.urls[i]!)));
      return s.every((x) => x.height === s[0]!.height) ? s : undefined;
    });
  }

  it("validators given only validator 0's address find and connect to every other", async () => {
    await eventually("every validator connected to 3 others", 30_000, async () => {
      const s = await Promise.all(cluster.urls.map(statusOf));
      return s.every((x) => x.peers === VALIDATORS - 1) || undefined;
    });
  });

  it("commits 1000 transfers from 8 accounts with f + 1 verified receipts; all validators agree on app hash, balances and supply", async () => {
    const committed = await commitAll(await transfers(1000, (i) => BigInt(1 + (i % 17))));
    expect(committed).to.have.length(1000);
    for (const c of committed) expect(c.confirmedBy.length).to.be.at.least(genesis.validators.f + 1);
    // Nonces make every account's transfers execute in order: heights are non-decreasing per sender.
    const statuses = await converged([0, 1, 2, 3]);
    expect(new Set(statuses.map((s) => s.appHash)).size).to.equal(1);
    expect(statuses[0]!.height).to.be.at.least(Math.max(...committed.map((c) => c.height)));
    for (const url of cluster.urls) {
      for (const a of accounts) {
        const q = await fetchJson(`${url}/v1/query?path=balance&data=${encodeURIComponent(toBase64(a.publicKey))}`);
        expect(decodeU128(Buffer.from(q.value as string, "base64")), `balance at ${url}`).to.equal(
          balances.get(toBase64(a.publicKey)),
        );
      }
      const supply = await fetchJson(`${url}/v1/query?path=supply`);
      expect(decodeU128(Buffer.from(supply.value as string, "base64"))).to.equal(INITIAL * BigInt(ACCOUNTS));
    }
  });

  it("keeps committing with one validator down, refuses a stranger and a garbage-sending peer, and the validator rejoins after a restart", async () => {
    expect(await cluster.stopValidator(3)).to.equal(0); // clean exit on SIGTERM
    await commitAll(await transfers(40, () => 5n));

    // A stranger's consensus stream is refused; a peer holding validator 3's key that sends a malformed
    // frame is disconnected. The chain carries on either way.
    const home0 = loadHome(join(dir, "node0"));
    const target = multiaddr(`${home0.config.p2p.listen[0]}/p2p/${peerIdOfKeyPair(home0.key)}`);
    const hosts: OrdoHost[] = [];
    try {
      const stranger = await createOrdoHost({
        privateKey: libp2pPrivateKey(KeyPair.generate()),
        listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
      });
      hosts.push(stranger);
      await stranger.start();
      const refused = await stranger
        .dialProtocol(target, CONSENSUS_PROTOCOL)
        .then(async (s) => {
          s.send(encodeFrame(new Uint8Array([1, 2, 3])));
          return new Promise<boolean>((resolve) => {
            s.addEventListener("close", () => resolve(true), { once: true });
          });
        })
        .catch(() => true);
      expect(refused).to.equal(true);

      const key3 = loadHome(join(dir, "node3")).key;
      const rogue = await createOrdoHost({
        privateKey: libp2pPrivateKey(key3),
        listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
      });
      hosts.push(rogue);
      await rogue.start();
      const disconnected = new Promise<void>((resolve) => {
        rogue.addEventListener("peer:disconnect", () => resolve(), { once: true });
      });
      const stream = await rogue.dialProtocol(target, CONSENSUS_PROTOCOL);
      stream.send(encodeFrame(new Uint8Array([99, 1, 2, 3])));
      await disconnected;
      const metrics = await (await fetch(`${cluster.urls[0]}/metrics`)).text();
      expect(metrics).to.match(/ordo_rejected_messages_total\{kind="peer"[^}]*\} [1-9]/);
    } finally {
      await Promise.all(hosts.map((h) => h.stop()));
    }
    await commitAll(await transfers(20, () => 3n));

    cluster.startValidator(3);
    await cluster.waitReady(3);
    await commitAll(await transfers(20, () => 2n));
    const statuses = await converged([0, 1, 2, 3]);
    expect(new Set(statuses.map((s) => s.appHash)).size).to.equal(1);
  });

  it("answers bad API requests with a 4xx and a clear message, and keeps serving", async () => {
    const url = cluster.urls[1]!;
    const post = (path: string, body: string, type = "application/json") =>
      fetch(`${url}${path}`, { method: "POST", headers: { "content-type": type }, body });
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).to.equal(status);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).to.equal(code);
      expect(body.error.message).to.be.a("string").and.not.equal("");
    };
    await expectError(await post("/v1/tx", "{not json"), 400, "FST_ERR_CTP_INVALID_JSON_BODY");
    await expectError(await post("/v1/tx", JSON.stringify({ tx: "%%%" })), 400, "INVALID_REQUEST");
    await expectError(await post("/v1/tx", JSON.stringify({ tx: "AAAA" })), 400, "BAD_TRANSACTION");
    const [tx] = await transfers(1, () => 1n);
    const forged = { ...tx!, signature: new Uint8Array(64).fill(7) };
    await expectError(
      await post("/v1/tx", JSON.stringify({ tx: toBase64(encodeTransaction(forged)) })),
      422,
      "BAD_SIGNATURE",
    );
    const tooLarge = await declaredBodyTooLarge(url, 17 * 1024 * 1024);
    expect(tooLarge.status).to.equal(413);
    expect(JSON.parse(tooLarge.body).error.code).to.equal("BODY_TOO_LARGE");
    await expectError(await fetch(`${url}/v1/nope`), 404, "NOT_FOUND");
    expect((await statusOf(url)).chainId).to.equal(genesis.chainId);
    // The forged transfer never happened: undo it in the model, and the real one still commits.
    const from = tx!.sender;
    balances.set(toBase64(from), balances.get(toBase64(from))! + 1n);
    const to = accounts[(0 * 3 + 1) % accounts.length]!;
    balances.set(toBase64(to.publicKey), balances.get(toBase64(to.publicKey))! - 1n);
    client.setNonce(from, tx!.nonce);
  });
});
