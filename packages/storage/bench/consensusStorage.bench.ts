/**
 * Cost of the consensus storage calls on this machine's disk (figures, never assertions):
 *   node --conditions=source --import=tsx packages/storage/bench/consensusStorage.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BlockRecord, blockRecord } from "@ordo/consensus";
import { certify, child, genesis } from "@ordo/consensus/testing";
import { arbitraryTransaction, SeededRandom } from "@ordo/types/testing";
import { FileSafetyStorage, LmdbConsensusStorage, OrdoStore } from "../src/index.js";

const N = 500;
const rng = new SeededRandom(1);
const g = genesis();
const chain: BlockRecord[] = [];
let parent = g.rec;
let qc = g.qc;
for (let r = 1; r <= N; r++) {
  const txs = Array.from({ length: 100 }, () => arbitraryTransaction(rng, 200));
  const rec = child(parent, qc, r, txs);
  chain.push(blockRecord(rec.block, rec.id));
  parent = rec;
  qc = certify(rec);
}

const dir = mkdtempSync(join(tmpdir(), "ordo-bench-"));
const store = OrdoStore.open({ path: dir });
const cs = new LmdbConsensusStorage(store);
const safety = FileSafetyStorage.open(join(dir, "safety.bin"));
const us = (ms: number, n: number) => `${((ms * 1000) / n).toFixed(1)} µs`;

// saveBlock: what the caller pays (the call returns before the write lands), then until on disk.
let t = performance.now();
for (const b of chain) cs.saveBlock(b.id, b.block);
const callMs = performance.now() - t;
await cs.flushed();
const totalMs = performance.now() - t;
console.log(
  `saveBlock (100 txs): call ${us(callMs, N)}, all ${N} on disk after ${totalMs.toFixed(1)} ms (${us(totalMs, N)}/block)`,
);

// One at a time, waiting for disk each time (latency of a single durable block write).
t = performance.now();
for (const b of chain.slice(0, 100)) {
  cs.saveBlock(b.id, b.block);
  await cs.flushed();
}
console.log(`saveBlock + flushed() one at a time: ${us(performance.now() - t, 100)}`);

// saveCommitted one block at a time (as 2-chain commits arrive), each awaited to disk.
t = performance.now();
let commitCall = 0;
for (let i = 0; i < N - 1; i++) {
  const c0 = performance.now();
  cs.saveCommitted([chain[i]!.block], certify(chain[i]!));
  commitCall += performance.now() - c0;
  await cs.flushed();
}
console.log(`saveCommitted (1 block): call ${us(commitCall, N - 1)}, + flushed() ${us(performance.now() - t, N - 1)}`);

// SafetyStorage.store: pwrite + fdatasync on the thread pool, one write waited for at a time.
t = performance.now();
for (let r = 1; r <= N; r++) {
  await new Promise<void>((resolve, reject) =>
    safety.store({ lastVotedRound: r, highestQcRound: r - 1 }, (err) => (err ? reject(err) : resolve())),
  );
}
console.log(
  `SafetyStorage.store until durable (FileSafetyStorage: pwrite on an O_DSYNC descriptor, thread pool): ${us(performance.now() - t, N)}`,
);
await safety.close();

await store.close();
rmSync(dir, { recursive: true, force: true });
