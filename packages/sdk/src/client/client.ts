import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { type KeyPair, signTransaction, type ValidatorSet } from "@ordo/crypto";
import {
  type BlockReceipt,
  encodeTransaction,
  fromHex,
  HASH_LENGTH,
  toBase64,
  toHex,
  type Transaction,
  transactionId,
  type TxResult,
} from "@ordo/types";
import { type ClientInit, type ClientOptions, validateClientOptions } from "./clientOptions.js";
import { CommitTally, describeGroups, type ResultGroup } from "./commitTally.js";
import {
  ClientClosedError,
  ClientOptionsError,
  ConflictingReceiptsError,
  NoQuorumError,
  TransportError,
  TxRejectedError,
} from "./errors.js";
import { HttpTransport } from "./httpTransport.js";
import { ReceiptVerifier } from "./receiptVerifier.js";
import type { Transport, TransportResponse } from "./transport.js";
import { apiErrorOf, parseQuery, parseTxStatus, type QueryAnswer, WireError } from "./wire.js";

export interface ClientModules {
  /** Defaults to `HttpTransport` (fetch). */
  transport?: Transport;
  /** Defaults to a `ReceiptVerifier` over the options' chain id and validator set. */
  verifier?: ReceiptVerifier;
}

/** A transaction accepted into a validator's mempool. */
export interface SubmittedTx {
  id: Uint8Array;
  idHex: string;
  /** The validator URL that accepted it. */
  url: string;
}

/** One outcome per transaction of `submitMany`, in order. */
export type SubmitOutcome =
  | { accepted: true; idHex: string }
  | { accepted: false; idHex?: string; code: string; message: string };

/** A transaction's result, confirmed by f + 1 distinct validators with verified receipts and proofs. */
export interface CommittedTx {
  id: Uint8Array;
  idHex: string;
  height: number;
  index: number;
  result: TxResult;
  blockId: Uint8Array;
  /** Validator indices whose receipts matched, ascending. */
  confirmedBy: number[];
  receipts: BlockReceipt[];
}

export interface WaitOptions {
  timeoutMs?: number;
}

/** The answer of GET /v1/status (packages/node/src/api/nodeService.ts, appHash in hex). */
export interface NodeStatusJson {
  chainId: string;
  moniker: string;
  validatorIndex: number;
  height: number;
  round: number;
  leader: number;
  appHash: string;
  peers: number;
  catchingUp: boolean;
  mempoolSize: number;
  [field: string]: unknown;
}

export interface QueryResult extends QueryAnswer {
  /** The URL(s) whose answer this is. */
  urls: string[];
}

/**
 * Talks to validators' HTTP APIs: builds and signs transactions (tracking nonces per sender),
 * submits them to one validator with fallback to the others, and learns a result only when
 * f + 1 distinct validators return matching results whose block receipts verify against the
 * genesis validator set and whose Merkle paths verify against those receipts.
 */
export class Client {
  readonly opts: ClientOptions;
  readonly verifier: ReceiptVerifier;
  readonly #transport: Transport;
  readonly #nonces = new Map<string, bigint>();
  readonly #nonceLoads = new Map<string, Promise<bigint>>();
  readonly #closed = new AbortController();
  /** The URL that last accepted a request: tried first next time. */
  #preferred = 0;

