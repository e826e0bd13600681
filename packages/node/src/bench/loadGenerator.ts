import { type ConfirmedBlock, nodeHttpRequest } from "@ordo/sdk";
import { Writer } from "@ordo/types";
import { LatencyRecorder } from "./latencyStats.js";
import type { PreparedTx, TxFactory } from "./txFactory.js";

/** Closed loop: keep `outstanding` transactions unconfirmed at all times. Open loop: submit `rate` per second. */
export type LoadMode = { kind: "closed"; outstanding: number } | { kind: "open"; rate: number };

export interface LoadGeneratorOptions {
  /** Validator API base URLs; submissions are spread over all of them. */
  urls: readonly string[];
  mode: LoadMode;
  /** Most transactions per POST /v1/txs. */
  maxTxsPerRequest: number;
  /** Most POSTs in flight per validator (closed loop; the open loop keeps one). */
  maxRequestsPerUrl: number;
  /** Send each account's transactions to one validator (`account mod n`), so its nonces arrive in order. */
  routeByAccount: boolean;
  /** An accepted transaction still unconfirmed after this long is counted lost and forgotten. */
  lostAfterMs: number;
}

export const defaultLoadGeneratorOptions = Object.freeze({
  maxTxsPerRequest: 2_000,
  maxRequestsPerUrl: 4,
  routeByAccount: false,
  lostAfterMs: 30_000,
}) satisfies Partial<LoadGeneratorOptions>;

/** Counters of one measurement window. */
export interface WindowCounts {
  submitted: number;
  committed: number;
  /** Committed with a result code other than 0 (a nonce race in bank/kv, say). */
  failed: number;
  rejected: Record<string, number>;
  lost: number;
  blocks: number;
}

/** The open loop's pace: transactions due are queued, and sent, every this many ms. */
const OPEN_TICK_MS = 5;

const emptyCounts = (): WindowCounts => ({ submitted: 0, committed: 0, failed: 0, rejected: {}, lost: 0, blocks: 0 });

/**
 * The bench's load: builds transactions from a TxFactory, submits them in batches (POST /v1/txs)
 * spread over the validators, and takes confirmations from a CommitWatcher (`onConfirmedBlock`):
 * latency is from the moment a transaction's POST is issued (open loop: its scheduled time, so a
 * stalled generator does not hide queueing) to the moment f + 1 matching verified receipts are in.
 */
export class LoadGenerator {
  readonly opts: LoadGeneratorOptions;
  /** Latencies (ms) of the current window, and of the current progress interval. */
  readonly window = new LatencyRecorder();
  readonly interval = new LatencyRecorder();
  counts: WindowCounts = emptyCounts();
  intervalCommitted = 0;
  /** Transport failures of POST /v1/txs (whole batches). */
  postErrors = 0;
  lastPostError = "";
  readonly #factory: TxFactory;
  /** Unconfirmed accepted (or being submitted) transactions: id -> submit time. */
  readonly #inflight = new Map<string, number>();
  readonly #queues: { tx: PreparedTx; at?: number }[][];
  readonly #active: number[];
  #running = false;
  #flushScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #openStart = 0;
  #openSent = 0;
  #rr = 0;
  #lostSweep: NodeJS.Timeout | undefined;
  readonly #idle: (() => void)[] = [];

