import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { KeyPair } from "@ordo/crypto";
import { signTransaction } from "@ordo/crypto";
import { encodeResultsList, fromBase64, fromHex, toBase64, toHex, type Transaction, transactionId } from "@ordo/types";
import {
  ClientOptionsError,
  CommitWatcher,
  type CommitWatcherInit,
  type ConfirmedBlock,
  NoQuorumError,
} from "../../../src/index.js";
import { FakeCluster, type FakeValidator } from "./fakeValidators.js";

/**
 * The block feed of a FakeCluster's validators, on node:http servers of its own (the fake
 * validators serve the per-transaction API; this serves GET /v1/events and
 * GET /v1/blocks/:height/results from the same signed receipts and results). Behaviours come from
 * the fake validator ("pending" serves nothing, "copyNext" serves the next one's answers,
 * "forgedSignature" and "differentResult" sign as they do there), plus `tamper`: serve a results
 * list that does not hash to the receipt's results root.
 */
class BlockFeed {
  readonly servers: Server[] = [];
  readonly urls: string[] = [];
  readonly streams: Set<ServerResponse>[] = [];
  /** Per validator: height -> GET /v1/blocks/:height/results, and -> GET /v1/blocks/:height/receipt. */
  readonly fetches: Map<number, number>[] = [];
  readonly receiptFetches: Map<number, number>[] = [];
  #onFetch: (() => void)[] = [];
  readonly tamper = new Set<number>();
  /** Serve results lists in JSON even when the binary form is asked for (a validator that only speaks JSON). */
  jsonOnly = false;
  /** Results lists served in the binary form. */
  binaryServed = 0;
  #connected: (() => void)[] = [];

  constructor(readonly cluster: FakeCluster) {}

  static async start(cluster: FakeCluster): Promise<BlockFeed> {
    const feed = new BlockFeed(cluster);
    for (const v of cluster.validators) {
      const i = v.index;
      feed.streams.push(new Set());
      feed.fetches.push(new Map());
      feed.receiptFetches.push(new Map());
      const server = createServer((req, res) => feed.#handle(v, req.url ?? "/", req.headers.accept ?? "", res));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      feed.servers.push(server);
      feed.urls[i] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    return feed;
  }

  /** Resolves once every validator has `count` open event streams (the watcher connected). */
  async connected(count = 1, timeoutMs = 5_000): Promise<void> {
    const ok = () => this.streams.every((s) => s.size >= count);
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`event streams not connected within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.#connected.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Commits `txs` as the next block at every fake validator and announces it on the event streams. */
  commit(
    txs: Transaction[],
    announceTo: readonly number[] = this.cluster.validators.map((v) => v.index),
    inline?: Inline,
  ): number {
    const height = this.cluster.commit(txs);
    for (const i of announceTo) this.announce(i, height, txs.length, inline);
    return height;
  }

  /** A commit event; `inline` puts validator i's answer in it (its receipt, or its receipt and list), as a validator does. */
  announce(i: number, height: number, txCount: number, inline?: Inline): void {
    const answer = inline ? this.#answer(this.cluster.validators[i]!, height) : undefined;
    const carried = answer ? (inline === "list" ? answer : { receipt: answer.receipt }) : {};
    const data = JSON.stringify({ height, blockId: "00", txCount, appHash: "00", ...carried });
    for (const res of this.streams[i]!) res.write(`event: commit\ndata: ${data}\n\n`);
  }

  /** Ends every open event stream (the watcher must reconnect). */
  dropStreams(): void {
    for (const set of this.streams) {
      for (const res of set) res.destroy();
      set.clear();
    }
  }

  fetchCount(i: number, height: number): number {
    return this.fetches[i]!.get(height) ?? 0;
  }

  receiptFetchCount(i: number, height: number): number {
    return this.receiptFetches[i]!.get(height) ?? 0;
  }

  /** Resolves once validator i was asked for its results list of `height` (a fetch, not its answer). */
  async listFetched(i: number, height: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.fetchCount(i, height) === 0) {
      if (Date.now() > deadline) throw new Error(`validator ${i} was not asked for height ${height}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.#onFetch.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.dropStreams();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }

  #handle(v: FakeValidator, url: string, accept: string, res: ServerResponse): void {
    const i = v.index;
    if (url === "/v1/events") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": fake commit stream\n\n");
      this.streams[i]!.add(res);
      res.on("close", () => this.streams[i]!.delete(res));
      const waiting = this.#connected;
      this.#connected = [];
      for (const w of waiting) w();
      return;
    }
    const m = /^\/v1\/blocks\/(\d+)\/(results|receipt)$/.exec(url);
    if (!m) return void res.writeHead(404).end("{}");
    const height = Number(m[1]);
    const counts = m[2] === "results" ? this.fetches[i]! : this.receiptFetches[i]!;
    counts.set(height, (counts.get(height) ?? 0) + 1);
    for (const f of this.#onFetch.splice(0)) f();
    const answer = this.#answer(v, height);
    if (!answer)
      return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"UNKNOWN_HEIGHT"}}');
    if (m[2] === "results" && accept.includes("application/octet-stream") && !this.jsonOnly) {
      this.binaryServed++;
      return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(binaryAnswer(answer));
    }
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(m[2] === "results" ? answer : { height, receipt: answer.receipt }));
  }

  /** Validator v's results answer for `height` as the API serves it, or undefined (404). */
  #answer(v: FakeValidator, height: number) {
    const i = v.index;
    const source = v.behaviour === "copyNext" ? this.cluster.validators[(i + 1) % this.cluster.n]! : v;
    const entries = [...source.committed.entries()].filter(([, c]) => c.height === height);
    if (v.behaviour === "pending" || entries.length === 0) return undefined;
    entries.sort((a, b) => a[1].index - b[1].index);
    const receipt = entries[0]![1].receipt;
    const txs = entries.map(([id, c]) => ({
      id,
      result: { code: c.result.code, data: toBase64(c.result.data), log: c.result.log },
    }));
    if (this.tamper.has(i)) txs[0]!.result.code = 7;
    const receiptJson = {
      height: receipt.height,
      blockId: toHex(receipt.blockId),
      resultsRoot: toHex(receipt.resultsRoot),
      appHash: toHex(receipt.appHash),
      validator: receipt.validator,
      signature: toBase64(receipt.signature),
    };
    return { height, receipt: receiptJson, txs };
  }
}

