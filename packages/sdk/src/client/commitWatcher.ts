import { setMaxListeners } from "node:events";
import type { ValidatorSet } from "@ordo/crypto";
import {
  type BlockReceipt,
  bytesEqual,
  decodeResultsList,
  fromHex,
  HASH_LENGTH,
  RESULTS_LIST_MEDIA_TYPE,
  resultsRoot,
  toHex,
  type TxResult,
} from "@ordo/types";
import { ClientClosedError, ClientOptionsError, NoQuorumError } from "./errors.js";
import { HttpTransport } from "./httpTransport.js";
import { ReceiptVerifier } from "./receiptVerifier.js";
import { type CommitEventJson, sseCommitEvents } from "./sseCommitEvents.js";
import type { Transport } from "./transport.js";
import { parseReceipt, parseResult, WireError } from "./wire.js";

/** Opens a validator's commit event stream; ends when the stream ends, throws when it fails. */
export type CommitEventSource = (url: string, signal: AbortSignal) => AsyncIterable<CommitEventJson>;

export interface CommitWatcherOptions {
  /** Base URLs of validators' HTTP APIs, one per validator. */
  urls: readonly string[];
  chainId: string;
  /** The genesis validator set: receipts are verified against it alone. */
  validators: ValidatorSet;
  /** Most GET /v1/blocks/:height/results in flight at once, over all validators. */
  maxFetches: number;
  /** Reconnect backoff of an event stream that ended or failed: first delay, doubling up to the max. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Most missed heights fetched after a stream reconnects (older ones are given up). */
  maxBackfill: number;
  /** Heights kept in the tally below the newest confirmed one (for late answers and conflicts). */
  retainHeights: number;
  /** Confirmed transaction ids remembered for `waitFor` calls that come after their confirmation (0: none). */
  rememberTxs: number;
  requestTimeoutMs: number;
}

export type CommitWatcherInit = Pick<CommitWatcherOptions, "urls" | "chainId" | "validators"> &
  Partial<CommitWatcherOptions>;

export const defaultCommitWatcherOptions = Object.freeze({
  maxFetches: 16,
  reconnectMinMs: 50,
  reconnectMaxMs: 2_000,
  maxBackfill: 1_000,
  retainHeights: 1_000,
  rememberTxs: 100_000,
  requestTimeoutMs: 10_000,
}) satisfies Partial<CommitWatcherOptions>;

/** A transaction of a confirmed block. */
export interface ConfirmedTx {
  idHex: string;
  index: number;
  result: TxResult;
}

/** A block whose results f + 1 distinct validators signed identically (same block id and results root). */
export interface ConfirmedBlock {
  height: number;
  blockId: Uint8Array;
  resultsRoot: Uint8Array;
  /** Validator indices whose verified receipts agree, ascending (f + 1 of them). */
  confirmedBy: number[];
  receipts: BlockReceipt[];
  txs: ConfirmedTx[];
}

/** Why an answer was not counted, with how often (see `stats.rejected`). */
export type WatcherRejection =
  | "UNREACHABLE"
  | "NOT_FOUND"
  | "BAD_ANSWER"
  | "HEIGHT_MISMATCH"
  | "UNKNOWN_VALIDATOR"
  | "BAD_SIGNATURE"
  | "BAD_RESULTS_ROOT";

export interface CommitWatcherStats {
  /** GET /v1/blocks/:height/results answered (any status). */
  fetches: number;
  /** GET /v1/blocks/:height/receipt answered (any status): answers after the first list of a height. */
  receiptFetches: number;
  /** Answers that came with a commit event (its receipt, and the list of a small block): no request. */
  eventAnswers: number;
  /** Receipts whose results root was recomputed (the others matched a verified list of that height). */
  rootsComputed: number;
  blocksConfirmed: number;
  txsConfirmed: number;
  /** Heights where verified receipts disagree (a Byzantine validator, or a fork that should never happen). */
  conflicts: number;
  /** Event streams (re)opened. */
  connects: number;
  rejected: Partial<Record<WatcherRejection, number>>;
}

