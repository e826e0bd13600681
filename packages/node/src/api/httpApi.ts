import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Registry } from "prom-client";
import {
  blockId,
  type CodecLimits,
  decodeTransaction,
  defaultLimits,
  encodeResultsList,
  fromBase64,
  fromHex,
  Reader,
  RESULTS_LIST_MEDIA_TYPE,
  readTransaction,
  TX_FIXED_BYTES,
  toBase64,
  toHex,
  type Transaction,
} from "@ordo/types";
import { blockJson, receiptJson, resultJson, resultsListJson } from "./json.js";
import type { CommitEvent, NodeService, SubmitOutcome } from "./nodeService.js";
import { heightSchema, querySchema, submitTxSchema, submitTxsSchema, txIdSchema } from "./schemas.js";

/** Largest block whose results list a commit event carries (larger ones: GET /v1/blocks/:height/results). */
export const INLINE_RESULTS_MAX_TXS = 64;

export interface HttpApiOptions {
  bodyLimitBytes: number;
  /** Most transactions in one POST /v1/txs. */
  maxTxsPerRequest: number;
  limits: CodecLimits;
  registry?: Registry;
}

export const defaultHttpApiOptions: Readonly<HttpApiOptions> = Object.freeze({
  bodyLimitBytes: 16 * 1024 * 1024,
  maxTxsPerRequest: 10_000,
  limits: defaultLimits,
});

/** An API error body: always `{ error: { code, message } }` with a 4xx/5xx status. */
class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The validator's HTTP API under /v1 (JSON, schema-validated, size-limited), plus /metrics.
 * Every bad request gets a 4xx with a code and a message; nothing a client sends can crash it.
 */