  constructor(init: Pick<LoadGeneratorOptions, "urls" | "mode"> & Partial<LoadGeneratorOptions>, factory: TxFactory) {
    this.opts = { ...defaultLoadGeneratorOptions, ...init };
    this.#factory = factory;
    this.#queues = this.opts.urls.map(() => []);
    this.#active = this.opts.urls.map(() => 0);
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.opts.mode.kind === "closed") this.#refill();
    else {
      this.#openStart = performance.now();
      this.#openSent = 0;
      this.#timer = setInterval(() => this.#openTick(), OPEN_TICK_MS);
    }
    this.#lostSweep = setInterval(() => this.#sweepLost(), 1_000);
  }

  /** Stops submitting (confirmations still count); resolves once no POST is in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#timer);
    clearInterval(this.#lostSweep);
    for (const q of this.#queues) q.length = 0;
    if (this.#active.some((n) => n > 0)) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Starts a new measurement window: counters and latencies from here on. */
  beginWindow(): void {
    this.counts = emptyCounts();
    this.window.reset();
  }

  /** The load level changes (a sweep): closed loop tops up or lets the excess drain. */
  setMode(mode: LoadMode): void {
    this.opts.mode = mode;
    if (mode.kind === "closed" && this.#running) this.#refill();
  }

  /** Feed from CommitWatcher.onBlock. */
  onConfirmedBlock(block: ConfirmedBlock): void {
    const now = performance.now();
    let mine = 0;
    for (const tx of block.txs) {
      const t0 = this.#inflight.get(tx.idHex);
      if (t0 === undefined) continue;
      this.#inflight.delete(tx.idHex);
      mine++;
      const ms = now - t0;
      this.window.add(ms);
      this.interval.add(ms);
      if (tx.result.code !== 0) this.counts.failed++;
    }
    if (mine > 0) this.counts.blocks++;
    this.counts.committed += mine;
    this.intervalCommitted += mine;
    if (this.#running && this.opts.mode.kind === "closed") this.#refill();
  }

  #refill(): void {
    if (this.opts.mode.kind !== "closed") return;
    const want = this.opts.mode.outstanding - this.#inflight.size - this.#queued();
    if (want <= 0) return;
    const to = this.#nextQueue();
    for (let k = 0; k < want; k++) this.#enqueue(this.#factory.next(), undefined, to);
    this.#scheduleFlush();
  }

  /**
   * The validator that takes the next burst (a refill, an open-loop tick) whole, in turn: one POST
   * per confirmed block instead of one per validator, which cost the generator and each validator a
   * request apiece (HTTP, admission, a relayed frame to every peer) for a quarter of the transactions.
   */
  #nextQueue(): number {
    return this.#rr++ % this.opts.urls.length;
  }

  #openTick(): void {
    if (this.opts.mode.kind !== "open") return;
    const now = performance.now();
    const due = Math.floor(((now - this.#openStart) / 1000) * this.opts.mode.rate) - this.#openSent;
    const to = due > 0 ? this.#nextQueue() : 0;
    for (let k = 0; k < due; k++) {
      // Scheduled time of this transaction: latency counts from when it should have left.
      const at = this.#openStart + ((this.#openSent + 1) / this.opts.mode.rate) * 1000;
      this.#openSent++;
      this.#enqueue(this.#factory.next(), at, to);
    }
    if (due > 0) this.#scheduleFlush();
  }

  #queued(): number {
    let n = 0;
    for (const q of this.#queues) n += q.length;
    return n;
  }

  /** Queues `tx` for validator `to`, or its account's validator with `routeByAccount`. */
  #enqueue(tx: PreparedTx, at: number | undefined, to: number): void {
    const n = this.opts.urls.length;
    const i = this.opts.routeByAccount ? tx.account % n : to;
    this.#queues[i]!.push(at === undefined ? { tx } : { tx, at });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      for (let i = 0; i < this.#queues.length; i++) this.#flush(i);
    });
  }

  #flush(i: number): void {
    const q = this.#queues[i]!;
    // Open loop: one POST in flight per validator, sent on a tick, so what falls due in between
    // goes out as one batch (a POST of a few transactions each cost the generator more than the
    // transactions). Latency still counts from each transaction's scheduled time.
    const most = this.opts.mode.kind === "open" ? 1 : this.opts.maxRequestsPerUrl;
    while (q.length > 0 && this.#active[i]! < most) {
      const batch = q.splice(0, this.opts.maxTxsPerRequest);
      void this.#post(i, batch);
    }
  }

  async #post(i: number, batch: { tx: PreparedTx; at?: number }[]): Promise<void> {
    this.#active[i]!++;
    const now = performance.now();
    for (const b of batch) this.#inflight.set(b.tx.idHex, b.at ?? now);
    this.counts.submitted += batch.length;
    try {
      const res = await nodeHttpRequest(`${this.opts.urls[i]}/v1/txs/binary`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: binaryBatch(batch),
        timeoutMs: 30_000,
      });
      const json = JSON.parse(res.body.toString("utf8")) as {
        accepted?: number;
        rejected?: { index?: number; code?: string }[];
      };
      if (typeof json.accepted !== "number" || !Array.isArray(json.rejected))
        throw new Error(`HTTP ${res.status}: ${JSON.stringify(json).slice(0, 200)}`);
      for (const r of json.rejected) {
        const b = batch[r.index ?? -1];
        if (b) this.#forget(b.tx.idHex, r.code ?? "UNKNOWN");
      }
    } catch (err) {
      this.postErrors++;
      this.lastPostError = (err as Error).message;
      for (const b of batch) this.#forget(b.tx.idHex, "POST_FAILED");
    } finally {
      this.#active[i]!--;
      if (this.#running) {
        if (this.opts.mode.kind === "closed") this.#flush(i);
        if (this.opts.mode.kind === "closed") this.#refill();
      }
      if (this.#active.every((n) => n === 0)) for (const r of this.#idle.splice(0)) r();
    }
  }

  #forget(idHex: string, code: string): void {
    // Confirmed already (a duplicate accepted late)? Then there is nothing to forget.
    if (!this.#inflight.delete(idHex)) return;
    this.counts.rejected[code] = (this.counts.rejected[code] ?? 0) + 1;
  }

  #sweepLost(): void {
    const old = performance.now() - this.opts.lostAfterMs;
    for (const [id, t0] of this.#inflight) {
      if (t0 >= old) break; // insertion order is submission order (closely enough)
      this.#inflight.delete(id);
      this.counts.lost++;
    }
    if (this.#running && this.opts.mode.kind === "closed") this.#refill();
  }
}

/** POST /v1/txs/binary's body: u32 count, then each transaction's canonical encoding. */
function binaryBatch(batch: readonly { tx: PreparedTx }[]): Uint8Array {
  let total = 4;
  for (const b of batch) total += b.tx.bytes.length;
  const w = new Writer(total).u32(batch.length);
  for (const b of batch) w.raw(b.tx.bytes);
  return w.finish();
}