interface Verified {
  receipt: BlockReceipt;
  txs: ConfirmedTx[];
  /** The list's ids, for a cheap equality check against another validator's list. */
  txIds: Uint8Array[];
}

/** A results answer, decoded (from JSON or the binary form) but not verified yet. */
interface ResultsAnswer {
  receipt: BlockReceipt;
  txIds: Uint8Array[];
  idHexes: string[];
  results: TxResult[];
}

interface HeightTally {
  /** (block id, results root) -> the answers that agree on it; the first one always has its verified list. */
  groups: Map<string, Verified[]>;
  /** Validators (receipt signers) already counted at this height. */
  counted: Set<number>;
  /** URLs whose answer is fetched, in flight or deferred. */
  asked: Set<string>;
  /** URLs that announced this height while enough fetches were already in flight. */
  deferred: string[];
  inflight: number;
  /** Fetches of a whole results list in flight (the others fetch only a receipt). */
  listsInflight: number;
  /** Verified receipts whose (block id, results root) has no verified list yet: counted once one arrives. */
  parked: { url: string; receipt: BlockReceipt }[];
  done: boolean;
}

/**
 * Follows every validator's commit stream (GET /v1/events) and learns each block's results in one
 * request per block per validator (GET /v1/blocks/:height/results) instead of one per transaction.
 * An answer counts only when its block receipt verifies against the genesis validator set
 * (`ReceiptVerifier`) and the Merkle root of `resultLeaf(txId, result)` over the whole list
 * equals the receipt's results root; a block and its transactions are confirmed once f + 1
 * distinct validators (receipt signers) agree on (block id, results root). At most f + 1 fetches
 * per height are in flight: another validator is asked only when one of those fails to count, so
 * the usual cost is f + 1 fetches and root checks per block. When a stream reconnects, the heights
 * it missed are fetched from that validator.
 */
export class CommitWatcher {
  readonly opts: CommitWatcherOptions;
  readonly verifier: ReceiptVerifier;
  readonly stats: CommitWatcherStats = {
    fetches: 0,
    receiptFetches: 0,
    eventAnswers: 0,
    rootsComputed: 0,
    blocksConfirmed: 0,
    txsConfirmed: 0,
    conflicts: 0,
    connects: 0,
    rejected: {},
  };
  readonly #transport: Transport;
  readonly #events: CommitEventSource;
  readonly #closed = new AbortController();
  readonly #listeners = new Set<(block: ConfirmedBlock) => void>();
  readonly #tallies = new Map<number, HeightTally>();
  readonly #waiters = new Map<string, ((tx: ConfirmedTx & { block: ConfirmedBlock }) => void)[]>();
  readonly #remembered = new Map<string, ConfirmedTx & { block: ConfirmedBlock }>();
  readonly #fetchQueue: (() => void)[] = [];
  #fetching = 0;
  #newestConfirmed = 0;
  #started = false;
  #followers: Promise<void>[] = [];

