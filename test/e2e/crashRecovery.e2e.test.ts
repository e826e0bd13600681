import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transfer } from "@ordo/app-bank";
import { KeyPair } from "@ordo/crypto";
import { type Genesis, LocalCluster, loadGenesis } from "@ordo/node";
import { Client, type CommittedTx } from "@ordo/sdk";
import { SeededRandom } from "@ordo/types/testing";
import { expect } from "chai";
import { eventually, fetchJson, statusOf } from "./helpers.js";
import { checkVoteLogs } from "./voteLogs.js";

const VALIDATORS = 4;
const ACCOUNTS = 8;
const KILLS = Number(process.env.ORDO_CRASH_KILLS ?? 6);
const SEED = Number(process.env.ORDO_SEED ?? 20261125);

/**
 * Crash recovery with real processes: validators are killed with SIGKILL at seeded random moments
 * in the middle of a load of transfers and restarted from their home folders. Afterwards: no
 * validator signed two votes for one round or voted in a round it had timed out in (checked on the
 * votes the others received), every transaction a client saw confirmed by f + 1 receipts is still
 * committed, at the same height and index, on every validator, and all agree on the app hash.
 */
describe("e2e: SIGKILL at random moments under load", function () {
  this.timeout(600_000);
  let dir: string;
  let cluster: LocalCluster;
  let genesis: Genesis;
  let client: Client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ordo-crash-"));
    cluster = await LocalCluster.start({
      dir,
      validators: VALIDATORS,
      app: "bank",
      accounts: ACCOUNTS,
      consensus: { baseRoundTimeoutMs: 300, maxTxsPerBlock: 50 },
      env: (i) => ({ ORDO_VOTE_LOG: join(dir, `votes${i}.log`) }),
    });
    genesis = loadGenesis(join(dir, "node0", "genesis.json"));
    client = new Client({
      urls: cluster.urls,
      chainId: genesis.chainId,
      validators: genesis.validators,
      commitTimeoutMs: 30_000,
      requestTimeoutMs: 3_000,
      startNonce: async (sender) => {
        const r = await client.query("account", sender);
        return r.code === 0 ? BigInt(JSON.parse(new TextDecoder().decode(r.value)).nonce) : 0n;
      },
    });
  });

  after(async function () {
    this.timeout(60_000);
    client?.close();
    await cluster?.stop();
    if (this.currentTest?.state === "failed") console.log(`crash test (seed ${SEED}): logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  it("the vote-log check finds a double vote and a vote after a timeout (it can fail)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "ordo-votelog-"));
    try {
      const a = "aa".repeat(32);
      const b = "bb".repeat(32);
      writeFileSync(join(scratch, "votes0.log"), `vote 2 7 ${a}\ntimeout 3 9\nvote 3 9 ${a}\n`);
      writeFileSync(join(scratch, "votes1.log"), `vote 2 7 ${b}\nvote 1 8 ${a}\nvote 1 8`);
      const { votes, problems } = checkVoteLogs(scratch, 2);
      expect(votes.size).to.equal(3);
      expect(problems).to.have.members([
        "validator 3 voted in round 9 after timing out in it",
        `double vote 2/7: ${a}, ${b}`,
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it(`${KILLS} kills: no double vote, no confirmed transaction lost, one app hash`, async () => {
    const rng = new SeededRandom(SEED);
    const accounts = cluster.accountKeyFiles.map((f) => KeyPair.fromJSON(JSON.parse(readFileSync(f, "utf8"))));
    const confirmed: CommittedTx[] = [];
    let failures = 0;
    let stop = false;

    // One sender per account, one transfer at a time: a transfer lost with a killed validator's
    // mempool only costs a retry with the nonce read back from the chain.
    const sender = async (a: number) => {
      const key = accounts[a]!;
      const to = accounts[(a + 1) % accounts.length]!.publicKey;
      while (!stop) {
        try {
          confirmed.push(await client.send(transfer(to, 1n), { key, timeoutMs: 10_000 }));
        } catch {
          failures++;
          client.setNonce(key.publicKey, undefined);
        }
      }
    };
    const load = Promise.all(accounts.map((_, a) => sender(a)));

    try {
      for (let k = 0; k < KILLS; k++) {
        const victim = rng.int(0, VALIDATORS - 1);
        const before = confirmed.length;
        // Let the load run a random while, then kill mid-flight.
        await eventually("progress before the kill", 60_000, async () => confirmed.length > before || undefined);
        await new Promise((r) => setTimeout(r, rng.int(0, 1500)));
        const code = await cluster.stopValidator(victim, "SIGKILL");
        expect(code, `validator ${victim} exit code after SIGKILL`).to.equal(null);
        cluster.startValidator(victim);
        await cluster.waitReady(victim);
      }
      const afterKills = confirmed.length;
      await eventually(
        "commits after the last restart",
        60_000,
        async () => confirmed.length > afterKills + 8 || undefined,
      );
    } finally {
      stop = true;
      await load;
    }

    const statuses = await eventually("all validators at one height", 60_000, async () => {
      const s = await Promise.all(cluster.urls.map(statusOf));
      return s.every((x) => x.height === s[0]!.height) ? s : undefined;
    });
    expect(new Set(statuses.map((s) => s.appHash)).size, "one app hash").to.equal(1);
    expect(confirmed.length).to.be.greaterThan(KILLS * 2);

    for (const c of confirmed) {
      for (const url of cluster.urls) {
        const s = await fetchJson(`${url}/v1/tx/${c.idHex}`);
        expect(s.status, `${c.idHex} at ${url}`).to.equal("committed");
        expect([s.height, s.index], `${c.idHex} at ${url}`).to.deep.equal([c.height, c.index]);
      }
    }
    const { votes, problems } = checkVoteLogs(dir, VALIDATORS);
    expect(votes.size, "votes were recorded").to.be.greaterThan(10);
    expect(problems, `seed ${SEED}`).to.deep.equal([]);
    console.log(
      `      seed ${SEED}: ${KILLS} kills, ${confirmed.length} transfers confirmed, ${failures} retried, ` +
        `${votes.size} (voter, round) pairs checked, height ${statuses[0]!.height}`,
    );
  });
});