  constructor(init: ClientInit, modules: ClientModules = {}) {
    this.opts = validateClientOptions(init);
    // Every request and every wait listens on this one signal: thousands at once is normal, not a leak.
    setMaxListeners(0, this.#closed.signal);
    this.#transport = modules.transport ?? new HttpTransport({ requestTimeoutMs: this.opts.requestTimeoutMs });
    this.verifier = modules.verifier ?? new ReceiptVerifier(this.opts.chainId, this.opts.validators);
  }

  get validators(): ValidatorSet {
    return this.opts.validators;
  }

  /** f + 1: matching answers needed before a result is believed (at least one is honest). */
  get confirmations(): number {
    return this.opts.validators.f + 1;
  }

  /** Reserves the next nonce of `sender` (loading the first one from `startNonce` once). */
  async nextNonce(sender: Uint8Array = this.#key().publicKey): Promise<bigint> {
    const k = toHex(sender);
    if (!this.#nonces.has(k)) {
      let load = this.#nonceLoads.get(k);
      if (!load) {
        const src = this.opts.startNonce;
        load = typeof src === "bigint" ? Promise.resolve(src) : src(sender);
        this.#nonceLoads.set(k, load);
      }
      try {
        const first = await load;
        if (!this.#nonces.has(k)) this.#nonces.set(k, first);
      } finally {
        this.#nonceLoads.delete(k);
      }
    }
    const n = this.#nonces.get(k)!;
    this.#nonces.set(k, n + 1n);
    return n;
  }

  /** Sets the next nonce of `sender` (after a rejection, say); `undefined` forgets it, so it is loaded again. */
  setNonce(sender: Uint8Array, next: bigint | undefined): void {
    if (next === undefined) this.#nonces.delete(toHex(sender));
    else this.#nonces.set(toHex(sender), next);
  }

  /** Builds and signs a transaction with `payload`, the next nonce of the signer unless given. */
  async buildTx(payload: Uint8Array, opts: { key?: KeyPair; nonce?: bigint } = {}): Promise<Transaction> {
    const key = opts.key ?? this.#key();
    const nonce = opts.nonce ?? (await this.nextNonce(key.publicKey));
    return signTransaction(key, { chainId: this.opts.chainId, sender: key.publicKey, nonce, payload });
  }

  /** Submits one transaction (POST /v1/tx) to the first validator that answers; TxRejectedError on 422. */
  async submit(tx: Transaction): Promise<SubmittedTx> {
    this.#checkChain(tx);
    const { url, res } = await this.#withFallback((u) =>
      this.#transport.post(u, "/v1/tx", { tx: toBase64(encodeTransaction(tx)) }, this.#closed.signal),
    );
    const id = transactionId(tx);
    if (res.status === 202) return { id, idHex: toHex(id), url };
    const e = apiErrorOf(res.body);
    if (res.status === 422)
      throw new TxRejectedError("TX_REJECTED", `${url} refused transaction ${toHex(id)}: ${e.code}: ${e.message}`, {
        url,
        id: toHex(id),
        reason: e.code,
      });
    throw new TransportError("HTTP_ERROR", `${url} answered HTTP ${res.status}: ${e.code}: ${e.message}`, {
      url,
      status: res.status,
      reason: e.code,
    });
  }

  /**
   * Submits many transactions in batches (POST /v1/txs, `maxTxsPerRequest` each), one round trip
   * per batch; returns one outcome per transaction, in order. A refused transaction is an outcome,
   * not an exception; an unreachable cluster or a malformed answer throws.
   */
  async submitMany(txs: readonly Transaction[]): Promise<SubmitOutcome[]> {
    const out: SubmitOutcome[] = [];
    for (let i = 0; i < txs.length; i += this.opts.maxTxsPerRequest) {
      const chunk = txs.slice(i, i + this.opts.maxTxsPerRequest);
      for (const tx of chunk) this.#checkChain(tx);
      const body = { txs: chunk.map((tx) => toBase64(encodeTransaction(tx))) };
      const { url, res } = await this.#withFallback((u) =>
        this.#transport.post(u, "/v1/txs", body, this.#closed.signal),
      );
      const results = (res.body as { results?: unknown } | null)?.results;
      if (res.status !== 202 || !Array.isArray(results) || results.length !== chunk.length) {
        const e = apiErrorOf(res.body);
        throw new TransportError(
          "HTTP_ERROR",
          `${url} answered HTTP ${res.status} to a batch: ${e.code}: ${e.message}`,
          {
            url,
            status: res.status,
          },
        );
      }
      results.forEach((r: unknown, j) => {
        const o = (r ?? {}) as Record<string, unknown>;
        const idHex = typeof o.id === "string" ? o.id : undefined;
        if (o.accepted === true) out.push({ accepted: true, idHex: idHex ?? toHex(transactionId(chunk[j]!)) });
        else
          out.push({
            accepted: false,
            ...(idHex ? { idHex } : {}),
            code: typeof o.code === "string" ? o.code : "UNKNOWN",
            message: typeof o.message === "string" ? o.message : "",
          });
      });
    }
    return out;
  }

  /** Submits `tx` and waits for f + 1 matching verified receipts. */
  async submitAndWait(tx: Transaction, opts: WaitOptions = {}): Promise<CommittedTx> {
    const { id } = await this.submit(tx);
    return this.waitForCommit(id, opts);
  }

  /** Builds, signs, submits and waits: the one-call path. */
  async send(payload: Uint8Array, opts: WaitOptions & { key?: KeyPair; nonce?: bigint } = {}): Promise<CommittedTx> {
    return this.submitAndWait(await this.buildTx(payload, opts), opts);
  }