/** The binary form of a JSON results answer (tampering included), as a validator serves it on request. */
function binaryAnswer(a: {
  height: number;
  receipt: {
    height: number;
    blockId: string;
    resultsRoot: string;
    appHash: string;
    validator: number;
    signature: string;
  };
  txs: { id: string; result: { code: number; data: string; log: string } }[];
}): Uint8Array {
  const r = a.receipt;
  const receipt = {
    height: r.height,
    blockId: fromHex(r.blockId),
    resultsRoot: fromHex(r.resultsRoot),
    appHash: fromHex(r.appHash),
    validator: r.validator,
    signature: fromBase64(r.signature),
  };
  return encodeResultsList({
    height: a.height,
    receipt,
    txIds: a.txs.map((t) => fromHex(t.id)),
    results: a.txs.map((t) => ({ code: t.result.code, data: fromBase64(t.result.data), log: t.result.log })),
  });
}

/** What a commit event carries besides the height: the validator's receipt, or its receipt and results list. */
type Inline = "receipt" | "list";

const user = KeyPair.fromSeed(new Uint8Array(32).fill(9));
let nonce = 0n;
const makeTxs = (cluster: FakeCluster, count: number): Transaction[] =>
  Array.from({ length: count }, () =>
    signTransaction(user, {
      chainId: cluster.chainId,
      sender: user.publicKey,
      nonce: nonce++,
      payload: new Uint8Array([1]),
    }),
  );

/** Resolves once `cond()` holds, checked after each turn of the event loop; rejects after `timeoutMs`. */
async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The next confirmed block, or an error after `timeoutMs`. */
function nextBlock(w: CommitWatcher, timeoutMs = 5_000): Promise<ConfirmedBlock> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no block confirmed within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = w.onBlock((b) => {
      clearTimeout(timer);
      off();
      resolve(b);
    });
  });
}

