import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { open, type RootDatabase } from "lmdb";
import { SeededRandom } from "@ordo/types/testing";
import { heightKey } from "../../src/keys.js";
import { TxIdTable, type TxLocation } from "../../src/txIdTable.js";
import { TxIndex, type TxIndexOptions } from "../../src/txIndex.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Ids sharing their first `shared` bytes, the rest random. */
function idsSharing(rng: SeededRandom, count: number, shared: number): Uint8Array[] {
  const head = rng.bytes(shared);
  return Array.from({ length: count }, () => {
    const id = rng.bytes(32);
    id.set(head);
    return id;
  });
}

describe("TxIdTable", () => {
  it("sorts slots in id byte order, ids sharing 4 or 6 leading bytes included", () => {
    const rng = new SeededRandom(71);
    const ids = [
      ...idsSharing(rng, 20, 6),
      ...idsSharing(rng, 20, 4),
      ...Array.from({ length: 500 }, () => rng.bytes(32)),
    ];
    rng.shuffle(ids);
    const table = new TxIdTable();
    ids.forEach((id, i) => {
      expect(table.add(id, 7, i)).to.equal(true);
    });
    // As a sealed segment is written: grouped by first byte, then each group sorted.
    const { slots, ends } = table.slotsByFirstByte();
    for (let b = 0; b < 256; b++) table.sortRange(slots, b === 0 ? 0 : ends[b - 1]!, ends[b]!);
    const sorted = [...slots].map((s) => hex(table.idAt(s)));
    expect(sorted).to.deep.equal(ids.map(hex).sort());
    ids.forEach((id, i) => {
      expect(table.get(id)).to.deep.equal({ height: 7, index: i });
    });
  });

  it("writes each slot's segment entry as id, u64 height, u32 index, big endian (heights past 2^32 included)", () => {
    const rng = new SeededRandom(73);
    const table = new TxIdTable();
    const rows = Array.from({ length: 50 }, (_, i) => ({
      id: rng.bytes(32),
      height: rng.pick([1, 0xffffffff, 0x1_0000_0000 + i, Number.MAX_SAFE_INTEGER - i]),
      index: rng.pick([0, 1, 0xffff, 0xfffffffe]),
    }));
    for (const r of rows) table.add(r.id, r.height, r.index);
    const slots = [...table.slotsByFirstByte().slots];
    const out = Buffer.alloc(slots.length * 44 + 3);
    slots.forEach((slot, k) => {
      table.writeEntry(slot, out, 3 + k * 44);
    });
    const written = slots.map((_, k) => {
      const at = 3 + k * 44;
      return {
        id: hex(out.subarray(at, at + 32)),
        height: out.readUInt32BE(at + 32) * 0x1_0000_0000 + out.readUInt32BE(at + 36),
        index: out.readUInt32BE(at + 40),
      };
    });
    const key = (r: { id: string }) => r.id;
    const want = rows.map((r) => ({ id: hex(r.id), height: r.height, index: r.index }));
    expect([...written].sort((a, b) => key(a).localeCompare(key(b)))).to.deep.equal(
      want.sort((a, b) => key(a).localeCompare(key(b))),
    );
    expect([...out.subarray(0, 3)]).to.deep.equal([0, 0, 0]);
  });

  it("keeps an id's first location and finds nothing for an id it does not hold", () => {
    const rng = new SeededRandom(72);
    const [a, b] = idsSharing(rng, 2, 6);
    const table = new TxIdTable();
    expect(table.add(a!, 1, 0)).to.equal(true);
    expect(table.add(a!, 2, 5)).to.equal(false);
    expect(table.get(a!)).to.deep.equal({ height: 1, index: 0 });
    expect(table.get(b!)).to.equal(undefined);
    expect(table.add(b!, 3, 1)).to.equal(true);
    expect(table.get(b!)).to.deep.equal({ height: 3, index: 1 });
    expect(table.size).to.equal(2);
  });

  it("once cleared holds nothing, and is filled again as a new table would be", () => {
    const rng = new SeededRandom(73);
    const table = new TxIdTable(16);
    const before = Array.from({ length: 40 }, () => rng.bytes(32)); // grows past 16
    for (const [i, id] of before.entries()) table.add(id, 1, i);
    expect(table.clear().size).to.equal(0);
    for (const id of before) expect(table.get(id)).to.equal(undefined);
    const after = [...before.slice(0, 5), ...Array.from({ length: 10 }, () => rng.bytes(32))];
    after.forEach((id, i) => {
      expect(table.add(id, 2, i)).to.equal(true);
    });
    after.forEach((id, i) => {
      expect(table.get(id)).to.deep.equal({ height: 2, index: i });
    });
    expect(table.get(before[5]!)).to.equal(undefined);
  });
});

