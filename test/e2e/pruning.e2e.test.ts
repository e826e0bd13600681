import { join } from "node:path";
import { type LocalCluster, loadGenesis } from "@ordo/node";
import { encodeTransaction, type Transaction, toBase64 } from "@ordo/types";
import { expect } from "chai";
import { eventually, fastTempDir, fetchJson, noopTransactions, startNoopCluster, stopAndClean } from "./helpers.js";

const VALIDATORS = 4;
const RETAIN = 100;
const TXS_PER_BLOCK = 10;
/** Enough blocks for pruning (every 100 executed heights) to have dropped the first ones. */
const BLOCKS = 400;

interface Status {
  height: number;
  appHash: string;
  mempoolSize: number;
  peers: number;
}

/**
 * storage.retainBlocks: committed blocks far enough below the executed height are removed (the API
 * answers 404 for them), recent ones are still served, and a validator restarted on a pruned store
 * recovers and commits with the others.
 */
describe("e2e: pruning below storage.retainBlocks", function () {
  this.timeout(240_000);
  let dir: string;
  let cluster: LocalCluster;
  let chainId: string;
  let sent = 0;

  before(async function () {
    this.timeout(60_000);
    dir = fastTempDir("ordo-prune-");
    cluster = await startNoopCluster(dir, { maxTxsPerBlock: TXS_PER_BLOCK, retainBlocks: RETAIN });
    chainId = loadGenesis(join(dir, "node0", "genesis.json")).chainId;
  });

  after(async function () {
    this.timeout(60_000);
    await stopAndClean(cluster, dir, this.currentTest?.state === "failed", "pruning");
  });

  function noopTxs(count: number): Transaction[] {
    const txs = noopTransactions(chainId, sent, count);
    sent += count;
    return txs;
  }

  async function submit(txs: Transaction[]): Promise<void> {
    for (let i = 0; i < txs.length; i += 500) {
      // Batches spread over the validators (each relays its own to the others).
      const res = await fetch(`${cluster.urls[(i / 500) % VALIDATORS]}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ txs: txs.slice(i, i + 500).map((t) => toBase64(encodeTransaction(t))) }),
        signal: AbortSignal.timeout(30_000),
      });
      expect(res.status, await res.clone().text()).to.equal(202);
    }
  }

  const status = (i: number) => fetchJson(`${cluster.urls[i]}/v1/status`) as unknown as Promise<Status>;
  const blockStatus = async (i: number, height: number) =>
    (await fetch(`${cluster.urls[i]}/v1/blocks/${height}`, { signal: AbortSignal.timeout(5000) })).status;

  /** Every validator at the same height >= `min` and app hash, with an empty mempool. */
  const settled = (min: number, what: string) =>
    eventually(what, 180_000, async () => {
      const s = await Promise.all(cluster.urls.map((_, i) => status(i)));
      const ok = s.every((x) => x.height >= min && x.mempoolSize === 0 && x.height === s[0]!.height);
      return ok && s.every((x) => x.appHash === s[0]!.appHash) ? s[0]! : undefined;
    });

  /**
   * Every validator connected to every other: a batch submitted before that is only relayed to the
   * validators it can reach, and a leader proposes only what it holds (rounds whose leader holds
   * none time out; see the closing note of 2026-12-03).
   */
  const meshed = (what: string) =>
    eventually(what, 30_000, async () => {
      const s = await Promise.all(cluster.urls.map((_, i) => status(i)));
      return s.every((x) => x.peers === VALIDATORS - 1) || undefined;
    });

  it("removes blocks below the window, serves the recent ones, and a pruned validator restarts and commits", async () => {
    await meshed("every validator connected");
    await submit(noopTxs(BLOCKS * TXS_PER_BLOCK));
    const loaded = await settled(BLOCKS, "the load committed everywhere");

    // Pruning runs every 100 executed heights: by now heights below (height - 100) rounded down are gone.
    const prunedBelow = Math.floor(loaded.height / 100) * 100 - RETAIN;
    expect(prunedBelow).to.be.greaterThan(100);
    await eventually("block 1 pruned on every validator", 30_000, async () => {
      const codes = await Promise.all(cluster.urls.map((_, i) => blockStatus(i, 1)));
      return codes.every((c) => c === 404) || undefined;
    });
    for (let i = 0; i < VALIDATORS; i++) {
      expect(await blockStatus(i, prunedBelow - 1), `validator ${i}, height ${prunedBelow - 1}`).to.equal(404);
      expect(await blockStatus(i, loaded.height - 10), `validator ${i}, height ${loaded.height - 10}`).to.equal(200);
    }

    // A validator restarted on its pruned store recovers and keeps up with the others.
    expect(await cluster.stopValidator(2)).to.equal(0);
    cluster.startValidator(2);
    await cluster.waitReady(2);
    await meshed("validator 2 connected again");
    await submit(noopTxs(20 * TXS_PER_BLOCK));
    await settled(loaded.height + 20, "commits after validator 2 restarted on a pruned store");
  });
});