export function buildHttpApi(service: NodeService, partial: Partial<HttpApiOptions> = {}): FastifyInstance {
  const opts = { ...defaultHttpApiOptions, ...partial };
  // Ajv must reject unknown fields rather than silently strip them (Fastify's default).
  const app = Fastify({
    bodyLimit: opts.bodyLimitBytes,
    logger: false,
    return503OnClosing: true,
    // Open keep-alive and event-stream connections must not hold a shutdown.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false } },
  });

  // JSON only: anything else is 415, not a string that fails validation later.
  app.removeContentTypeParser("text/plain");
  // POST /v1/txs/binary: transactions in their canonical encoding, no JSON and base64 to parse.
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | ApiError, _req, reply) => {
    if (err instanceof ApiError)
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
    if (err.validation) {
      return reply.status(400).send({ error: { code: "INVALID_REQUEST", message: err.message } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const code = status === 413 ? "BODY_TOO_LARGE" : status === 500 ? "INTERNAL" : (err.code ?? "BAD_REQUEST");
    return reply.status(status).send({ error: { code, message: status === 500 ? "internal error" : err.message } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${req.method} ${req.url}` } }),
  );

  const decodeTx = (b64: string, index?: number): Transaction => {
    const where = index === undefined ? "tx" : `txs[${index}]`;
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(b64);
    } catch {
      throw new ApiError(400, "BAD_BASE64", `${where} is not valid base64`);
    }
    try {
      return decodeTransaction(bytes, opts.limits);
    } catch (err) {
      throw new ApiError(400, "BAD_TRANSACTION", `${where} is not a canonical transaction: ${(err as Error).message}`);
    }
  };
  const outcomeJson = (o: SubmitOutcome) =>
    o.accepted
      ? { accepted: true, id: toHex(o.id) }
      : { accepted: false, ...(o.id ? { id: toHex(o.id) } : {}), code: o.code, message: o.message };

  app.post("/v1/tx", { schema: submitTxSchema }, async (req, reply) => {
    const { tx } = req.body as { tx: string };
    const [outcome] = await service.submit([decodeTx(tx)]);
    if (!outcome!.accepted) {
      return reply
        .status(422)
        .send({ error: { code: outcome!.code, message: outcome!.message }, ...outcomeJson(outcome!) });
    }
    return reply.status(202).send(outcomeJson(outcome!));
  });

  app.post("/v1/txs", { schema: submitTxsSchema(opts.maxTxsPerRequest) }, async (req, reply) => {
    const { txs } = req.body as { txs: string[] };
    const decoded = txs.map((t, i) => decodeTx(t, i));
    const outcomes = await service.submit(decoded);
    return reply.status(202).send({ results: outcomes.map(outcomeJson) });
  });

  // A batch as the validators relay it to each other: u32 count, then each transaction's canonical
  // encoding (self-delimiting). The answer names only the refused transactions: a busy client
  // learns the ids of the others itself, and the validator serializes nothing per accepted one.
  app.post("/v1/txs/binary", async (req, reply) => {
    if (!(req.body instanceof Uint8Array))
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send content-type application/octet-stream");
    const r = new Reader(req.body);
    const txs: Transaction[] = [];
    try {
      const n = r.count(opts.maxTxsPerRequest, TX_FIXED_BYTES, "transactions");
      if (n === 0) throw new Error("no transactions");
      for (let i = 0; i < n; i++) txs.push(readTransaction(r, opts.limits));
      r.end();
    } catch (err) {
      throw new ApiError(
        400,
        "BAD_TRANSACTION",
        `transaction ${txs.length} of the batch is not canonical: ${(err as Error).message}`,
      );
    }
    const outcomes = await service.submit(txs);
    const rejected = [];
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (!o.accepted) rejected.push({ index: i, ...outcomeJson(o) });
    }
    return reply.status(202).send({ accepted: outcomes.length - rejected.length, rejected });
  });

  app.get("/v1/tx/:id", { schema: txIdSchema }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const s = service.txStatus(fromHex(id));
    if (s.status === "unknown") {
      const where = s.searched === "recent" ? " in the recent heights (this validator keeps no tx index)" : "";
      return reply.status(404).send({ error: { code: "UNKNOWN_TX", message: `no transaction ${id}${where}` } });
    }
    if (s.status === "pending") return { id, status: "pending" };
    return {
      id,
      status: "committed",
      height: s.height,
      index: s.index,
      result: resultJson(s.result),
      receipt: receiptJson(s.receipt),
      resultCount: s.resultCount,
      proof: s.proof.map(toHex),
    };
  });

  const heightOf = (req: FastifyRequest) => Number((req.params as { height: string }).height);
  const unknownHeight = (reply: FastifyReply, what: "committed" | "executed", height: number) =>
    reply.status(404).send({ error: { code: "UNKNOWN_HEIGHT", message: `no ${what} block at height ${height}` } });

  app.get("/v1/blocks/:height", { schema: heightSchema }, async (req, reply) => {
    const height = heightOf(req);
    const block = service.committedBlock(height);
    if (!block) return unknownHeight(reply, "committed", height);
    return blockJson(blockId(block.header), block);
  });

  // A whole block's results and receipt: a busy client checks the receipt and the results root once
  // per block (Merkle root over every result) instead of asking for each transaction.
  app.get("/v1/blocks/:height/results", { schema: heightSchema }, async (req, reply) => {
    const height = heightOf(req);
    const r = service.blockResults(height);
    if (!r) return unknownHeight(reply, "executed", height);
    // Binary on request (the sdk's CommitWatcher asks for it): no JSON object, hex id or base64 per transaction.
    if (req.headers.accept?.includes(RESULTS_LIST_MEDIA_TYPE))
      return reply
        .type(RESULTS_LIST_MEDIA_TYPE)
        .send(asBuffer(encodeResultsList({ height, receipt: r.receipt, txIds: r.txIds, results: r.results })));
    return { height, receipt: receiptJson(r.receipt), txs: resultsListJson(r) };
  });

  // Only the signed receipt of a height: a client that already verified one validator's results
  // list for it counts another validator's agreement from this (same block id and results root).
  app.get("/v1/blocks/:height/receipt", { schema: heightSchema }, async (req, reply) => {
    const height = heightOf(req);
    const r = service.blockResults(height);
    if (!r) return unknownHeight(reply, "executed", height);
    return { height, receipt: receiptJson(r.receipt) };
  });

  app.get("/v1/query", { schema: querySchema }, async (req) => {
    const { path, data } = req.query as { path: string; data?: string };
    let bytes: Uint8Array = new Uint8Array();
    if (data) {
      try {
        bytes = fromBase64(data);
      } catch {
        throw new ApiError(400, "BAD_BASE64", "data is not valid base64");
      }
    }
    const r = await service.query(path, bytes);
    return { code: r.code, value: toBase64(r.value), log: r.log, height: r.height };
  });

  app.get("/v1/status", async () => {
    const s = service.status();
    return { ...s, appHash: toHex(s.appHash) };
  });

  app.get("/v1/validators", async () => ({ validators: service.validators() }));

  // Server-sent events: one `commit` event per executed height, carrying this validator's signed
  // receipt, and the results list when the block is small: a client then confirms a small block
  // from f + 1 events without a request. The frame is built once per event for every subscriber.
  const frames = new WeakMap<CommitEvent, string>();
  const commitFrame = (e: CommitEvent): string => {
    let frame = frames.get(e);
    if (frame === undefined) {
      const data = {
        height: e.height,
        blockId: toHex(e.blockId),
        txCount: e.txCount,
        appHash: toHex(e.appHash),
        ...(e.results && {
          receipt: receiptJson(e.results.receipt),
          ...(e.txCount <= INLINE_RESULTS_MAX_TXS && { txs: resultsListJson(e.results) }),
        }),
      };
      frame = `event: commit\ndata: ${JSON.stringify(data)}\n\n`;
      frames.set(e, frame);
    }
    return frame;
  };
  app.get("/v1/events", (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    reply.raw.write(": ordo commit stream\n\n");
    const unsubscribe = service.onCommit((e) => reply.raw.write(commitFrame(e)));
    req.raw.on("close", unsubscribe);
  });

  if (opts.registry) {
    const registry = opts.registry;
    app.get("/metrics", async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  return app;
}

/** Fastify sends a Buffer as it is (any other object as JSON): a view, no copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
