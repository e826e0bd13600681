import { expect } from "chai";
import { forEachSeed, SeededRandom } from "@ordo/types/testing";
import { MemoryBackend, StateError, StateStore } from "../../../src/index.js";

const b = (s: string) => new TextEncoder().encode(s);
const s = (x: Uint8Array | undefined) => (x ? new TextDecoder().decode(x) : undefined);

describe("StateStore", () => {
  it("reads its own pending writes, and reverts one transaction's writes to a checkpoint", () => {
    const st = new StateStore(new MemoryBackend());
    st.set(b("a"), b("1"));
    const cp = st.checkpoint();
    st.set(b("a"), b("2"));
    st.set(b("b"), b("x"));
    st.delete(b("a"));
    expect(s(st.get(b("a")))).to.equal(undefined);
    st.revert(cp);
    expect(s(st.get(b("a")))).to.equal("1");
    expect(st.get(b("b"))).to.equal(undefined);
  });

  it("scans committed and pending entries together, in key order, honouring pending deletes", async () => {
    const st = new StateStore(new MemoryBackend());
    st.set(b("p/2"), b("two"));
    st.set(b("p/1"), b("one"));
    st.set(b("q/1"), b("other"));
    st.finalize(1);
    await st.commit();
    st.delete(b("p/2"));
    st.set(b("p/0"), b("zero"));
    expect(st.scan(b("p/")).map(([k, v]) => `${s(k)}=${s(v)}`)).to.deep.equal(["p/0=zero", "p/1=one"]);
    expect(st.scan(b("p/"), 1)).to.have.length(1);
  });

  it("the app hash depends only on the sequence of committed writes", async () => {
    const run = async (order: string[], extra?: string) => {
      const st = new StateStore(new MemoryBackend());
      for (const k of order) st.set(b(k), b(`v${k}`));
      if (extra) st.set(b(extra), b("!"));
      st.finalize(1);
      await st.commit();
      st.set(b("z"), b("z"));
      st.finalize(2);
      await st.commit();
      return Buffer.from(st.appHash).toString("hex");
    };
    expect(await run(["a", "b", "c"])).to.equal(await run(["c", "a", "b"]));
    expect(await run(["a", "b", "c"])).to.not.equal(await run(["a", "b", "c"], "d"));
    expect(await run(["a", "b"])).to.not.equal(await run(["a", "b", "c"]));
  });

  it("commit persists height, hash and writes to the backend; rollback drops the pending block", async () => {
    const backend = new MemoryBackend();
    const st = new StateStore(backend);
    st.set(b("k"), b("v"));
    const hash = st.finalize(1);
    await st.commit();
    st.set(b("k"), b("changed"));
    st.rollback();
    const reopened = new StateStore(backend);
    expect(reopened.height).to.equal(1);
    expect(reopened.appHash).to.deep.equal(hash);
    expect(s(reopened.get(b("k")))).to.equal("v");
    expect(s(st.get(b("k")))).to.equal("v");
  });

  it("refuses reserved and oversized keys, and commit before finalize", async () => {
    const st = new StateStore(new MemoryBackend());
    expect(() => st.set(new Uint8Array([0, 1]), b("x"))).to.throw(StateError);
    expect(() => st.set(new Uint8Array(2000), b("x"))).to.throw(StateError);
    try {
      await st.commit();
      expect.fail("commit without finalize");
    } catch (err) {
      expect(err).to.be.instanceOf(StateError);
    }
  });

  it("readCommitted sees only committed state and refuses writes", async () => {
    const st = new StateStore(new MemoryBackend());
    st.set(b("a/1"), b("old"));
    st.finalize(1);
    await st.commit();
    st.set(b("a/1"), b("new"));
    st.set(b("a/2"), b("pending"));
    st.readCommitted(() => {
      expect(s(st.get(b("a/1")))).to.equal("old");
      expect(st.scan(b("a/")).map(([k]) => s(k))).to.deep.equal(["a/1"]);
      expect(() => st.set(b("x"), b("y"))).to.throw(StateError, /must not write/);
      expect(() => st.delete(b("a/1"))).to.throw(StateError);
    });
    expect(s(st.get(b("a/1"))), "the pending view is back after").to.equal("new");
    expect(st.scan(b("a/"))).to.have.length(2);
  });

  it("an initialized flag tells a fresh store from one whose genesis (height 0) is committed", async () => {
    const backend = new MemoryBackend();
    const st = new StateStore(backend);
    expect(st.initialized).to.equal(false);
    st.finalize(0);
    await st.commit();
    expect(st.initialized).to.equal(true);
    expect(new StateStore(backend).initialized).to.equal(true);
    expect(new StateStore(backend).height).to.equal(0);
  });

  it("a limited scan (and a page after a key) reads few backend entries yet honours pending deletes and inserts (model check)", async () => {
    let reads = 0;
    class Counting extends MemoryBackend {
      override *scan(prefix: Uint8Array, limit?: number): Generator<[Uint8Array, Uint8Array]> {
        for (const e of super.scan(prefix, limit)) {
          reads++;
          yield e;
        }
      }
    }
    forEachSeed(200, (rng) => {
      const backend = new Counting();
      const model = new Map<string, string>();
      const key = () => `k/${String(rng.int(0, 60)).padStart(2, "0")}`;
      const committed = Array.from({ length: rng.int(0, 40) }, key);
      void backend.write(committed.map((k) => ({ key: b(k), value: b(`c${k}`) })));
      for (const k of committed) model.set(k, `c${k}`);
      const st = new StateStore(backend);
      for (let i = rng.int(0, 10); i > 0; i--) {
        const k = key();
        if (rng.bool()) {
          st.delete(b(k));
          model.delete(k);
        } else {
          st.set(b(k), b(`p${k}`));
          model.set(k, `p${k}`);
        }
      }
      const limit = rng.int(1, 8);
      reads = 0;
      const got = st.scan(b("k/"), limit).map(([k, v]) => `${s(k)}=${s(v)}`);
      const sorted = [...model.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      const want = sorted.slice(0, limit).map(([k, v]) => `${k}=${v}`);
      expect(got).to.deep.equal(want);
      expect(reads).to.be.at.most(limit + 10 + 1);
      // Paging: the keys after a random key, the same as the model's.
      const after = key();
      const page = st.scan(b("k/"), limit, b(after)).map(([k, v]) => `${s(k)}=${s(v)}`);
      const wantPage = sorted
        .filter(([k]) => k > after)
        .slice(0, limit)
        .map(([k, v]) => `${k}=${v}`);
      expect(page, `after ${after}`).to.deep.equal(wantPage);
    });
  });

  it("property: with a small read cache, every read (pending, committed, during a commit) equals an uncached store's, and a failed commit leaves it unchanged", async () => {
    class CountingBackend extends MemoryBackend {
      reads = 0;
      failNext = false;
      override get(key: Uint8Array) {
        this.reads++;
        return super.get(key);
      }
      override async write(writes: Parameters<MemoryBackend["write"]>[0]) {
        if (this.failNext) {
          this.failNext = false;
          throw new Error("disk full");
        }
        return super.write(writes);
      }
    }
    const base = Number(process.env.ORDO_SEED ?? 1);
    for (let seed = base; seed < base + 60; seed++) {
      const rng = new SeededRandom(seed);
      const cachedBackend = new CountingBackend();
      const plainBackend = new CountingBackend();
      const cached = new StateStore(cachedBackend, { cacheEntries: 3 });
      const plain = new StateStore(plainBackend, { cacheEntries: 0 });
      let height = 0;
      const key = () => b(`k${rng.int(0, 6)}`);
      const same = (k: Uint8Array, committedOnly: boolean) => {
        const read = (st: StateStore) => s(committedOnly ? st.readCommitted(() => st.get(k)) : st.get(k));
        expect(read(cached), `seed ${seed}, key ${s(k)}`).to.equal(read(plain));
      };
      for (let step = 0; step < 80; step++) {
        const op = rng.int(0, 9);
        if (op <= 2) {
          const [k, v] = [key(), b(`v${step}`)];
          for (const st of [cached, plain]) st.set(k, v);
        } else if (op === 3) {
          const k = key();
          for (const st of [cached, plain]) st.delete(k);
        } else if (op <= 6) same(key(), rng.bool());
        else if (op === 7) for (const st of [cached, plain]) st.rollback();
        else {
          height++;
          const fail = rng.int(0, 3) === 0;
          for (const st of [cached, plain]) st.finalize(height);
          cachedBackend.failNext = fail;
          plainBackend.failNext = fail;
          const k = key();
          const before = s(plain.readCommitted(() => plain.get(k)));
          const commits = [cached.commit(), plain.commit()];
          // While the write is in flight a committed read sees the state before it or after it.
          const during = s(cached.readCommitted(() => cached.get(k)));
          const outcomes = await Promise.allSettled(commits);
          expect([before, s(plain.readCommitted(() => plain.get(k)))], `seed ${seed}`).to.include(during);
          expect(outcomes.map((o) => o.status)).to.deep.equal(
            fail ? ["rejected", "rejected"] : ["fulfilled", "fulfilled"],
          );
          if (fail) {
            height--;
            for (const st of [cached, plain]) st.rollback();
          }
          for (let i = 0; i < 7; i++) same(b(`k${i}`), true);
        }
      }
      expect(cachedBackend.reads, `seed ${seed}: the cache serves reads`).to.be.below(plainBackend.reads);
    }
  });
});
