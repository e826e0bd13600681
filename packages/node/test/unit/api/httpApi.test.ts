import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { KeyPair, signTransaction, verifyTransaction } from "@ordo/crypto";
import {
  decodeResultsList,
  encodeTransaction,
  toBase64,
  toHex,
  transactionId,
  type Transaction,
  validateLimits,
  Writer,
} from "@ordo/types";
import { sseCommitEvents } from "@ordo/sdk";
import { buildHttpApi, INLINE_RESULTS_MAX_TXS } from "../../../src/api/httpApi.js";
import type { CommitEvent, NodeService, SubmitOutcome } from "../../../src/api/nodeService.js";

/** A node service over an in-memory list: enough to exercise the HTTP layer's validation and shapes. */
class ListService implements NodeService {
  pending: Transaction[] = [];
  listeners = new Set<(e: CommitEvent) => void>();
  async submit(txs: readonly Transaction[]): Promise<SubmitOutcome[]> {
    return txs.map((tx) => {
      if (!verifyTransaction(tx))
        return { accepted: false as const, code: "BAD_SIGNATURE", message: "signature does not verify" };
      this.pending.push(tx);
      return { accepted: true as const, id: transactionId(tx) };
    });
  }
  txStatus(id: Uint8Array) {
    if (this.pending.some((t) => toHex(transactionId(t)) === toHex(id))) return { status: "pending" as const };
    // Ids starting with "cd" stand for a validator without the tx index.
    return id[0] === 0xcd
      ? { status: "unknown" as const, searched: "recent" as const }
      : { status: "unknown" as const };
  }
  committedBlock() {
    return undefined;
  }
  blockResults(height: number) {
    if (height !== 7) return undefined;
    const receipt = {
      height: 7,
      blockId: new Uint8Array(32).fill(1),
      resultsRoot: new Uint8Array(32).fill(2),
      appHash: new Uint8Array(32).fill(3),
      validator: 0,
      signature: new Uint8Array(64).fill(4),
    };
    return {
      receipt,
      txIds: [new Uint8Array(32).fill(9)],
      results: [{ code: 5, data: new Uint8Array([1]), log: "x" }],
    };
  }
  async query(path: string, data: Uint8Array) {
    return { code: 0, value: new TextEncoder().encode(`${path}:${data.length}`), log: "", height: 0 };
  }
  status() {
    return {
      chainId: "c",
      moniker: "m",
      validatorIndex: 0,
      height: 0,
      round: 1,
      leader: 1,
      appHash: new Uint8Array(32),
      peers: 3,
      catchingUp: false,
      mempoolSize: this.pending.length,
    };
  }
  validators() {
    return [];
  }
  onCommit(l: (e: CommitEvent) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

describe("HTTP API", () => {
  let app: FastifyInstance;
  let service: ListService;
  const key = KeyPair.generate();
  const tx = (nonce: bigint) =>
    signTransaction(key, { chainId: "c", sender: key.publicKey, nonce, payload: new Uint8Array([1]) });
  const b64 = (t: Transaction) => toBase64(encodeTransaction(t));

  beforeEach(async () => {
    service = new ListService();
    const registry = new Registry();
    app = buildHttpApi(service, {
      bodyLimitBytes: 4096,
      maxTxsPerRequest: 5,
      limits: validateLimits({ maxTxBytes: 1024 }),
      registry,
    });
    await app.ready();
  });
  afterEach(() => app.close());

  const post = (url: string, payload: unknown, contentType = "application/json") =>
    app.inject({
      method: "POST",
      url,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      headers: { "content-type": contentType },
    });

  it("POST /v1/tx accepts a signed transaction and answers its id; GET /v1/tx/:id sees it pending", async () => {
    const t = tx(1n);
    const res = await post("/v1/tx", { tx: b64(t) });
    expect(res.statusCode).to.equal(202);
    expect(res.json()).to.deep.equal({ accepted: true, id: toHex(transactionId(t)) });
    const status = await app.inject({ url: `/v1/tx/${toHex(transactionId(t))}` });
    expect(status.json().status).to.equal("pending");
  });

  it("GET /v1/blocks/:height/results answers the receipt and every result with its tx id", async () => {
    const res = await app.inject({ url: "/v1/blocks/7/results" });
    expect(res.statusCode).to.equal(200);
    const body = res.json();
    expect(body.height).to.equal(7);
    expect(body.receipt).to.include({ height: 7, validator: 0, resultsRoot: "02".repeat(32) });
    expect(body.txs).to.deep.equal([{ id: "09".repeat(32), result: { code: 5, data: "AQ==", log: "x" } }]);
  });

  it("GET /v1/blocks/:height/results answers the same list in the binary form when asked for it", async () => {
    const res = await app.inject({ url: "/v1/blocks/7/results", headers: { accept: "application/octet-stream" } });
    expect(res.statusCode).to.equal(200);
    expect(res.headers["content-type"]).to.equal("application/octet-stream");
    const list = decodeResultsList(res.rawPayload);
    expect(list.height).to.equal(7);
    expect(list.receipt).to.include({ height: 7, validator: 0 });
    expect(toHex(list.receipt.resultsRoot)).to.equal("02".repeat(32));
    expect(list.txIds.map(toHex)).to.deep.equal(["09".repeat(32)]);
    expect(list.results).to.have.length(1);
    expect(list.results[0]).to.include({ code: 5, log: "x" });
    expect([...list.results[0]!.data]).to.deep.equal([1]);
    // Unknown heights stay a JSON 404 whatever was asked for.
    const missing = await app.inject({ url: "/v1/blocks/8/results", headers: { accept: "application/octet-stream" } });
    expect(missing.statusCode).to.equal(404);
    expect(missing.json().error.code).to.equal("UNKNOWN_HEIGHT");
  });

  it("POST /v1/txs/binary takes canonical encodings, answers the count accepted and each refusal by index", async () => {
    const bad = { ...tx(6n), nonce: 7n };
    const good = [tx(5n), tx(8n)];
    const batch = (txs: Transaction[], count = txs.length) => {
      const w = new Writer(256).u32(count);
      for (const t of txs) w.raw(encodeTransaction(t));
      return Buffer.from(w.finish());
    };
    const send = (payload: Buffer, contentType = "application/octet-stream") =>
      app.inject({ method: "POST", url: "/v1/txs/binary", payload, headers: { "content-type": contentType } });
    const res = await send(batch([good[0]!, bad, good[1]!]));
    expect(res.statusCode).to.equal(202);
    expect(res.json()).to.deep.equal({
      accepted: 2,
      rejected: [{ index: 1, accepted: false, code: "BAD_SIGNATURE", message: "signature does not verify" }],
    });
    expect(service.pending.map((t) => t.nonce)).to.deep.equal([5n, 8n]);

    const cases: [string, Promise<{ statusCode: number; json: () => { error: { code: string } } }>, number, string][] =
      [
        ["count above the payload", send(batch([good[0]!], 2)), 400, "BAD_TRANSACTION"],
        ["trailing byte", send(Buffer.concat([batch([good[0]!]), Buffer.from([0])])), 400, "BAD_TRANSACTION"],
        ["empty batch", send(batch([])), 400, "BAD_TRANSACTION"],
        [
          "more than maxTxsPerRequest",
          send(batch(Array.from({ length: 6 }, (_, i) => tx(BigInt(20 + i))))),
          400,
          "BAD_TRANSACTION",
        ],
        ["JSON body", send(Buffer.from(JSON.stringify({ txs: [b64(good[0]!)] })), "application/json"), 415, ""],
      ];
    for (const [name, pending, status, code] of cases) {
      const r = await pending;
      expect(r.statusCode, name).to.equal(status);
      if (code) expect(r.json().error.code, name).to.equal(code);
    }
    expect(service.pending).to.have.length(2);
  });

  it("GET /v1/blocks/:height/receipt answers the signed receipt alone", async () => {
    const res = await app.inject({ url: "/v1/blocks/7/receipt" });
    expect(res.statusCode).to.equal(200);
    const body = res.json();
    expect(Object.keys(body).sort()).to.deep.equal(["height", "receipt"]);
    expect(body.receipt).to.include({ height: 7, validator: 0, resultsRoot: "02".repeat(32) });
  });

  it("POST /v1/txs submits a batch with one outcome per transaction", async () => {
    const bad = { ...tx(3n), nonce: 4n };
    const res = await post("/v1/txs", { txs: [b64(tx(2n)), b64(bad)] });
    expect(res.statusCode).to.equal(202);
    const results = res.json().results;
    expect(results[0].accepted).to.equal(true);
    expect(results[1]).to.include({ accepted: false, code: "BAD_SIGNATURE" });
  });

  it("each bad request gets a 4xx with a code and a message, and the server keeps serving", async () => {
    const cases: [
      string,
      Promise<{ statusCode: number; json: () => { error: { code: string; message: string } } }>,
      number,
      string,
    ][] = [
      ["malformed JSON", post("/v1/tx", "{ nope"), 400, ""],
      ["missing field", post("/v1/tx", { nottx: "AAAA" }), 400, "INVALID_REQUEST"],
      ["extra field", post("/v1/tx", { tx: "AAAA", more: 1 }), 400, "INVALID_REQUEST"],
      ["bad base64", post("/v1/tx", { tx: "AAB=" }), 400, "BAD_BASE64"],
      ["not a transaction", post("/v1/tx", { tx: "AAAAAAAA" }), 400, "BAD_TRANSACTION"],
      ["bad signature", post("/v1/tx", { tx: b64({ ...tx(5n), nonce: 6n }) }), 422, "BAD_SIGNATURE"],
      ["oversized body", post("/v1/tx", { tx: "A".repeat(8000) }), 413, "BODY_TOO_LARGE"],
      ["too many txs", post("/v1/txs", { txs: Array(6).fill(b64(tx(7n))) }), 400, "INVALID_REQUEST"],
      ["unknown route", app.inject({ url: "/v1/nope" }), 404, "NOT_FOUND"],
      ["bad tx id", app.inject({ url: "/v1/tx/xyz" }), 400, "INVALID_REQUEST"],
      ["unknown tx", app.inject({ url: `/v1/tx/${"ab".repeat(32)}` }), 404, "UNKNOWN_TX"],
      ["bad height", app.inject({ url: "/v1/blocks/-1" }), 400, "INVALID_REQUEST"],
      ["unknown results", app.inject({ url: "/v1/blocks/8/results" }), 404, "UNKNOWN_HEIGHT"],
      ["unknown receipt", app.inject({ url: "/v1/blocks/8/receipt" }), 404, "UNKNOWN_HEIGHT"],
      ["unknown height", app.inject({ url: "/v1/blocks/99" }), 404, "UNKNOWN_HEIGHT"],
      ["query without path", app.inject({ url: "/v1/query" }), 400, "INVALID_REQUEST"],
      ["wrong content type", post("/v1/tx", "tx=1", "text/plain"), 415, ""],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      expect(res.statusCode, name).to.equal(status);
      const body = res.json();
      expect(body.error.message, name).to.be.a("string").and.not.equal("");
      if (code) expect(body.error.code, name).to.equal(code);
    }
    expect((await app.inject({ url: "/v1/status" })).statusCode).to.equal(200);
  });

  it("an unknown tx on a validator without the tx index says only recent heights were searched", async () => {
    const res = await app.inject({ url: `/v1/tx/${"cd".repeat(32)}` });
    expect(res.statusCode).to.equal(404);
    expect(res.json().error).to.deep.include({ code: "UNKNOWN_TX" });
    expect(res.json().error.message).to.match(/recent heights \(this validator keeps no tx index\)/);
    expect((await app.inject({ url: `/v1/tx/${"ab".repeat(32)}` })).json().error.message).to.not.match(/recent/);
  });

  it("GET /v1/query passes path and data through; /v1/status and /metrics answer", async () => {
    const q = await app.inject({
      url: `/v1/query?path=balance&data=${encodeURIComponent(toBase64(new Uint8Array(5)))}`,
    });
    expect(Buffer.from(q.json().value, "base64").toString()).to.equal("balance:5");
    const s = await app.inject({ url: "/v1/status" });
    expect(s.json()).to.include({ chainId: "c", peers: 3 });
    expect(s.json().appHash).to.match(/^0{64}$/);
    const m = await app.inject({ url: "/metrics" });
    expect(m.statusCode).to.equal(200);
  });

  it("GET /v1/events: each commit event carries the signed receipt, and the results list of a small block", async () => {
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const closed = new AbortController();
    const events = sseCommitEvents(url, closed.signal)[Symbol.asyncIterator]();
    const first = events.next(); // opens the stream
    const deadline = Date.now() + 5_000;
    while (service.listeners.size === 0) {
      if (Date.now() > deadline) throw new Error("the event stream did not subscribe");
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const results = service.blockResults(7)!;
    const many = INLINE_RESULTS_MAX_TXS + 1;
    const big = {
      receipt: { ...results.receipt, height: 8 },
      txIds: Array.from({ length: many }, () => new Uint8Array(32).fill(9)),
      results: Array.from({ length: many }, () => results.results[0]!),
    };
    const event = (height: number, txCount: number, r?: typeof results): CommitEvent => ({
      height,
      blockId: new Uint8Array(32).fill(1),
      txCount,
      appHash: new Uint8Array(32).fill(3),
      ...(r ? { results: r } : {}),
    });
    for (const l of service.listeners) {
      l(event(7, 1, results));
      l(event(8, many, big));
      l(event(9, 0));
    }
    const small = (await first).value!;
    expect(small.height).to.equal(7);
    expect(small.receipt).to.deep.include({ height: 7, validator: 0, resultsRoot: "02".repeat(32) });
    expect(small.txs).to.deep.equal([{ id: "09".repeat(32), result: { code: 5, data: "AQ==", log: "x" } }]);
    const large = (await events.next()).value!;
    expect(large).to.deep.include({ height: 8, txCount: many });
    expect(large.receipt).to.deep.include({ height: 8 });
    expect(large.txs).to.equal(undefined);
    const bare = (await events.next()).value!;
    expect(bare).to.deep.equal({ height: 9, txCount: 0, blockId: "01".repeat(32), appHash: "03".repeat(32) });
    closed.abort();
    await events.return?.(undefined);
  });
});
