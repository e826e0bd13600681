import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type Block, blockId, bytesEqual, transactionId } from "@ordo/types";
import {
  arbitraryBlock,
  arbitraryBlockReceipt,
  arbitraryQuorumCert,
  arbitraryTransaction,
  arbitraryTxResult,
  SeededRandom,
} from "@ordo/types/testing";
import { OrdoStore, StorageError } from "../../src/index.js";

function chain(rng: SeededRandom, from: number, count: number): Block[] {
  return Array.from({ length: count }, (_, i) => {
    const b = arbitraryBlock(rng, 3);
    return { ...b, header: { ...b.header, height: from + i } };
  });
}

describe("OrdoStore (LMDB)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ordo-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps blocks, QCs, the commit index, results and records across a reopen", async () => {
    const rng = new SeededRandom(11);
    const blocks = chain(rng, 1, 10);
    const qc = arbitraryQuorumCert(rng);
    const results = [arbitraryTxResult(rng), arbitraryTxResult(rng)];
    const receipt = arbitraryBlockReceipt(rng);
    let store = OrdoStore.open({ path: dir });
    expect(store.lastCommittedHeight()).to.equal(undefined);
    await store.commitBlocks(blocks);
    await store.putQuorumCert(qc);
    await store.putResults(3, { results, receipt }, [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
    await store.putRecord("safety", new Uint8Array([1, 2, 3]));
    await store.close();

    store = OrdoStore.open({ path: dir });
    expect(store.lastCommittedHeight()).to.equal(10);
    expect(store.committedBlock(4)).to.deep.equal(blocks[3]);
    expect(bytesEqual(store.committedBlockId(7)!, blockId(blocks[6]!.header))).to.equal(true);
    expect(store.getQuorumCert(qc.blockId)).to.deep.equal(qc);
    expect(store.getResults(3)).to.deep.equal({ results, receipt });
    expect(store.getRecord("safety")).to.deep.equal(new Uint8Array([1, 2, 3]));
    expect([...store.committedRange(3, 5)].map((b) => b.header.height)).to.deep.equal([3, 4, 5]);
    await store.close();
  });

  it("prunes committed heights below the retain height and nothing above", async () => {
    const rng = new SeededRandom(12);
    const store = OrdoStore.open({ path: dir });
    const blocks = chain(rng, 1, 20);
    await store.commitBlocks(blocks);
    await store.putResults(5, { results: [], receipt: arbitraryBlockReceipt(rng) }, []);
    expect(await store.pruneBelow(10)).to.equal(9);
    expect(store.committedBlock(9)).to.equal(undefined);
    expect(store.getBlock(blockId(blocks[8]!.header))).to.equal(undefined);
    expect(store.getResults(5)).to.equal(undefined);
    expect(store.committedBlock(10)).to.deep.equal(blocks[9]);
    expect(store.lastCommittedHeight()).to.equal(20);
    expect(await store.pruneBelow(10)).to.equal(0);
    await store.close();
  });

  it("indexes committed txs by id with their results, across a reopen, and prunes them with their heights", async () => {
    const rng = new SeededRandom(13);
    const blocks = chain(rng, 1, 4).map((b) => ({ ...b, txs: b.txs.length > 0 ? b.txs : [arbitraryTransaction(rng)] }));
    let store = OrdoStore.open({ path: dir });
    await store.commitBlocks(blocks);
    for (const b of blocks) {
      const ids = b.txs.map(transactionId);
      await store.putResults(
        b.header.height,
        { results: ids.map(() => arbitraryTxResult(rng)), receipt: arbitraryBlockReceipt(rng) },
        ids,
      );
    }
    const last = blocks[3]!;
    const lastIds = last.txs.map(transactionId);
    expect(store.txLocation(lastIds[lastIds.length - 1]!)).to.deep.equal({ height: 4, index: lastIds.length - 1 });
    expect(store.txLocation(new Uint8Array(32))).to.equal(undefined);
    await store.close();

    store = OrdoStore.open({ path: dir });
    const firstId = transactionId(blocks[0]!.txs[0]!);
    expect(store.txLocation(firstId)).to.deep.equal({ height: 1, index: 0 });
    // A replay of a committed tx at a later height keeps the original location.
    await store.putResults(5, { results: [arbitraryTxResult(rng)], receipt: arbitraryBlockReceipt(rng) }, [firstId]);
    expect(store.txLocation(firstId)).to.deep.equal({ height: 1, index: 0 });
    expect(await store.pruneBelow(3)).to.equal(2);
    expect(store.txLocation(firstId)).to.equal(undefined);
    for (const id of blocks[1]!.txs.map(transactionId)) expect(store.txLocation(id)).to.equal(undefined);
    expect(store.txLocation(lastIds[0]!)).to.deep.equal({ height: 4, index: 0 });
    await store.close();
  });

  it("with indexTxs off stores the results but indexes no transaction", async () => {
    const rng = new SeededRandom(14);
    const blocks = chain(rng, 1, 2).map((b) => ({ ...b, txs: [arbitraryTransaction(rng)] }));
    const store = OrdoStore.open({ path: dir, indexTxs: false });
    expect(store.indexesTxs).to.equal(false);
    await store.commitBlocks(blocks);
    for (const b of blocks) {
      const ids = b.txs.map(transactionId);
      const results = ids.map(() => arbitraryTxResult(rng));
      await store.putResults(b.header.height, { results, receipt: arbitraryBlockReceipt(rng) }, ids);
      expect(store.getResults(b.header.height)?.results).to.deep.equal(results);
      expect(store.txLocation(ids[0]!)).to.equal(undefined);
    }
    await store.close();
  });

  it("rejects results whose tx ids do not match them one to one", async () => {
    const rng = new SeededRandom(14);
    const store = OrdoStore.open({ path: dir });
    let err: unknown;
    await store
      .putResults(1, { results: [arbitraryTxResult(rng)], receipt: arbitraryBlockReceipt(rng) }, [])
      .catch((e: unknown) => {
        err = e;
      });
    expect(err).to.be.instanceOf(RangeError);
    await store.close();
  });

  it("takes a folder whose name has a dot for a folder (lmdb-js alone would take it for a data file)", async () => {
    const path = join(dir, "node.0");
    const store = OrdoStore.open({ path });
    await store.putRecord("x", new Uint8Array([1]));
    await store.close();
    expect(statSync(path).isDirectory()).to.equal(true);
    expect(statSync(join(path, "data.mdb")).isFile()).to.equal(true);
  });

  it("app state namespace: atomic batches, deletes and ordered prefix scans", async () => {
    const store = OrdoStore.open({ path: dir });
    const enc = (s: string) => new TextEncoder().encode(s);
    await store.appState.write([
      { key: enc("acct/bob"), value: enc("5") },
      { key: enc("acct/alice"), value: enc("7") },
      { key: enc("meta/x"), value: enc("1") },
    ]);
    await store.appState.write([
      { key: enc("acct/bob"), value: null },
      { key: enc("acct/carol"), value: enc("1") },
    ]);
    const keys = [...store.appState.scan(enc("acct/"))].map(([k]) => new TextDecoder().decode(k));
    expect(keys).to.deep.equal(["acct/alice", "acct/carol"]);
    expect(store.appState.get(enc("acct/bob"))).to.equal(undefined);
    expect([...store.appState.scan(enc("acct/"), 1)]).to.have.length(1);
    // Values of a batch share one buffer on the way in: each must come back whole and alone.
    const values = ["", "a", "bb", "x".repeat(300), "ccc"];
    await store.appState.write(values.map((v, i) => ({ key: enc(`v/${i}`), value: enc(v) })));
    const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
    expect(values.map((_, i) => dec(store.appState.get(enc(`v/${i}`))))).to.deep.equal(values);
    expect(dec(store.appState.get(enc("acct/alice")))).to.equal("7");
    expect(dec(store.appState.get(enc("meta/x")))).to.equal("1");
    await store.close();
  });

  it("refuses a folder it cannot use with a clear StorageError", () => {
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "x");
    expect(() => OrdoStore.open({ path: file }))
      .to.throw(StorageError)
      .with.property("message")
      .that.matches(/not-a-folder/);
  });

  it("rejects use after close", async () => {
    const store = OrdoStore.open({ path: dir });
    await store.close();
    await store.close();
    expect(() => store.getRecord("x"))
      .to.throw(StorageError)
      .with.property("code", "CLOSED");
  });

  it("a record survives SIGKILL right after its write resolves", async function () {
    this.timeout(30_000);
    const script = `
      import { OrdoStore } from "@ordo/storage";
      const store = OrdoStore.open({ path: process.argv[1] });
      for (let i = 1; i <= 50; i++) {
        await store.putRecord("round", new Uint8Array([i]));
        process.stdout.write(i + "\\n");
      }
      setInterval(() => {}, 1000);
    `;
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import=tsx", "--input-type=module", "-e", script, dir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const lastAcked = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("child never finished writing")), 25_000);
      child.stdout.on("data", (chunk) => {
        out += chunk;
        if (out.includes("50\n")) {
          child.kill("SIGKILL");
          clearTimeout(timer);
          resolve(50);
        }
      });
      child.on("exit", () => clearTimeout(timer));
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const store = OrdoStore.open({ path: dir });
    expect(store.getRecord("round")).to.deep.equal(new Uint8Array([lastAcked]));
    await store.close();
  });
});