/** A chain of executed heights, as the store's blocks would give them back. */
class Chain {
  readonly ids = new Map<number, Uint8Array[]>();
  floor = 0;
  source = {
    resultHeightsAbove: (h: number) =>
      [...this.ids.keys()].filter((x) => x > h && x >= this.floor).sort((a, b) => a - b),
    txIdsAt: (h: number) => this.ids.get(h),
    lastResultHeight: () => Math.max(0, ...this.ids.keys()),
    lowestHeight: () => this.floor,
  };
}

describe("TxIndex (LMDB segments)", () => {
  let dir: string;
  let root: RootDatabase<Buffer, Buffer>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ordo-txindex-"));
  });
  afterEach(async () => {
    await root?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function openIndex(
    chain: Chain,
    opts: TxIndexOptions,
    enabled = true,
  ): { index: TxIndex; dbs: ReturnType<typeof dbsOf> } {
    root = openRoot(dir);
    const dbs = dbsOf(root);
    return { index: TxIndex.open(dbs, chain.source, enabled, opts), dbs };
  }

  async function execute(index: TxIndex, chain: Chain, height: number, ids: Uint8Array[]): Promise<void> {
    chain.ids.set(height, ids);
    index.record(height, ids);
    let done: TxIdTable | undefined;
    await root.transaction(() => {
      done = index.writeSome(2 * ids.length);
    });
    if (done) index.release(done);
  }

  it("matches a model over heights with replays, reopens (some mid-segment) and pruning", async function () {
    this.timeout(60_000);
    for (let seed = 7301; seed < 7311; seed++) {
      const rng = new SeededRandom(seed);
      const chain = new Chain();
      const first = new Map<string, TxLocation>();
      const seen: Uint8Array[] = [];
      const opts = { segmentEntries: rng.int(5, 60), minChunk: rng.int(1, 9) };
      let { index } = openIndex(chain, opts);
      const check = (id: Uint8Array) => {
        const want = first.get(hex(id));
        const got = index.locate(id);
        if (want === undefined) expect(got, `seed ${seed}`).to.equal(undefined);
        else if (want.height >= chain.floor) expect(got, `seed ${seed}`).to.deep.equal(want);
        // Its first height pruned: nothing, or a replay at a height still held.
        else if (got !== undefined) expect(got.height, `seed ${seed}`).to.be.at.least(chain.floor);
      };
      for (let height = 1; height <= 120; height++) {
        const ids = Array.from({ length: rng.int(0, 12) }, () =>
          seen.length > 0 && rng.bool(0.1) ? rng.pick(seen) : crowdedId(rng),
        );
        ids.forEach((id, i) => {
          if (!first.has(hex(id))) first.set(hex(id), { height, index: i });
          seen.push(id);
        });
        await execute(index, chain, height, ids);
        if (rng.bool(0.06)) {
          // A restart: whatever was held in memory or half written is rebuilt from the blocks.
          await root.close();
          ({ index } = openIndex(chain, opts));
        }
        if (rng.bool(0.04)) {
          const retain = rng.int(chain.floor, height);
          for (const h of [...chain.ids.keys()]) if (h < retain) chain.ids.delete(h);
          chain.floor = Math.max(chain.floor, retain);
          await index.pruneBelow(retain, (fn) => root.transaction(fn));
        }
        if (height % 10 === 0) for (const id of seen) check(id);
      }
      for (const id of seen) check(id);
      expect(index.locate(rng.bytes(32))).to.equal(undefined);
      await root.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("removes at open a segment a crash cut short, and rebuilds it from the blocks", async () => {
    const rng = new SeededRandom(7320);
    const chain = new Chain();
    const opts = { segmentEntries: 10, minChunk: 3 };
    let { index, dbs } = openIndex(chain, opts);
    const ids = Array.from({ length: 12 }, () => rng.bytes(32));
    chain.ids.set(1, ids);
    index.record(1, ids); // seals: 12 >= 10
    await root.transaction(() => {
      expect(index.writeSome(0)).to.equal(undefined); // 3 of 12 written
    });
    expect(entriesIn(dbs.segments)).to.be.within(3, 5); // whole groups, at least 3 entries
    await root.close();

    ({ index, dbs } = openIndex(chain, opts));
    // Rebuilt whole during the open (it filled a segment), the torn keys gone.
    expect(entriesIn(dbs.segments)).to.equal(12);
    ids.forEach((id, i) => {
      expect(index.locate(id)).to.deep.equal({ height: 1, index: i });
    });
    const keys = Array.from(dbs.segments.getKeys(), (k) => hex(k));
    expect(keys).to.deep.equal([...keys].sort());
    expect(keys.every((k) => k.startsWith(heightKey(1).toString("hex")))).to.equal(true);
  });

  it("drops a segment once every height it covers is pruned, not before", async () => {
    const rng = new SeededRandom(7321);
    const chain = new Chain();
    const { index, dbs } = openIndex(chain, { segmentEntries: 8, minChunk: 100 });
    for (let h = 1; h <= 6; h++) await execute(index, chain, h, [rng.bytes(32), rng.bytes(32)]);
    // Heights 1-4 sealed at 8 entries and written whole; 5-6 in memory.
    expect(entriesIn(dbs.segments)).to.equal(8);
    await index.pruneBelow(4, (fn) => root.transaction(fn));
    expect(entriesIn(dbs.segments)).to.equal(8);
    expect(index.locate(chain.ids.get(3)![0]!)).to.equal(undefined);
    expect(index.locate(chain.ids.get(4)![1]!)).to.deep.equal({ height: 4, index: 1 });
    await index.pruneBelow(5, (fn) => root.transaction(fn));
    expect(dbs.segments.getKeysCount()).to.equal(0);
    expect(index.locate(chain.ids.get(5)![0]!)).to.deep.equal({ height: 5, index: 0 });
  });

  it("reads and prunes the index of an older store, and writes nothing there", async () => {
    const rng = new SeededRandom(7322);
    root = openRoot(dir);
    const old = Array.from({ length: 3 }, () => Buffer.from(rng.bytes(32)));
    const legacy = dbsOf(root).legacy;
    old.forEach((id, i) => {
      legacy.putSync(id, Buffer.concat([heightKey(2), Buffer.from([0, 0, 0, i])]));
    });
    await root.close();

    const chain = new Chain();
    chain.ids.set(2, old); // executed before the upgrade: not read back into the new index
    const { index, dbs } = openIndex(chain, { segmentEntries: 4 });
    expect(index.hasLegacy).to.equal(true);
    expect(index.locate(old[1]!)).to.deep.equal({ height: 2, index: 1 });
    const fresh = rng.bytes(32);
    await execute(index, chain, 3, [fresh, old[0]!]);
    expect(index.locate(old[0]!)).to.deep.equal({ height: 2, index: 0 });
    expect(dbs.legacy.getKeysCount()).to.equal(3);
    await index.pruneBelow(3, (fn) => root.transaction(fn), [{ heightKey: heightKey(2), ids: old }]);
    expect(dbs.legacy.getKeysCount()).to.equal(0);
    expect(index.hasLegacy).to.equal(false);
    expect(index.locate(fresh)).to.deep.equal({ height: 3, index: 0 });
  });

  it("seals before a height that would overflow the table, so a segment ends on whole heights", async () => {
    const rng = new SeededRandom(7326);
    const chain = new Chain();
    const { index, dbs } = openIndex(chain, { segmentEntries: 8, minChunk: 100 });
    for (let h = 1; h <= 2; h++) await execute(index, chain, h, [rng.bytes(32), rng.bytes(32), rng.bytes(32)]);
    expect(entriesIn(dbs.segments)).to.equal(0); // 6 of 8
    await execute(index, chain, 3, [rng.bytes(32), rng.bytes(32), rng.bytes(32)]); // 9 > 8: heights 1-2 sealed first
    expect(entriesIn(dbs.segments)).to.equal(6);
    for (let h = 1; h <= 3; h++) {
      chain.ids.get(h)!.forEach((id, i) => {
        expect(index.locate(id)).to.deep.equal({ height: h, index: i });
      });
    }
    await index.pruneBelow(3, (fn) => root.transaction(fn));
    expect(entriesIn(dbs.segments)).to.equal(0); // the segment covered heights 1-2 only
    expect(index.locate(chain.ids.get(3)![2]!)).to.deep.equal({ height: 3, index: 2 });
  });

  it("reads and prunes segments written one key per id, next to segments written as groups", async () => {
    const rng = new SeededRandom(7325);
    root = openRoot(dir);
    const { segments, records } = dbsOf(root);
    const old = Array.from({ length: 3 }, () => Buffer.from(rng.bytes(32))).sort(Buffer.compare);
    await root.transaction(() => {
      // As segments were first written: heightKey(first height) ++ id -> heightKey(height) ++ u32be(index).
      old.forEach((id, i) => {
        segments.putSync(
          Buffer.concat([heightKey(1), id]),
          Buffer.concat([heightKey(1 + i), Buffer.from([0, 0, 0, 0])]),
        );
      });
      records.putSync(Buffer.from("record/txIndex/flushedThrough"), heightKey(3));
    });
    await root.close();

    const chain = new Chain();
    for (const [i, id] of old.entries()) chain.ids.set(1 + i, [id]);
    const { index, dbs } = openIndex(chain, { segmentEntries: 4 });
    old.forEach((id, i) => {
      expect(index.locate(id)).to.deep.equal({ height: 1 + i, index: 0 });
    });
    const fresh = Array.from({ length: 4 }, () => rng.bytes(32));
    await execute(index, chain, 4, [...fresh, old[0]!]); // seals at 5 entries: a grouped segment
    expect(entriesIn(dbs.segments)).to.equal(3 + 5);
    fresh.forEach((id, i) => {
      expect(index.locate(id)).to.deep.equal({ height: 4, index: i });
    });
    expect(index.locate(old[0]!)).to.deep.equal({ height: 1, index: 0 });
    expect(index.locate(rng.bytes(32))).to.equal(undefined);

    await index.pruneBelow(4, (fn) => root.transaction(fn));
    expect(entriesIn(dbs.segments)).to.equal(5);
    expect(index.locate(old[1]!)).to.equal(undefined);
    expect(index.locate(old[0]!)).to.deep.equal({ height: 4, index: 4 }); // its replay, the original pruned
    expect(index.locate(fresh[3]!)).to.deep.equal({ height: 4, index: 3 });
  });

  it("switched off indexes nothing, and once on again starts from its own first height", async () => {
    const rng = new SeededRandom(7323);
    const chain = new Chain();
    let { index } = openIndex(chain, { segmentEntries: 4 });
    const early = rng.bytes(32);
    await execute(index, chain, 1, [early, rng.bytes(32), rng.bytes(32), rng.bytes(32)]);
    await root.close();

    ({ index } = openIndex(chain, { segmentEntries: 4 }, false));
    const offId = rng.bytes(32);
    await execute(index, chain, 2, [offId]);
    expect(index.locate(offId)).to.equal(undefined);
    expect(index.locate(early)).to.deep.equal({ height: 1, index: 0 });
    await root.close();

    ({ index } = openIndex(chain, { segmentEntries: 4 }));
    expect(index.locate(offId)).to.equal(undefined); // height 2 ran with the index off: not read back
    const onId = rng.bytes(32);
    await execute(index, chain, 3, [onId]);
    expect(index.locate(onId)).to.deep.equal({ height: 3, index: 0 });
    expect(index.locate(early)).to.deep.equal({ height: 1, index: 0 });
  });

  it("started with it off twice, still prunes a segment once every height it covers is gone", async () => {
    const rng = new SeededRandom(7324);
    const chain = new Chain();
    let { index } = openIndex(chain, { segmentEntries: 4 });
    await execute(index, chain, 1, [rng.bytes(32), rng.bytes(32), rng.bytes(32), rng.bytes(32)]);
    await execute(index, chain, 2, [rng.bytes(32)]);
    await root.close();
    ({ index } = openIndex(chain, { segmentEntries: 4 }, false));
    await root.close();
    const reopened = openIndex(chain, { segmentEntries: 4 }, false);
    expect(entriesIn(reopened.dbs.segments)).to.equal(4);
    await reopened.index.pruneBelow(2, (fn) => root.transaction(fn));
    expect(reopened.dbs.segments.getKeysCount()).to.equal(0);
  });
});

/** A random id, half of them with a first byte in 0-3: groups of many entries, to search within. */
function crowdedId(rng: SeededRandom): Uint8Array {
  const id = rng.bytes(32);
  if (rng.bool(0.5)) id[0] = rng.int(0, 3);
  return id;
}

/** Index entries stored: one per key in segments written one key per id, one per 44 bytes of a group. */
function entriesIn(segments: ReturnType<typeof dbsOf>["segments"]): number {
  let n = 0;
  for (const { key, value } of segments.getRange()) n += key.length === 9 ? value.length / 44 : 1;
  return n;
}

function openRoot(path: string): RootDatabase<Buffer, Buffer> {
  return open<Buffer, Buffer>({ path, encoding: "binary", keyEncoding: "binary", compression: false, maxDbs: 8 });
}

function dbsOf(root: RootDatabase<Buffer, Buffer>) {
  const sub = (name: string) =>
    root.openDB<Buffer, Buffer>({ name, encoding: "binary", keyEncoding: "binary", compression: false });
  return { segments: sub("txSegments"), legacy: sub("txs"), records: sub("records") };
}
