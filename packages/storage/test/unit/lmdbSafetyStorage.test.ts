import { expect } from "chai";
import { encodeSafetyData } from "@ordo/consensus";
import { safetyRulesSuite } from "@ordo/consensus/testing";
import { LmdbSafetyStorage, StorageError } from "../../src/index.js";
import { tempStores } from "./tempStores.js";

describe("LmdbSafetyStorage", () => {
  const stores = tempStores();

  // `reopen` opens the same folder again (lmdb-js shares one environment per path within a
  // process, so this reads what the first handle wrote); the close-and-reopen from disk is
  // tested below and in lmdbConsensusStorage.test.ts.
  safetyRulesSuite("LMDB", () => {
    const dir = stores.dir();
    return { storage: new LmdbSafetyStorage(stores.open(dir)), reopen: () => new LmdbSafetyStorage(stores.open(dir)) };
  });

  it("starts from the initial data and keeps what it stored across a close and reopen", async () => {
    const dir = stores.dir();
    const first = stores.open(dir);
    expect(new LmdbSafetyStorage(first).load()).to.deep.equal({ lastVotedRound: 0, highestQcRound: 0 });
    new LmdbSafetyStorage(first).store({ lastVotedRound: 9, highestQcRound: 7 });
    await first.close();
    expect(new LmdbSafetyStorage(stores.open(dir)).load()).to.deep.equal({ lastVotedRound: 9, highestQcRound: 7 });
  });

  it("refuses damaged bytes with StorageError CORRUPT, never the initial data", () => {
    const store = stores.open();
    const storage = new LmdbSafetyStorage(store);
    storage.store({ lastVotedRound: 5, highestQcRound: 4 });
    const good = store.getRecord("safety")!;
    const flipped = Uint8Array.from(good);
    flipped[7]! ^= 1;
    for (const bad of [flipped, good.subarray(0, 10), encodeSafetyData({ lastVotedRound: 5, highestQcRound: 4 })]) {
      store.putRecordDurable("safety", bad);
      expect(() => storage.load())
        .to.throw(StorageError)
        .that.satisfies((e: StorageError) => e.code === "CORRUPT" && /safety data/.test(e.message));
    }
  });

  it("keeps separate records apart", () => {
    const store = stores.open();
    new LmdbSafetyStorage(store, { record: "a" }).store({ lastVotedRound: 3, highestQcRound: 1 });
    expect(new LmdbSafetyStorage(store, { record: "b" }).load()).to.deep.equal({
      lastVotedRound: 0,
      highestQcRound: 0,
    });
    expect(new LmdbSafetyStorage(store, { record: "a" }).load()).to.deep.equal({
      lastVotedRound: 3,
      highestQcRound: 1,
    });
  });
});
