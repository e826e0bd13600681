import { join } from "node:path";
import { setOp } from "@ordo/app-kv";
import { KeyPair, signTransaction } from "@ordo/crypto";
import { LocalCluster, loadGenesis } from "@ordo/node";
import { encodeTransaction, type Transaction, toBase64 } from "@ordo/types";
import { expect } from "chai";
import { eventually, fastTempDir, fetchJson, statusOf, stopAndClean } from "./helpers.js";

const VALIDATORS = 4;
/**
 * Blocks validator 3 misses while it is down, of TXS_PER_BLOCK transactions each. The others commit
 * ~50 blocks/s meanwhile: every fourth round is led by the stopped validator and ends by timeout
 * (the round before it ends by QC since votes whose next leader failed go to everyone). Larger
 * figures (the catch-up benchmark): ORDO_CATCHUP_BLOCKS, ORDO_CATCHUP_TXS_PER_BLOCK.
 */
const MISSED_BLOCKS = Number(process.env.ORDO_CATCHUP_BLOCKS ?? 2000);
const TXS_PER_BLOCK = Number(process.env.ORDO_CATCHUP_TXS_PER_BLOCK ?? 10);

interface CatchUpStatus {
  height: number;
  appHash: string;
  mempoolSize: number;
  catchingUp: boolean;
  sync?: { syncing: boolean; targetHeight: number; syncedBlocks: number };
}

/**
 * A validator that was down while the others committed a few thousand blocks comes back, fetches
 * what it missed, executes it to the same app hash, and then takes part in consensus again: with
 * another validator stopped, the chain (quorum 3 of 4) only commits with its votes.
 */
describe("e2e: catch-up of a validator that missed thousands of blocks", function () {
  this.timeout(600_000);
  let dir: string;
  let cluster: LocalCluster;
  let chainId: string;

  before(async function () {
    this.timeout(60_000);
    dir = fastTempDir("ordo-catchup-");
    cluster = await LocalCluster.start({
      dir,
      validators: VALIDATORS,
      app: "kv",
      accounts: 1,
      txAuth: "none",
      // A short round timeout on loopback: the rounds the stopped validator leads end by timeout.
      consensus: { maxTxsPerBlock: TXS_PER_BLOCK, baseRoundTimeoutMs: 40, maxBatchWaitMs: 5 },
    });
    chainId = loadGenesis(join(dir, "node0", "genesis.json")).chainId;
  });

  after(async function () {
    this.timeout(60_000);
    await stopAndClean(cluster, dir, this.currentTest?.state === "failed", "catch-up");
  });

  /** `count` kv sets from fresh senders (nonce 0 each, so any order executes). */
  function loadTxs(count: number, tag: string): Transaction[] {
    const txs: Transaction[] = [];
    for (let i = 0; i < count; i++) {
      const key = KeyPair.generate();
      const payload = setOp(new TextEncoder().encode(`${tag}/${i}`), new TextEncoder().encode(`v${i}`));
      txs.push(signTransaction(key, { chainId, sender: key.publicKey, nonce: 0n, payload }));
    }
    return txs;
  }

  async function submit(url: string, txs: Transaction[]): Promise<void> {
    for (let i = 0; i < txs.length; i += 1000) {
      const body = JSON.stringify({ txs: txs.slice(i, i + 1000).map((t) => toBase64(encodeTransaction(t))) });
      const res = await fetch(`${url}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      expect(res.status, await res.clone().text()).to.equal(202);
      const { results } = (await res.json()) as { results: { accepted: boolean; message?: string }[] };
      const refused = results.filter((r) => !r.accepted);
      expect(refused, JSON.stringify(refused.slice(0, 3))).to.have.length(0);
    }
  }

  const status = (i: number) => fetchJson(`${cluster.urls[i]}/v1/status`) as unknown as Promise<CatchUpStatus>;

  it("validator 3 catches up on the blocks it missed, to the same app hash, then votes again", async () => {
    await eventually("every validator connected", 30_000, async () => {
      const s = await Promise.all(cluster.urls.map(statusOf));
      return s.every((x) => x.peers === VALIDATORS - 1) || undefined;
    });
    expect(await cluster.stopValidator(3)).to.equal(0);
    const before = (await status(0)).height;

    // The others commit a few thousand small blocks while validator 3 is down.
    const loadStart = Date.now();
    await submit(cluster.urls[0]!, loadTxs(MISSED_BLOCKS * TXS_PER_BLOCK, "load"));
    const loaded = await eventually("the load committed by validators 0-2", 400_000, async () => {
      const s = await Promise.all([0, 1, 2].map(status));
      const done = s.every((x) => x.mempoolSize === 0 && x.height >= before + MISSED_BLOCKS);
      const same = s.every((x) => x.height === s[0]!.height && x.appHash === s[0]!.appHash);
      return done && same ? s[0]! : undefined;
    });
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const missed = loaded.height - before;
    console.log(
      `      load: ${missed} blocks committed by 3 validators in ${loadSeconds.toFixed(1)} s (${(missed / loadSeconds).toFixed(0)} blocks/s)`,
    );

    // Validator 3 comes back and catches up.
    const restart = Date.now();
    cluster.startValidator(3);
    await cluster.waitReady(3);
    const ready = Date.now();
    let peakSyncTarget = 0;
    await eventually("validator 3 at the others' height and app hash", 300_000, async () => {
      const [s0, s3] = await Promise.all([status(0), status(3)]);
      if (s3.sync) peakSyncTarget = Math.max(peakSyncTarget, s3.sync.targetHeight);
      return s3.height >= loaded.height && s3.height === s0.height && s3.appHash === s0.appHash ? s3 : undefined;
    });
    const catchUpSeconds = (Date.now() - ready) / 1000;
    console.log(
      `      catch-up: ${missed} blocks (${missed * TXS_PER_BLOCK} txs) in ${catchUpSeconds.toFixed(1)} s after the API answered ` +
        `(${((ready - restart) / 1000).toFixed(1)} s start-up): ${(missed / catchUpSeconds).toFixed(0)} blocks/s, ` +
        `${((missed * TXS_PER_BLOCK) / catchUpSeconds).toFixed(0)} tx/s` +
        (peakSyncTarget > 0 ? `; range sync target seen in /v1/status: ${peakSyncTarget}` : ""),
    );
    // The same block at the last height the others reached before it came back.
    const [b0, b3] = await Promise.all(
      [0, 3].map((i) => fetchJson(`${cluster.urls[i]}/v1/blocks/${loaded.height}`).then((b) => JSON.stringify(b))),
    );
    expect(b3).to.equal(b0);

    // Validator 3 votes: with validator 1 down, quorum 3 of 4 needs it.
    expect(await cluster.stopValidator(1)).to.equal(0);
    const h = (await status(0)).height;
    await submit(cluster.urls[0]!, loadTxs(50, "after"));
    await eventually("commits with validator 1 down (validator 3 voting)", 60_000, async () => {
      const s = await Promise.all([0, 2, 3].map(status));
      const ok = s.every((x) => x.height >= h + 5 && x.mempoolSize === 0 && x.appHash === s[0]!.appHash);
      return ok && s.every((x) => x.height === s[0]!.height) ? true : undefined;
    });
    cluster.startValidator(1);
    await cluster.waitReady(1);
  });
});
