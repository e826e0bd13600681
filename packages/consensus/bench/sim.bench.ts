import "@ordo/polyfills";
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { simulate } from "../../../test/sim/simulation.js";

/**
 * Consensus cost without a network: n replicas of the real RoundManager in one process on the
 * simulator's virtual network (1-10 ms delays, no faults), offered a little more than one
 * 1000-transaction block per round, so blocks are full. Reports committed blocks and transactions
 * per second of CPU, summed over all replicas' work (the CPU of signing the offered client
 * transactions is left out), for n = 4, 7, 10, 16; with client signatures checked (ed25519:
 * every replica verifies every offered transaction once) and without (ordering only).
 * `--validators 4 --tx-auth none` runs one row (a quick before/after of a change).
 */
const { values: only } = parseArgs({ options: { validators: { type: "string" }, "tx-auth": { type: "string" } } });
const results: Record<string, unknown>[] = [];
for (const txAuth of ["none", "ed25519"] as const) {
  if (only["tx-auth"] !== undefined && only["tx-auth"] !== txAuth) continue;
  for (const n of [4, 7, 10, 16]) {
    if (only.validators !== undefined && Number(only.validators) !== n) continue;
    if (only.validators === undefined && txAuth === "ed25519" && n > 7) continue; // n x 1000 signature checks per block: slow and says little more
    const before = process.cpuUsage();
    const wall = performance.now();
    const r = await simulate({
      seed: 1,
      validators: n,
      byzantine: 0,
      twins: false,
      crashes: false,
      partitions: false,
      gstMs: 1000,
      livenessWindowMs: 0,
      timely: true,
      // A little more than one block per round (~11 ms here) can take, so blocks are full.
      load: { txsPerBatch: 1000, intervalMs: 10, maxTxsPerBlock: 1000, txAuth },
    });
    const cpu = process.cpuUsage(before);
    const cpuSeconds = (cpu.user + cpu.system - r.loadCpuMicros) / 1e6;
    const row = {
      txAuth,
      validators: n,
      committedBlocks: r.commits,
      rounds: r.rounds,
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      wallSeconds: Number(((performance.now() - wall) / 1000).toFixed(2)),
      blocksPerCpuSecond: Number((r.commits / cpuSeconds).toFixed(1)),
      committedTxs: r.committedTxs,
      txsPerBlock: Math.round(r.committedTxs / r.commits),
      txsPerCpuSecond: Math.round(r.committedTxs / cpuSeconds),
      // Every replica does the whole job, so one replica's cost per block is CPU / (blocks x n).
      msCpuPerBlockPerReplica: Number(((cpuSeconds * 1000) / (r.commits * n)).toFixed(2)),
      safetyViolations: r.safetyViolations.length,
    };
    results.push(row);
    console.log(
      `n=${String(n).padStart(2)} txAuth=${txAuth.padEnd(7)} ${String(r.commits).padStart(4)} blocks of ${row.txsPerBlock} txs on average (max 1000) in ${row.cpuSeconds}s CPU: ${row.blocksPerCpuSecond} blocks/s, ${row.txsPerCpuSecond} tx/s per CPU second; ${row.msCpuPerBlockPerReplica} ms CPU per block per replica`,
    );
  }
}
mkdirSync("results", { recursive: true });
writeFileSync("results/consensus-sim.json", `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results));