  constructor(
    init: CommitWatcherInit,
    modules: { transport?: Transport; verifier?: ReceiptVerifier; events?: CommitEventSource } = {},
  ) {
    this.opts = validateCommitWatcherOptions(init);
    this.#transport = modules.transport ?? new HttpTransport({ requestTimeoutMs: this.opts.requestTimeoutMs });
    this.verifier = modules.verifier ?? new ReceiptVerifier(this.opts.chainId, this.opts.validators);
    this.#events = modules.events ?? sseCommitEvents;
    // Every request in flight listens for the close: more than the default 10 is normal here.
    setMaxListeners(0, this.#closed.signal);
  }

  /** f + 1: agreeing validators needed. */
  get confirmations(): number {
    return this.opts.validators.f + 1;
  }

  /** Opens every validator's event stream (idempotent). */
  start(): this {
    if (this.#started) return this;
    this.#started = true;
    this.#followers = this.opts.urls.map((url) => this.#follow(url));
    return this;
  }

  /** Calls `listener` once per confirmed block, in confirmation order; returns the unsubscribe function. */
  onBlock(listener: (block: ConfirmedBlock) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves when transaction `id` is in a confirmed block (or was, among the last `rememberTxs`);
   * rejects with NoQuorumError after `timeoutMs`, ClientClosedError on close.
   */
  waitFor(
    id: Uint8Array | string,
    opts: { timeoutMs?: number } = {},
  ): Promise<ConfirmedTx & { block: ConfirmedBlock }> {
    const idHex = typeof id === "string" ? id.toLowerCase() : toHex(id);
    if (!/^[0-9a-f]{64}$/.test(idHex)) throw new ClientOptionsError("INVALID_OPTIONS", "a transaction id is 32 bytes");
    const seen = this.#remembered.get(idHex);
    if (seen) return Promise.resolve(seen);
    if (this.#closed.signal.aborted) return Promise.reject(new ClientClosedError("CLOSED", "the watcher was closed"));
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(idHex) ?? [];
      this.#waiters.set(idHex, list);
      const onClose = () => settle(new ClientClosedError("CLOSED", "the watcher was closed"));
      const timer = setTimeout(
        () =>
          settle(
            new NoQuorumError(
              "NO_QUORUM",
              `transaction ${idHex}: no block containing it was confirmed by ${this.confirmations} validators within ${timeoutMs} ms`,
              { id: idHex, need: this.confirmations },
            ),
          ),
        timeoutMs,
      );
      const waiter = (tx: ConfirmedTx & { block: ConfirmedBlock }) => settle(tx);
      const settle = (outcome: (ConfirmedTx & { block: ConfirmedBlock }) | Error) => {
        clearTimeout(timer);
        this.#closed.signal.removeEventListener("abort", onClose);
        const rest = (this.#waiters.get(idHex) ?? []).filter((w) => w !== waiter);
        if (rest.length > 0) this.#waiters.set(idHex, rest);
        else this.#waiters.delete(idHex);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      list.push(waiter);
      this.#closed.signal.addEventListener("abort", onClose, { once: true });
    });
  }

  /** Stops following and fetching; pending `waitFor` calls reject with ClientClosedError. Idempotent. */
  async close(): Promise<void> {
    this.#closed.abort();
    this.#fetchQueue.length = 0;
    await Promise.allSettled(this.#followers);
  }

  // --- event streams ---

  async #follow(url: string): Promise<void> {
    const signal = this.#closed.signal;
    let delay = this.opts.reconnectMinMs;
    let last: number | undefined;
    while (!signal.aborted) {
      try {
        this.stats.connects++;
        for await (const e of this.#events(url, signal)) {
          delay = this.opts.reconnectMinMs;
          if (!Number.isSafeInteger(e.height) || e.height < 1) continue;
          if (last !== undefined && e.height > last + 1) {
            // Heights missed while disconnected: their event (and tx count) was lost, so fetch them all.
            const from = Math.max(last + 1, e.height - this.opts.maxBackfill);
            for (let h = from; h < e.height; h++) this.#announce(h, url);
          }
          if (last === undefined || e.height > last) last = e.height;
          if (e.txCount > 0) this.#announce(e.height, url, e);
        }
      } catch {
        // the stream failed: reconnect below
      }
      if (signal.aborted) return;
      await abortableSleep(delay, signal);
      delay = Math.min(delay * 2, this.opts.reconnectMaxMs);
    }
  }

  // --- fetching and tallying ---

  #tally(height: number): HeightTally | undefined {
    if (height <= this.#newestConfirmed - this.opts.retainHeights) return undefined; // too old to matter
    let t = this.#tallies.get(height);
    if (!t) {
      t = {
        groups: new Map(),
        counted: new Set(),
        asked: new Set(),
        deferred: [],
        inflight: 0,
        listsInflight: 0,
        parked: [],
        done: false,
      };
      this.#tallies.set(height, t);
    }
    return t;
  }

  /**
   * Validator `url` has executed `height`. Its event may carry its answer (the signed receipt, and
   * the results list of a small block): that counts at once, with no request. Otherwise fetch its
   * results, unless enough fetches are already under way.
   */
  #announce(height: number, url: string, e?: CommitEventJson): void {
    const t = this.#tally(height);
    if (!t || t.done || t.asked.has(url)) return;
    t.asked.add(url);
    if (e?.receipt !== undefined) this.#countInline(height, url, t, e);
    else if (this.#promised(t) >= this.#stillNeeded(t)) t.deferred.push(url);
    else this.#fetch(height, url, t);
  }

  /** Counts the answer an event carried: a whole list, or a receipt (parked until a list with its root is verified). */
  #countInline(height: number, url: string, t: HeightTally, e: CommitEventJson): void {
    this.stats.eventAnswers++;
    const why =
      e.txs !== undefined
        ? this.#countList(height, t, { receipt: e.receipt, txs: e.txs })
        : this.#countReceipt(height, url, t, { receipt: e.receipt });
    if (why) this.#reject(why);
    this.#settleParked(height, t);
    this.#askDeferred(height, t);
  }

  /** While answers are still missing and none is promised for them, asks validators that were deferred. */
  #askDeferred(height: number, t: HeightTally): void {
    while (!t.done && t.deferred.length > 0 && this.#promised(t) < this.#stillNeeded(t))
      this.#fetch(height, t.deferred.shift()!, t);
  }

  /** Answers that may still count: fetches in flight and parked receipts. */
  #promised(t: HeightTally): number {
    return t.inflight + t.parked.length;
  }

  /** Agreeing answers still missing for the best group at this height. */
  #stillNeeded(t: HeightTally): number {
    let best = 0;
    for (const g of t.groups.values()) best = Math.max(best, g.length);
    return this.confirmations - best;
  }

  /**
   * The first validator asked for a height sends its whole results list; while that is in flight
   * or once a list is verified, the others send only their receipt (GET /v1/blocks/:height/receipt),
   * which counts when it signs the same (block id, results root) as a verified list: the list is
   * then theirs too, by the signature. `list` forces a whole list (a parked receipt whose root no
   * verified list has).
   */
  #fetch(height: number, url: string, t: HeightTally, list = false): void {
    const wholeList = list || (t.listsInflight === 0 && t.groups.size === 0);
    t.inflight++;
    if (wholeList) t.listsInflight++;
    this.#withFetchSlot(async () => {
      try {
        if (t.done) return;
        const why = wholeList ? await this.#fetchAndCount(height, url, t) : await this.#fetchReceipt(height, url, t);
        if (why) this.#reject(why);
      } finally {
        t.inflight--;
        if (wholeList) t.listsInflight--;
        this.#settleParked(height, t);
        // An answer that did not count (or a conflict) frees a slot for a validator that was deferred.
        this.#askDeferred(height, t);
      }
    });
  }

  /** Counts parked receipts whose list is now verified; with no list fetch left, asks one of them for its list. */
  #settleParked(height: number, t: HeightTally): void {
    if (t.done) {
      t.parked = [];
      return;
    }
    const waiting: HeightTally["parked"] = [];
    for (const p of t.parked) {
      const group = t.groups.get(groupKey(p.receipt));
      if (t.done) break;
      if (group) this.#count(height, t, p.receipt, group[0]!);
      else waiting.push(p);
    }
    t.parked = t.done ? [] : waiting;
    if (t.parked.length > 0 && t.listsInflight === 0) this.#fetch(height, t.parked.shift()!.url, t, true);
  }

  /** Fetches and verifies one validator's receipt of a height; counts it, parks it, or says why not. */
  async #fetchReceipt(height: number, url: string, t: HeightTally): Promise<WatcherRejection | undefined> {
    const res = await this.#get(url, `/v1/blocks/${height}/receipt`, t, "receiptFetches");
    if (!("body" in res)) return res.why;
    return this.#countReceipt(height, url, t, res.body);
  }

  /** Verifies one validator's receipt answer (`{receipt}`); counts it, parks it, or says why not. */
  #countReceipt(height: number, url: string, t: HeightTally, body: unknown): WatcherRejection | undefined {
    let receipt: BlockReceipt;
    try {
      receipt = parseReceipt((body as { receipt?: unknown } | null)?.receipt);
    } catch {
      return "BAD_ANSWER";
    }
    const why = this.#checkReceipt(height, receipt, t);
    if (why !== null) return why;
    const group = t.groups.get(groupKey(receipt));
    if (group) this.#count(height, t, receipt, group[0]!);
    else t.parked.push({ url, receipt });
    return undefined;
  }

  /**
   * One GET of a validator's answer for a height, counted in `stats[counter]`: its 200 body, or why
   * there is nothing to count (undefined when the height was confirmed meanwhile).
   */
  async #get(
    url: string,
    path: string,
    t: HeightTally,
    counter: "fetches" | "receiptFetches",
  ): Promise<{ body: unknown } | { why: WatcherRejection | undefined }> {
    return this.#ask(() => this.#transport.get(url, path, this.#closed.signal), t, counter);
  }

  /** One request for a height, counted in `stats[counter]`: its 200 answer, or why there is nothing to count. */
  async #ask<R extends { status: number }>(
    send: () => Promise<R>,
    t: HeightTally,
    counter: "fetches" | "receiptFetches",
  ): Promise<R | { why: WatcherRejection | undefined }> {
    let res: R;
    try {
      res = await send();
    } catch {
      return { why: "UNREACHABLE" };
    }
    this.stats[counter]++;
    if (res.status === 404) return { why: "NOT_FOUND" };
    if (t.done) return { why: undefined };
    if (res.status !== 200) return { why: "BAD_ANSWER" };
    return res;
  }

  /** Null when the receipt may count; undefined when it is simply not needed (its signer already counted). */
  #checkReceipt(height: number, receipt: BlockReceipt, t: HeightTally): WatcherRejection | undefined | null {
    if (receipt.height !== height) return "HEIGHT_MISMATCH";
    if (!this.opts.validators.has(receipt.validator)) return "UNKNOWN_VALIDATOR";
    // one vote per signer, whichever URL served it
    if (t.counted.has(receipt.validator) || t.parked.some((p) => p.receipt.validator === receipt.validator))
      return undefined;
    if (!this.verifier.verifyReceipt(receipt)) return "BAD_SIGNATURE";
    return null;
  }

  #withFetchSlot(run: () => Promise<void>): void {
    const go = () => {
      this.#fetching++;
      run()
        .catch(() => {})
        .finally(() => {
          this.#fetching--;
          const next = this.#fetchQueue.shift();
          if (next && !this.#closed.signal.aborted) next();
        });
    };
    if (this.#fetching < this.opts.maxFetches) go();
    else this.#fetchQueue.push(go);
  }

  /** Fetches, verifies and counts one validator's results of one height; returns why it did not count. */
  async #fetchAndCount(height: number, url: string, t: HeightTally): Promise<WatcherRejection | undefined> {
    const path = `/v1/blocks/${height}/results`;
    if (this.#transport.getBytes === undefined) {
      const res = await this.#get(url, path, t, "fetches");
      if (!("body" in res)) return res.why;
      return this.#countList(height, t, res.body);
    }
    // The binary form when the transport can take it (a validator that only speaks JSON answers in JSON).
    const getBytes = this.#transport.getBytes.bind(this.#transport);
    const res = await this.#ask(() => getBytes(url, path, RESULTS_LIST_MEDIA_TYPE, this.#closed.signal), t, "fetches");
    if ("why" in res) return res.why;
    let answer: ResultsAnswer;
    try {
      if (res.contentType.startsWith(RESULTS_LIST_MEDIA_TYPE)) {
        const l = decodeResultsList(res.body);
        answer = { receipt: l.receipt, txIds: l.txIds, idHexes: l.txIds.map(toHex), results: l.results };
      } else answer = parseResultsJson(JSON.parse(Buffer.from(res.body).toString("utf8")));
    } catch {
      return "BAD_ANSWER";
    }
    return this.#countAnswer(height, t, answer);
  }

  /** Verifies one validator's results answer in JSON (`{receipt, txs}`) and counts it; returns why it did not count. */
  #countList(height: number, t: HeightTally, body: unknown): WatcherRejection | undefined {
    let answer: ResultsAnswer;
    try {
      answer = parseResultsJson(body);
    } catch {
      return "BAD_ANSWER";
    }
    return this.#countAnswer(height, t, answer);
  }

  #countAnswer(height: number, t: HeightTally, a: ResultsAnswer): WatcherRejection | undefined {
    const { receipt } = a;
    if (t.counted.has(receipt.validator)) return undefined; // its receipt-only answer counted meanwhile
    t.parked = t.parked.filter((p) => p.receipt.validator !== receipt.validator);
    const why = this.#checkReceipt(height, receipt, t);
    if (why !== null) return why;
    const group = t.groups.get(groupKey(receipt));
    let verified: Verified;
    if (group && sameList(group[0]!, a)) {
      // The same list, already shown to hash to this very root: no need to hash it again.
      verified = { receipt, txs: group[0]!.txs, txIds: group[0]!.txIds };
    } else {
      this.stats.rootsComputed++;
      if (!bytesEqual(resultsRoot(a.txIds, a.results), receipt.resultsRoot)) return "BAD_RESULTS_ROOT";
      const txs = a.results.map((result, index) => ({ idHex: a.idHexes[index]!, index, result }));
      verified = { receipt, txs, txIds: a.txIds };
    }
    if (t.done) return undefined;
    this.#count(height, t, receipt, verified);
    return undefined;
  }

  /** Adds a verified answer to its group; confirms the height when the group reaches f + 1. */
  #count(height: number, t: HeightTally, receipt: BlockReceipt, list: Omit<Verified, "receipt">): void {
    if (t.done || t.counted.has(receipt.validator)) return;
    t.counted.add(receipt.validator);
    const key = groupKey(receipt);
    const group = t.groups.get(key);
    const members = group ?? [];
    if (!group) t.groups.set(key, members);
    members.push({ receipt, txs: list.txs, txIds: list.txIds });
    if (t.groups.size > 1 && !group) this.stats.conflicts++;
    if (members.length >= this.confirmations) this.#confirm(height, t, members);
  }

  #confirm(height: number, t: HeightTally, members: Verified[]): void {
    t.done = true;
    t.deferred = [];
    const receipts = members.map((m) => m.receipt).sort((a, b) => a.validator - b.validator);
    const first = members[0]!;
    const block: ConfirmedBlock = {
      height,
      blockId: first.receipt.blockId,
      resultsRoot: first.receipt.resultsRoot,
      confirmedBy: receipts.map((r) => r.validator),
      receipts,
      txs: first.txs,
    };
    this.stats.blocksConfirmed++;
    this.stats.txsConfirmed += block.txs.length;
    if (height > this.#newestConfirmed) {
      this.#newestConfirmed = height;
      for (const h of this.#tallies.keys()) if (h <= height - this.opts.retainHeights) this.#tallies.delete(h);
    }
    for (const l of this.#listeners) {
      try {
        l(block);
      } catch {
        // a listener's bug must not stop confirmations
      }
    }
    if (this.#waiters.size === 0 && this.opts.rememberTxs === 0) return;
    for (const tx of block.txs) {
      const found = { ...tx, block };
      if (this.opts.rememberTxs > 0) {
        this.#remembered.set(tx.idHex, found);
        if (this.#remembered.size > this.opts.rememberTxs)
          this.#remembered.delete(this.#remembered.keys().next().value as string);
      }
      const waiting = this.#waiters.get(tx.idHex);
      if (waiting) for (const w of [...waiting]) w(found);
    }
  }

  #reject(why: WatcherRejection): void {
    this.stats.rejected[why] = (this.stats.rejected[why] ?? 0) + 1;
  }
}