for (const form of ["binary", "json"] as const)
  describe(`CommitWatcher (results lists in ${form})`, () => {
    let cluster: FakeCluster;
    let feed: BlockFeed;
    let watcher: CommitWatcher;
    const makeWatcher = (extra: Partial<CommitWatcherInit> = {}) =>
      new CommitWatcher({
        urls: feed.urls,
        chainId: cluster.chainId,
        validators: cluster.validatorSet,
        reconnectMinMs: 5,
        reconnectMaxMs: 20,
        ...extra,
      });

    beforeEach(async () => {
      cluster = await FakeCluster.start(4);
      feed = await BlockFeed.start(cluster);
      feed.jsonOnly = form === "json";
      watcher = makeWatcher().start();
      await feed.connected();
    });
    afterEach(async () => {
      await watcher.close();
      await feed.close();
      await cluster.close();
    });

    it("refuses bad options", () => {
      const base = { chainId: "c", validators: cluster.validatorSet };
      expect(() => new CommitWatcher({ ...base, urls: [] })).to.throw(ClientOptionsError, /urls/);
      expect(() => new CommitWatcher({ ...base, urls: feed.urls, maxFetches: 0 })).to.throw(
        ClientOptionsError,
        /maxFetches/,
      );
      expect(() => new CommitWatcher({ ...base, urls: feed.urls, rememberTxs: -1 })).to.throw(
        ClientOptionsError,
        /rememberTxs/,
      );
    });

    it("confirms every transaction of a block once f + 1 validators' verified receipts agree, fetching each block at most once per validator", async () => {
      const txs = makeTxs(cluster, 5);
      const waits = txs.map((t) => watcher.waitFor(transactionId(t), { timeoutMs: 5_000 }));
      const confirmed = nextBlock(watcher);
      const height = feed.commit(txs);
      const block = await confirmed;
      expect(block.height).to.equal(height);
      expect(block.confirmedBy).to.have.length(2);
      expect(new Set(block.receipts.map((r) => r.validator)).size).to.equal(2);
      expect(block.txs.map((t) => t.idHex)).to.deep.equal(txs.map((t) => toHex(transactionId(t))));
      const each = await Promise.all(waits);
      expect(each.map((e) => e.index)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(each.every((e) => e.result.code === 0 && e.block.height === height)).to.equal(true);
      // f + 1 answers were enough: one whole results list, and the other validator's receipt alone.
      const lists = feed.fetches.map((_, i) => feed.fetchCount(i, height));
      const receipts = feed.fetches.map((_, i) => feed.receiptFetchCount(i, height));
      expect(lists.reduce((a, b) => a + b, 0)).to.equal(1);
      expect(feed.binaryServed).to.equal(form === "binary" ? 1 : 0);
      expect(receipts.reduce((a, b) => a + b, 0)).to.equal(1);
      expect(lists.findIndex((n) => n > 0)).to.not.equal(receipts.findIndex((n) => n > 0));
      expect(watcher.stats.receiptFetches).to.equal(1);
      expect(watcher.stats.blocksConfirmed).to.equal(1);
      expect(watcher.stats.txsConfirmed).to.equal(5);
      // A transaction confirmed before anyone waited for it is remembered.
      expect((await watcher.waitFor(transactionId(txs[2]!))).index).to.equal(2);
    });

    it("does not count a forged receipt, a results list that does not hash to the root, or one signer twice", async () => {
      cluster.validators[0]!.behaviour = "forgedSignature";
      feed.tamper.add(1);
      cluster.validators[2]!.behaviour = "copyNext"; // serves validator 3's receipt: one signer, two URLs
      const txs = makeTxs(cluster, 3);
      const wait = watcher.waitFor(transactionId(txs[0]!), { timeoutMs: 400 });
      // Validator 1 first, so its (tampered) list is the one fetched whole; its receipt alone would count.
      const height = feed.commit(txs, [1]);
      await feed.listFetched(1, height);
      for (const i of [0, 2, 3]) feed.announce(i, height, txs.length);
      const err = await wait.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).to.be.instanceOf(NoQuorumError);
      expect(watcher.stats.blocksConfirmed).to.equal(0);
      expect(watcher.stats.rejected.BAD_SIGNATURE).to.equal(1);
      expect(watcher.stats.rejected.BAD_RESULTS_ROOT).to.equal(1);
    });

    it("with one Byzantine validator signing other results, confirms the honest ones (asking a deferred validator when an answer does not count)", async () => {
      cluster.validators[1]!.behaviour = "differentResult";
      cluster.validators[0]!.behaviour = "pending"; // answers 404: the watcher must ask the others
      const txs = makeTxs(cluster, 4);
      const confirmed = nextBlock(watcher);
      feed.commit(txs);
      const block = await confirmed;
      expect(block.confirmedBy).to.deep.equal([2, 3]);
      expect(block.txs.every((t) => t.result.code === 0)).to.equal(true);
    });

    it("a receipt signing another results root than the verified list makes it fetch that validator's list, and the honest pair confirms", async () => {
      // Validator 0 is announced first, so its (Byzantine) list is the one fetched whole; the
      // honest receipts then disagree with it and their own list must be fetched and verified.
      cluster.validators[0]!.behaviour = "differentResult";
      const txs = makeTxs(cluster, 3);
      const confirmed = nextBlock(watcher);
      const height = feed.commit(txs, [0]);
      await feed.listFetched(0, height);
      for (const i of [1, 2, 3]) feed.announce(i, height, txs.length);
      const block = await confirmed;
      expect(block.confirmedBy).to.not.include(0);
      expect(block.confirmedBy).to.have.length(2);
      expect(block.txs.every((t) => t.result.code === 0)).to.equal(true);
      expect(watcher.stats.conflicts).to.equal(1);
      expect(feed.fetchCount(0, height)).to.equal(1);
      const honestLists = [1, 2, 3].reduce((n, i) => n + feed.fetchCount(i, height), 0);
      expect(honestLists).to.equal(1);
    });

    it("confirms a small block from f + 1 events that carry receipt and results list, with no request", async () => {
      const txs = makeTxs(cluster, 4);
      const wait = watcher.waitFor(transactionId(txs[3]!), { timeoutMs: 5_000 });
      const height = feed.commit(txs, undefined, "list");
      const got = await wait;
      expect(got.block.height).to.equal(height);
      expect(got.index).to.equal(3);
      expect(got.block.confirmedBy).to.have.length(2);
      expect(got.block.txs.map((t) => t.idHex)).to.deep.equal(txs.map((t) => toHex(transactionId(t))));
      expect(watcher.stats.fetches + watcher.stats.receiptFetches).to.equal(0);
      expect(watcher.stats.eventAnswers).to.be.greaterThanOrEqual(2);
    });

    it("events that carry only receipts (a large block): one list is fetched, the other receipts count from their events", async () => {
      const txs = makeTxs(cluster, 3);
      const confirmed = nextBlock(watcher);
      const height = feed.commit(txs, undefined, "receipt");
      const block = await confirmed;
      expect(block.height).to.equal(height);
      expect(block.confirmedBy).to.have.length(2);
      const lists = feed.fetches.reduce((n, _, i) => n + feed.fetchCount(i, height), 0);
      expect(lists).to.equal(1);
      expect(watcher.stats.receiptFetches).to.equal(0);
    });

    it("does not count a forged or tampered answer carried by an event, and asks validators whose events carried none", async () => {
      cluster.validators[0]!.behaviour = "forgedSignature";
      feed.tamper.add(1);
      const txs = makeTxs(cluster, 2);
      const confirmed = nextBlock(watcher);
      const height = feed.commit(txs, [0, 1], "list");
      // Both carried answers are judged before the others are announced (the streams are separate).
      await until(() => watcher.stats.eventAnswers === 2);
      for (const i of [2, 3]) feed.announce(i, height, txs.length);
      const block = await confirmed;
      expect(block.confirmedBy).to.deep.equal([2, 3]);
      expect(watcher.stats.rejected.BAD_SIGNATURE).to.equal(1);
      expect(watcher.stats.rejected.BAD_RESULTS_ROOT).to.equal(1);
      expect(feed.fetchCount(0, height) + feed.fetchCount(1, height)).to.equal(0);
    });

    it("after its event stream drops, reconnects and fetches the heights it missed", async () => {
      const first = makeTxs(cluster, 1);
      let confirmed = nextBlock(watcher);
      feed.commit(first);
      await confirmed;
      const connects = watcher.stats.connects;
      feed.dropStreams();
      // Height 2 is committed while nobody listens: no event for it ever arrives.
      const missed = makeTxs(cluster, 2);
      const waitMissed = watcher.waitFor(transactionId(missed[1]!), { timeoutMs: 5_000 });
      cluster.commit(missed);
      await feed.connected();
      expect(watcher.stats.connects).to.be.greaterThan(connects);
      confirmed = nextBlock(watcher);
      feed.commit(makeTxs(cluster, 1));
      const got = await waitMissed;
      expect(got.block.height).to.equal(2);
      expect((await confirmed).height).to.be.oneOf([2, 3]);
    });

    it("close() rejects pending waits", async () => {
      const wait = watcher.waitFor(transactionId(makeTxs(cluster, 1)[0]!), { timeoutMs: 5_000 });
      await watcher.close();
      const err = await wait.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/closed/);
    });
  });