  /**
   * Resolves once f + 1 distinct validators return the same committed result for transaction `id`
   * (same height, index, result code and data, block id), each with a block receipt signed by that
   * validator for this chain and a Merkle path to the receipt's results root. Every URL is polled
   * with a doubling backoff until it gives a verified answer. Rejects with ConflictingReceiptsError
   * when verified answers disagree so that no result can reach f + 1 (at once if that is already
   * certain, else at the timeout), and with NoQuorumError at the timeout otherwise.
   */
  waitForCommit(id: Uint8Array | string, opts: WaitOptions = {}): Promise<CommittedTx> {
    const txId = typeof id === "string" ? hexId(id) : id;
    if (txId.length !== HASH_LENGTH) throw new ClientOptionsError("INVALID_OPTIONS", "a transaction id is 32 bytes");
    const idHex = toHex(txId);
    const timeoutMs = opts.timeoutMs ?? this.opts.commitTimeoutMs;
    const urls = this.opts.urls;
    const tally = new CommitTally(this.confirmations);
    const lastAnswer = new Map<string, string>(urls.map((u) => [u, "no answer yet"]));
    let open = urls.length;
    const stop = new AbortController();

    const closed = this.#closed.signal;
    return new Promise<CommittedTx>((resolve, reject) => {
      const onClose = () => finish(new ClientClosedError("CLOSED", "the client was closed"));
      const timer = setTimeout(() => finish(this.#quorumError(idHex, tally, lastAnswer, timeoutMs)), timeoutMs);
      closed.addEventListener("abort", onClose, { once: true });
      let done = false;
      function finish(outcome: CommittedTx | Error): void {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stop.abort();
        // Listeners on the long-lived close signal must not pile up, one per wait.
        closed.removeEventListener("abort", onClose);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      }
      if (closed.aborted) return onClose();
      const stopped = () => {
        if (!done && tally.hopeless(open)) finish(this.#quorumError(idHex, tally, lastAnswer, timeoutMs));
      };
      stopped();

      const poll = async (url: string) => {
        let delay = this.opts.pollMinMs;
        while (!stop.signal.aborted) {
          try {
            const res = await this.#transport.get(url, `/v1/tx/${idHex}`, stop.signal);
            const a = parseTxStatus(res.status, res.body);
            if (a.status === "committed") {
              const why = this.verifier.check(txId, a);
              if (why) lastAnswer.set(url, `refused: ${why} (receipt of validator ${a.receipt.validator})`);
              else {
                lastAnswer.set(url, `committed at height ${a.height} (validator ${a.receipt.validator})`);
                open--;
                const quorum = tally.add({
                  url,
                  height: a.height,
                  index: a.index,
                  result: a.result,
                  receipt: a.receipt,
                });
                if (quorum) {
                  const first = quorum[0]!;
                  const receipts = quorum.map((q) => q.receipt).sort((x, y) => x.validator - y.validator);
                  finish({
                    id: txId,
                    idHex,
                    height: first.height,
                    index: first.index,
                    result: first.result,
                    blockId: first.receipt.blockId,
                    confirmedBy: receipts.map((r) => r.validator),
                    receipts,
                  });
                } else stopped();
                return;
              }
            } else lastAnswer.set(url, a.status);
          } catch (err) {
            if (stop.signal.aborted) return;
            if (err instanceof TransportError) lastAnswer.set(url, `unreachable: ${err.message}`);
            else if (err instanceof WireError) lastAnswer.set(url, `bad answer: ${err.message}`);
            else lastAnswer.set(url, `error: ${(err as Error).message}`);
          }
          try {
            await sleep(delay, undefined, { signal: stop.signal });
          } catch {
            return; // aborted
          }
          delay = Math.min(delay * 2, this.opts.pollMaxMs);
        }
      };
      for (const url of urls) void poll(url);
    });
  }

  /** A query answered by one validator (the first that answers). */
  async query(path: string, data: Uint8Array = new Uint8Array()): Promise<QueryResult> {
    const { url, res } = await this.#withFallback((u) =>
      this.#transport.get(u, queryPath(path, data), this.#closed.signal),
    );
    return { ...this.#queryAnswer(url, res), urls: [url] };
  }

  /**
   * A query answered identically (code, value, height) by f + 1 distinct validator URLs. Answers
   * are not signed, so this assumes each URL is a different validator. Retries while validators
   * are at different heights, until the timeout; then NoQuorumError.
   */
  async queryQuorum(path: string, data: Uint8Array = new Uint8Array(), opts: WaitOptions = {}): Promise<QueryResult> {
    const deadline = Date.now() + (opts.timeoutMs ?? this.opts.commitTimeoutMs);
    const need = this.confirmations;
    let delay = this.opts.pollMinMs;
    let seen: string[] = [];
    for (;;) {
      const answers = await Promise.all(
        this.opts.urls.map(async (url) => {
          try {
            return {
              url,
              a: this.#queryAnswer(url, await this.#transport.get(url, queryPath(path, data), this.#closed.signal)),
            };
          } catch (err) {
            return { url, err: err as Error };
          }
        }),
      );
      const groups = new Map<string, { a: QueryAnswer; urls: string[] }>();
      for (const x of answers) {
        if (!x.a) continue;
        const key = `${x.a.code}:${x.a.height}:${toHex(x.a.value)}`;
        const g = groups.get(key) ?? { a: x.a, urls: [] };
        g.urls.push(x.url);
        groups.set(key, g);
        if (g.urls.length >= need) return { ...g.a, urls: g.urls };
      }
      seen = answers.map((x) => `${x.url}: ${x.a ? `code ${x.a.code} at height ${x.a.height}` : x.err!.message}`);
      if (this.#closed.signal.aborted) throw new ClientClosedError("CLOSED", "the client was closed");
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
      delay = Math.min(delay * 2, this.opts.pollMaxMs);
    }
    throw new NoQuorumError(
      "NO_QUORUM",
      `query ${path}: no ${need} validators gave the same answer; ${seen.join("; ")}`,
      {
        path,
        need,
        answers: seen,
      },
    );
  }

  /** GET /v1/status of `url`, or of the first validator that answers. */
  async status(url?: string): Promise<NodeStatusJson & { url: string }> {
    const get = (u: string) => this.#transport.get(u, "/v1/status", this.#closed.signal);
    const r = url ? { url, res: await get(url) } : await this.#withFallback(get);
    if (r.res.status !== 200 || typeof r.res.body !== "object" || r.res.body === null)
      throw new TransportError("BAD_RESPONSE", `${r.url}: status answered HTTP ${r.res.status}`, { url: r.url });
    return { ...(r.res.body as NodeStatusJson), url: r.url };
  }

  /** Aborts every wait and request in flight (they reject with ClientClosedError or TransportError). Idempotent. */
  close(): void {
    this.#closed.abort();
  }

  #key(): KeyPair {
    if (!this.opts.key)
      throw new ClientOptionsError("NO_KEY", "this client has no signing key: pass one as options.key");
    return this.opts.key;
  }

  #checkChain(tx: Transaction): void {
    if (tx.chainId !== this.opts.chainId)
      throw new ClientOptionsError(
        "INVALID_OPTIONS",
        `transaction for chain ${tx.chainId}, client for ${this.opts.chainId}`,
      );
  }

  #queryAnswer(url: string, res: TransportResponse): QueryAnswer {
    if (res.status !== 200) {
      const e = apiErrorOf(res.body);
      throw new TransportError("HTTP_ERROR", `${url}: query answered HTTP ${res.status}: ${e.code}: ${e.message}`, {
        url,
      });
    }
    try {
      return parseQuery(res.body);
    } catch (err) {
      throw new TransportError("BAD_RESPONSE", `${url}: query answer ${(err as Error).message}`, { url });
    }
  }

  /**
   * Sends to the preferred URL, then to each other in turn when one is unreachable or answers
   * 5xx; the first that answers otherwise becomes preferred. All failing throws UNREACHABLE.
   */
  async #withFallback(
    send: (url: string) => Promise<TransportResponse>,
  ): Promise<{ url: string; res: TransportResponse }> {
    const urls = this.opts.urls;
    const failures: string[] = [];
    for (let k = 0; k < urls.length; k++) {
      const i = (this.#preferred + k) % urls.length;
      const url = urls[i]!;
      try {
        const res = await send(url);
        if (res.status >= 500) {
          failures.push(`${url}: HTTP ${res.status}`);
          continue;
        }
        this.#preferred = i;
        return { url, res };
      } catch (err) {
        if (this.#closed.signal.aborted) throw new ClientClosedError("CLOSED", "the client was closed");
        if (!(err instanceof TransportError)) throw err;
        failures.push(err.message);
      }
    }
    throw new TransportError("UNREACHABLE", `no validator answered: ${failures.join("; ")}`, { failures });
  }

  #quorumError(idHex: string, tally: CommitTally, answers: Map<string, string>, timeoutMs: number): Error {
    const need = this.confirmations;
    const groups: ResultGroup[] = tally.groups;
    const per = [...answers].map(([u, a]) => `${u}: ${a}`).join("; ");
    const meta = { id: idHex, need, groups, answers: Object.fromEntries(answers) };
    if (groups.length > 1)
      return new ConflictingReceiptsError(
        "CONFLICTING_RECEIPTS",
        `transaction ${idHex}: validators signed different results and none has ${need}: ${describeGroups(groups)}`,
        meta,
      );
    const confirmed = groups[0]?.validators.length ?? 0;
    return new NoQuorumError(
      "NO_QUORUM",
      `transaction ${idHex}: ${confirmed} of ${this.opts.validators.n} validators confirmed a result within ${timeoutMs} ms, need ${need} (f + 1); ${per}`,
      meta,
    );
  }
}

function hexId(id: string): Uint8Array {
  try {
    return fromHex(id);
  } catch {
    throw new ClientOptionsError("INVALID_OPTIONS", `transaction id ${JSON.stringify(id)} is not hex`);
  }
}

function queryPath(path: string, data: Uint8Array): string {
  const q = new URLSearchParams({ path });
  if (data.length > 0) q.set("data", toBase64(data));
  return `/v1/query?${q.toString()}`;
}
