import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { harnessKey, type TxContext, toBase64 } from "@ordo/sdk";
import { OrdoStore } from "@ordo/storage";
import { sha256 } from "@ordo/types";
import { BankApp, transfer } from "../src/index.js";

/**
 * The bank app's own cost per transfer, as a validator runs it: state in a real LMDB store
 * (OrdoStore.appState), blocks of `--batch` transfers between `--accounts` accounts, each block
 * finalized and committed durably, and every transfer admitted once with checkTx first. Reports
 * microseconds of CPU per transfer for checkTx and for execution (finalizeBlock + commit).
 * The workload is the same every run (a fixed pseudo-random sequence), so before/after of a change
 * to the app or the state layer compare the same work: `npm run bench:bank`.
 */
const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "3200" },
    batch: { type: "string", default: "400" },
    blocks: { type: "string", default: "300" },
    warmup: { type: "string", default: "100" },
  },
});
const accounts = Number(values.accounts);
const batch = Number(values.batch);
const blocks = Number(values.blocks);
const warmup = Number(values.warmup);

const dir = mkdtempSync(join(tmpdir(), "ordo-bank-bench-"));
const store = OrdoStore.open({ path: dir, indexTxs: false });
try {
  const app = new BankApp(store.appState);
  const keys = Array.from({ length: accounts }, (_, i) => harnessKey(i).publicKey);
  await app.initChain({
    chainId: "bank-bench",
    appState: { accounts: keys.map((k) => ({ publicKey: toBase64(k), balance: "1000000000000" })) },
    time: 0,
  });
  const nonces = new Array<bigint>(accounts).fill(0n);
  let rng = 1;
  const next = () => {
    rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
    return rng % accounts;
  };
  let height = 0;
  const makeBlock = (): TxContext[] =>
    Array.from({ length: batch }, () => {
      const from = next();
      let to = next();
      if (to === from) to = (to + 1) % accounts;
      const nonce = nonces[from]!++;
      const payload = transfer(keys[to]!, 1n);
      return { id: sha256(payload), sender: keys[from]!, nonce, payload };
    });
  let checkMicros = 0;
  let execMicros = 0;
  let measured = 0;
  for (let b = 0; b < warmup + blocks; b++) {
    const txs = makeBlock();
    const c0 = process.cpuUsage();
    for (const tx of txs) {
      const r = await app.checkTx(tx);
      if (r.code !== 0) throw new Error(`checkTx refused a valid transfer: ${r.log}`);
    }
    const c1 = process.cpuUsage();
    const { results } = await app.finalizeBlock({ height: ++height, time: height, proposer: 0, txs });
    await app.commit();
    const c2 = process.cpuUsage();
    if (results.some((r) => r.code !== 0)) throw new Error(`a transfer failed at height ${height}`);
    if (b < warmup) continue;
    measured += txs.length;
    checkMicros += c1.user + c1.system - (c0.user + c0.system);
    execMicros += c2.user + c2.system - (c1.user + c1.system);
  }
  const row = {
    accounts,
    batch,
    transfers: measured,
    checkTxMicrosPerTx: Number((checkMicros / measured).toFixed(2)),
    executeMicrosPerTx: Number((execMicros / measured).toFixed(2)),
  };
  console.log(
    `bank: ${measured} transfers in blocks of ${batch} over ${accounts} accounts: checkTx ${row.checkTxMicrosPerTx} us, execute+commit ${row.executeMicrosPerTx} us of CPU per transfer`,
  );
  console.log(JSON.stringify(row));
  mkdirSync("results", { recursive: true });
  writeFileSync(join("results", "bench-bank.json"), `${JSON.stringify(row, null, 2)}\n`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