function groupKey(receipt: BlockReceipt): string {
  return `${toHex(receipt.blockId)}:${toHex(receipt.resultsRoot)}`;
}

/** Whether an answer lists the same ids and results as a verified list (so it has the same root). */
function sameList(v: Verified, a: ResultsAnswer): boolean {
  if (v.txs.length !== a.results.length) return false;
  for (let i = 0; i < a.results.length; i++) {
    const x = v.txs[i]!.result;
    const y = a.results[i]!;
    if (x.code !== y.code || !bytesEqual(x.data, y.data) || !bytesEqual(v.txIds[i]!, a.txIds[i]!)) return false;
  }
  return true;
}

/** A results answer in JSON: `{receipt, txs: [{id, result}]}`; throws WireError on any bad field. */
function parseResultsJson(body: unknown): ResultsAnswer {
  const b = body as { receipt?: unknown; txs?: unknown } | null;
  if (typeof b !== "object" || b === null || !Array.isArray(b.txs)) throw new WireError("no txs list");
  const receipt = parseReceipt(b.receipt);
  const n = b.txs.length;
  const txIds: Uint8Array[] = new Array(n);
  const idHexes: string[] = new Array(n);
  const results: TxResult[] = new Array(n);
  b.txs.forEach((x: unknown, i) => {
    const o = x as { id?: unknown; result?: unknown } | null;
    if (typeof o?.id !== "string" || typeof o.result !== "object" || o.result === null)
      throw new WireError(`txs[${i}] is not {id, result}`);
    const id = fromHex(o.id);
    if (id.length !== HASH_LENGTH) throw new WireError(`txs[${i}].id is not 32 bytes`);
    txIds[i] = id;
    idHexes[i] = o.id;
    results[i] = parseResult(o.result);
  });
  return { receipt, txIds, idHexes, results };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;

/** Fills defaults and checks every option; a bad one throws ClientOptionsError naming it. */
export function validateCommitWatcherOptions(init: CommitWatcherInit): CommitWatcherOptions {
  const opts: CommitWatcherOptions = { ...defaultCommitWatcherOptions, ...init };
  const fail = (field: string, expected: string): never => {
    throw new ClientOptionsError("INVALID_OPTIONS", `commit watcher option ${field} must be ${expected}`, { field });
  };
  if (!Array.isArray(opts.urls) || opts.urls.length === 0) fail("urls", "a non-empty list of validator URLs");
  if (new Set(opts.urls).size !== opts.urls.length) fail("urls", "distinct URLs");
  if (typeof opts.chainId !== "string" || opts.chainId.length === 0) fail("chainId", "a non-empty string");
  if (!opts.validators || typeof opts.validators.publicKey !== "function") fail("validators", "a ValidatorSet");
  for (const f of [
    "maxFetches",
    "reconnectMinMs",
    "reconnectMaxMs",
    "maxBackfill",
    "retainHeights",
    "requestTimeoutMs",
  ] as const)
    if (!positiveInt(opts[f])) fail(f, "a positive integer");
  if (!Number.isInteger(opts.rememberTxs) || opts.rememberTxs < 0) fail("rememberTxs", "a non-negative integer");
  if (opts.reconnectMaxMs < opts.reconnectMinMs) fail("reconnectMaxMs", "at least reconnectMinMs");
  return opts;
}
