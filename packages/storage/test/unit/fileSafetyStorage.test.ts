import { spawn } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { safetyRulesSuite } from "@ordo/consensus/testing";
import { afterEach } from "mocha";
import { encodeSafetyData, type SafetyData } from "@ordo/consensus";
import {
  FileSafetyStorage,
  LEGACY_SAFETY_RECORD,
  legacyChecksum,
  legacySafetyRecord,
  StorageError,
} from "../../src/index.js";
import { tempStores } from "./tempStores.js";

describe("FileSafetyStorage", () => {
  const stores = tempStores();
  let opened: FileSafetyStorage[] = [];
  const open = (path: string, legacy?: Parameters<typeof FileSafetyStorage.open>[1]) => {
    const s = FileSafetyStorage.open(path, legacy);
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of opened) await s.close();
    opened = [];
  });
  /** Resolves once `data` is durable in `s`. */
  const stored = (s: FileSafetyStorage, data: SafetyData) =>
    new Promise<void>((resolve, reject) => s.store(data, (err) => (err ? reject(err) : resolve())));
  const fileIn = () => join(stores.dir(), "safety.bin");

  safetyRulesSuite("file", () => {
    const path = fileIn();
    return { storage: open(path), reopen: () => open(path) };
  });

  it("starts from the initial data and keeps the last write across reopens, alternating slots", async () => {
    const path = fileIn();
    const first = open(path);
    expect(first.load()).to.deep.equal({ lastVotedRound: 0, highestQcRound: 0 });
    for (let r = 1; r <= 5; r++) {
      await stored(first, { lastVotedRound: r, highestQcRound: r - 1 });
      expect(open(path).load()).to.deep.equal({ lastVotedRound: r, highestQcRound: r - 1 });
    }
    expect(readFileSync(path).length).to.equal(128);
  });

  it("a torn write of the newer slot falls back to the slot written before it", async () => {
    const path = fileIn();
    const s = open(path);
    await stored(s, { lastVotedRound: 7, highestQcRound: 6 }); // slot 1
    await stored(s, { lastVotedRound: 8, highestQcRound: 7 }); // slot 0
    const bytes = readFileSync(path);
    bytes[20]! ^= 0xff; // inside slot 0's data
    writeFileSync(path, bytes);
    expect(open(path).load()).to.deep.equal({ lastVotedRound: 7, highestQcRound: 6 });
  });

  it("both slots damaged (or a cut file) is StorageError CORRUPT, never the initial data", async () => {
    for (const damage of [
      (b: Buffer) => {
        b[20]! ^= 1;
        b[64 + 20]! ^= 1;
        return b;
      },
      (b: Buffer) => b.subarray(0, 40),
      (_b: Buffer) => Buffer.alloc(0),
    ]) {
      const path = fileIn();
      const s = open(path);
      await stored(s, { lastVotedRound: 3, highestQcRound: 2 });
      writeFileSync(path, damage(readFileSync(path)));
      expect(() => FileSafetyStorage.open(path))
        .to.throw(StorageError)
        .that.satisfies((e: StorageError) => e.code === "CORRUPT" && /safety data/.test(e.message));
    }
  });

  it("a new file starts from the legacy data; an existing file ignores it", async () => {
    const path = fileIn();
    let asked = 0;
    const legacy = () => {
      asked++;
      return { lastVotedRound: 41, highestQcRound: 40 };
    };
    expect(open(path, legacy).load()).to.deep.equal({ lastVotedRound: 41, highestQcRound: 40 });
    await stored(open(path), { lastVotedRound: 42, highestQcRound: 41 });
    expect(open(path, legacy).load()).to.deep.equal({ lastVotedRound: 42, highestQcRound: 41 });
    expect(asked).to.equal(1);
  });

  it("a folder it cannot write to is a StorageError NOT_WRITABLE", () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits: check the error mapping through a path under a file instead
      const path = join(fileIn(), "sub", "safety.bin");
      expect(() => FileSafetyStorage.open(path))
        .to.throw(StorageError)
        .that.satisfies((e: StorageError) => /safety data/.test(e.message));
      return;
    }
    const dir = stores.dir();
    chmodSync(dir, 0o500);
    try {
      expect(() => FileSafetyStorage.open(join(dir, "safety.bin")))
        .to.throw(StorageError)
        .that.satisfies((e: StorageError) => e.code === "NOT_WRITABLE");
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it("takes over the safety data a store kept as a record before this file existed; damaged is CORRUPT", async () => {
    const dir = stores.dir();
    const store = stores.open(dir);
    expect(legacySafetyRecord(store)).to.equal(undefined);
    const body = encodeSafetyData({ lastVotedRound: 77, highestQcRound: 75 });
    const record = new Uint8Array([...body, ...legacyChecksum(body)]);
    await store.putRecord(LEGACY_SAFETY_RECORD, record);
    const path = join(dir, "safety.bin");
    expect(open(path, () => legacySafetyRecord(store)).load()).to.deep.equal({
      lastVotedRound: 77,
      highestQcRound: 75,
    });

    const flipped = Uint8Array.from(record);
    flipped[3]! ^= 1;
    for (const bad of [flipped, record.subarray(0, 6), body]) {
      await store.putRecord(LEGACY_SAFETY_RECORD, bad);
      expect(() => FileSafetyStorage.open(join(stores.dir(), "safety.bin"), () => legacySafetyRecord(store)))
        .to.throw(StorageError)
        .that.satisfies((e: StorageError) => e.code === "CORRUPT" && /safety data/.test(e.message));
    }
  });

  it("writes asked for together complete in order, as few writes of the latest data", async () => {
    const path = fileIn();
    const s = open(path);
    const order: number[] = [];
    const all = Array.from(
      { length: 50 },
      (_, i) =>
        new Promise<void>((resolve, reject) =>
          s.store({ lastVotedRound: i + 1, highestQcRound: i }, (err) => {
            if (err) reject(err);
            order.push(i + 1);
            resolve();
          }),
        ),
    );
    await Promise.all(all);
    expect(order).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(s.load()).to.deep.equal({ lastVotedRound: 50, highestQcRound: 49 });
    expect(open(path).load()).to.deep.equal({ lastVotedRound: 50, highestQcRound: 49 });
  });

  it("close finishes the writes asked for; a store after close fails with CLOSED", async () => {
    const path = fileIn();
    const s = FileSafetyStorage.open(path);
    let done = 0;
    s.store({ lastVotedRound: 5, highestQcRound: 4 }, () => done++);
    s.store({ lastVotedRound: 6, highestQcRound: 5 }, () => done++);
    await s.close();
    expect(done).to.equal(2);
    expect(open(path).load()).to.deep.equal({ lastVotedRound: 6, highestQcRound: 5 });
    const err = await new Promise<Error | null>((resolve) =>
      s.store({ lastVotedRound: 7, highestQcRound: 6 }, resolve),
    );
    expect(err).to.be.instanceOf(StorageError).with.property("code", "CLOSED");
  });

  it("SIGKILL in the middle of a stream of writes keeps at least every write that returned", async function () {
    this.timeout(30_000);
    const path = fileIn();
    // The child asks for round after round without waiting (as a busy validator does) and prints
    // each round once its write is reported durable; it is killed while still writing, so the
    // kill lands between or inside writes.
    const script = `
      import { FileSafetyStorage } from "@ordo/storage";
      const s = FileSafetyStorage.open(process.argv[1]);
      let r = 0;
      const next = () => {
        for (let i = 0; i < 3; i++) {
          const round = ++r;
          s.store({ lastVotedRound: round, highestQcRound: round - 1 }, (err) => {
            if (err) throw err;
            process.stdout.write(round + "\\n");
          });
        }
        setImmediate(next);
      };
      next();
    `;
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import=tsx", "--input-type=module", "-e", script, path],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let acked = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("child never reached round 300")), 25_000);
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const lines = out.split("\n");
        out = lines.pop()!;
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 300 && child.exitCode === null && !child.killed) {
          child.kill("SIGKILL");
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const loaded = open(path).load();
    expect(loaded.lastVotedRound).to.be.at.least(acked);
    expect(loaded.highestQcRound).to.equal(loaded.lastVotedRound - 1);
  });
});
