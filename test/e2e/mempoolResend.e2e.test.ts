import { join } from "node:path";
import { type LocalCluster, loadGenesis } from "@ordo/node";
import { encodeTransaction, toBase64, toHex, transactionId } from "@ordo/types";
import { expect } from "chai";
import { eventually, fastTempDir, fetchJson, noopTransactions, startNoopCluster, stopAndClean } from "./helpers.js";

/** Longer than gossipsub keeps advertising a published message (mcacheGossip 3 x heartbeat 1 s). */
const GOSSIP_HISTORY_MS = 6000;
const TXS = 600;
/**
 * Small blocks: proposed only by the one validator holding them (the others' turns time out), TXS
 * take ~30 s to commit, well past the 10 s the test gives for the re-send.
 */
const TXS_PER_BLOCK = 10;

/**
 * Transactions a validator admitted while the others were down reach them when its streams to
 * them open again: each holds them and can propose them, so they commit even after the validator
 * that took them stops (without the re-send they were only on that validator and died with it).
 */
describe("e2e: a validator's mempool reaches validators that reconnect", function () {
  this.timeout(180_000);
  let dir: string;
  let cluster: LocalCluster;

  before(async function () {
    this.timeout(60_000);
    dir = fastTempDir("ordo-resend-");
    cluster = await startNoopCluster(dir, { maxTxsPerBlock: TXS_PER_BLOCK });
  });

  after(async function () {
    this.timeout(60_000);
    await stopAndClean(cluster, dir, this.currentTest?.state === "failed", "mempool resend");
  });

  const txState = async (i: number, id: string) => {
    const res = await fetch(`${cluster.urls[i]}/v1/tx/${id}`, { signal: AbortSignal.timeout(5000) });
    if (res.status === 404) return "unknown";
    return ((await res.json()) as { status: string }).status;
  };

  it("re-sends pending transactions on reconnect, and the others commit them without their first holder", async () => {
    const chainId = loadGenesis(join(dir, "node0", "genesis.json")).chainId;
    for (const i of [1, 2, 3]) expect(await cluster.stopValidator(i)).to.equal(0);

    // Validator 0 alone admits them: no quorum, so they stay in its mempool, relayed to nobody.
    const txs = noopTransactions(chainId, 0, TXS);
    const res = await fetch(`${cluster.urls[0]}/v1/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ txs: txs.map((t) => toBase64(encodeTransaction(t))) }),
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status, await res.clone().text()).to.equal(202);
    expect(((await fetchJson(`${cluster.urls[0]}/v1/status`)) as { mempoolSize: number }).mempoolSize).to.equal(TXS);

    // Not a synchronisation: gossipsub advertises a message it published (to no one here) for 3
    // heartbeats of 1 s, and peers that subscribe in that window fetch it; past it only a re-send helps.
    await new Promise((r) => setTimeout(r, GOSSIP_HISTORY_MS));
    for (const i of [1, 2, 3]) cluster.startValidator(i);
    await Promise.all([1, 2, 3].map((i) => cluster.waitReady(i)));
    // The newest is the last validator 0 would propose itself: well within this bound only if re-sent.
    const newest = toHex(transactionId(txs[TXS - 1]!));
    await eventually("the newest transaction known to validators 1-3", 10_000, async () => {
      const states = await Promise.all([1, 2, 3].map((i) => txState(i, newest)));
      return states.every((s) => s !== "unknown") || undefined;
    });

    expect(await cluster.stopValidator(0)).to.equal(0);
    const ids = txs.map((t) => toHex(transactionId(t)));
    await eventually("every transaction committed at validators 1-3 without validator 0", 60_000, async () => {
      for (const i of [1, 2, 3]) {
        const states = await Promise.all(ids.map((id) => txState(i, id)));
        if (!states.every((s) => s === "committed")) return undefined;
      }
      return true;
    });
  });
});
