import "@ordo/polyfills";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { Domain, KeyPair, signTransaction, VerificationPool, verifySignature, verifyTransaction } from "@ordo/crypto";
import {
  type Block,
  decodeBlock,
  transactionSigningBytes,
  encodeBlock,
  genesisQuorumCert,
  payloadRoot,
  resultsRoot,
  sha256,
  transactionId,
} from "@ordo/types";
import { SeededRandom } from "@ordo/types/testing";

/**
 * Codec and signature throughput on this machine: encode/decode of a block of 1000 x 200-byte
 * transactions, and Ed25519 sign/verify through @ordo/crypto. Prints a table and writes JSON
 * to results/codec.json. Not a test: nothing here asserts a speed.
 */

function measure(name: string, minMs: number, fn: () => void): { name: string; opsPerSec: number; iterations: number } {
  for (let i = 0; i < 20; i++) fn(); // warm up the JIT
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let i = 0; i < 10; i++) fn();
    iterations += 10;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { name, opsPerSec: (iterations * 1000) / elapsedMs, iterations };
}

const rng = new SeededRandom(1);
const chainId = "ordo-bench";
const clients = Array.from({ length: 16 }, () => KeyPair.generate());
const txs = Array.from({ length: 1000 }, (_, i) => {
  const key = clients[i % clients.length]!;
  return signTransaction(key, { chainId, sender: key.publicKey, nonce: BigInt(i), payload: rng.bytes(200) });
});
const qc = genesisQuorumCert(sha256(new Uint8Array([0])));
const block: Block = {
  header: {
    height: 1,
    round: 1,
    parentId: qc.blockId,
    qc,
    tc: null,
    proposer: 0,
    timestamp: Date.now(),
    payloadRoot: payloadRoot(txs),
    execHeight: 0,
    appHash: sha256(),
  },
  txs,
  signature: rng.bytes(64),
};
const encoded = encodeBlock(block);
const mb = encoded.length / 1e6;

const encode = measure("block encode", 1500, () => encodeBlock(block));
const decode = measure("block decode", 1500, () => decodeBlock(encoded));
const root = measure("payload root (1000 tx ids + merkle)", 1500, () => payloadRoot(txs));
const ids = txs.map(transactionId);
const txResults = txs.map((_, i) => ({ code: i % 10 === 0 ? 1 : 0, data: new Uint8Array(0), log: "" }));
const results1000 = measure("results root (1000 results)", 1500, () => resultsRoot(ids, txResults));
const signer = clients[0]!;
const msg = rng.bytes(200);
const sig = signer.sign(Domain.transaction, chainId, msg);
const sign = measure("ed25519 sign (200 B)", 1500, () => signer.sign(Domain.transaction, chainId, msg));
const verify = measure("ed25519 verify (200 B)", 1500, () =>
  verifySignature(signer.publicKey, Domain.transaction, chainId, msg, sig),
);
let t = 0;
const verifyTx = measure("transaction verify (signing bytes + verify)", 1500, () =>
  verifyTransaction(txs[t++ % txs.length]!),
);

// Worker-thread verification: 20 batches of 1000 transaction signatures across all cores.
const pool = new VerificationPool({ threads: cpus().length });
const items = txs.map((tx) => ({
  publicKey: tx.sender,
  domain: Domain.transaction,
  chainId,
  message: transactionSigningBytes(tx),
  signature: tx.signature,
}));
await pool.verifyBatch(items); // warm up the workers
const poolStart = process.hrtime.bigint();
for (let i = 0; i < 20; i++) await pool.verifyBatch(items);
const poolVerifyPerSec = (20 * items.length * 1e9) / Number(process.hrtime.bigint() - poolStart);
await pool.close();

const results = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  blockBytes: encoded.length,
  encodeBlocksPerSec: encode.opsPerSec,
  encodeMBps: encode.opsPerSec * mb,
  decodeBlocksPerSec: decode.opsPerSec,
  decodeMBps: decode.opsPerSec * mb,
  payloadRootPerSec: root.opsPerSec,
  resultsRootPerSec: results1000.opsPerSec,
  signPerSec: sign.opsPerSec,
  verifyPerSec: verify.opsPerSec,
  txVerifyPerSec: verifyTx.opsPerSec,
  poolVerifyPerSec,
  poolThreads: pool.threads,
};

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`block: 1000 x 200-byte signed transactions, ${encoded.length} bytes encoded`);
console.log(`encode         ${fmt(encode.opsPerSec)} blocks/s   ${results.encodeMBps.toFixed(0)} MB/s`);
console.log(`decode         ${fmt(decode.opsPerSec)} blocks/s   ${results.decodeMBps.toFixed(0)} MB/s (zero-copy)`);
console.log(`payload root   ${fmt(root.opsPerSec)} blocks/s`);
console.log(`results root   ${fmt(results1000.opsPerSec)} blocks/s (1000 results, empty data)`);
console.log(`ed25519 sign   ${fmt(sign.opsPerSec)} ops/s (one core, libsodium)`);
console.log(`ed25519 verify ${fmt(verify.opsPerSec)} ops/s (one core, libsodium)`);
console.log(`tx verify      ${fmt(verifyTx.opsPerSec)} txs/s (one core)`);
console.log(`pool verify    ${fmt(poolVerifyPerSec)} sigs/s (${pool.threads} worker threads, batches of 1000)`);
mkdirSync("results", { recursive: true });
writeFileSync("results/codec.json", `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results));
