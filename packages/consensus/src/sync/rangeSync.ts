import type { CertificateVerifier } from "@ordo/crypto";
import type { CommittedRangeRequest, CommittedRangeResponse } from "@ordo/types";
import type { TimeService } from "../timeService.js";
import { type RangeAnchor, type VerifiedRange, verifyCommittedRange } from "./committedRange.js";

export interface RangeSyncOptions {
  /** Blocks asked per request (at most the codec's maxBlocksPerResponse). */
  batch: number;
  /** Requests wait while the executor is more than this many blocks behind what was synced. */
  maxExecutionLag: number;
  /** How often to look at the executor again while waiting for it, in ms. */
  pollMs: number;
  /** Least interval between two progress log lines, in ms. */
  logEveryMs: number;
}

export const defaultRangeSyncOptions: Readonly<RangeSyncOptions> = Object.freeze({
  batch: 64,
  maxExecutionLag: 256,
  pollMs: 10,
  logEveryMs: 1000,
});

export interface RangeSyncModules {
  request(peer: number, req: CommittedRangeRequest): Promise<CommittedRangeResponse>;
  verifier: CertificateVerifier;
  time: TimeService;
  /** The committed root now: where the next range must attach. */
  anchor(): RangeAnchor;
  /** Commits and delivers a verified range (through the round manager's event loop); rejects if it no longer attaches. */
  apply(range: VerifiedRange): Promise<void>;
  executedHeight(): number;
  log?: (level: "debug" | "info" | "warn", msg: string, meta?: Record<string, unknown>) => void;
}

/** Where a block sync stands, for logs and the node's status. */
export interface RangeSyncProgress {
  syncing: boolean;
  peer: number;
  startHeight: number;
  /** Highest committed height a peer reported. */
  targetHeight: number;
  syncedBlocks: number;
  failures: number;
}

/**
 * Block sync: fetches the committed chain forwards from the committed root, one bounded chunk at a
 * time, each verified with its commit proof (`verifyCommittedRange`) before the round manager
 * commits and delivers it. Never holds more than one chunk, and waits while execution lags by more
 * than `maxExecutionLag` blocks, so memory stays bounded whatever the gap. Ends when no peer can
 * prove anything above our root (we are within a block or two of them): the usual parent walk
 * fetches the rest. No I/O of its own: requests, clock and the apply step are injected.
 */
export class RangeSync {
  readonly #o: RangeSyncOptions;
  readonly #m: RangeSyncModules;
  readonly progress: RangeSyncProgress;
  #lastLog = Number.NEGATIVE_INFINITY;

  constructor(opts: Partial<RangeSyncOptions>, modules: RangeSyncModules, peer: number) {
    this.#o = { ...defaultRangeSyncOptions, ...opts };
    this.#m = modules;
    const start = modules.anchor().height;
    this.progress = { syncing: true, peer, startHeight: start, targetHeight: start, syncedBlocks: 0, failures: 0 };
  }

  /**
   * Syncs from `peers` (the first is asked first; the next one on a failure or an empty answer)
   * until none has anything provable above our root, or every one failed in a row. Resolves with
   * the number of blocks synced; never rejects.
   */
  async run(peers: readonly number[]): Promise<number> {
    const p = this.progress;
    let idx = 0;
    let emptyOrFailedInARow = 0;
    this.#m.log?.("info", "block sync started", { from: p.startHeight + 1, peer: peers[0] });
    try {
      while (peers.length > 0 && emptyOrFailedInARow < peers.length) {
        const peer = peers[idx % peers.length]!;
        p.peer = peer;
        await this.#waitForExecution();
        const anchor = this.#m.anchor();
        let range: VerifiedRange | undefined;
        try {
          const res = await this.#m.request(peer, { fromHeight: anchor.height + 1, count: this.#o.batch });
          p.targetHeight = Math.max(p.targetHeight, res.committedHeight);
          if (res.blocks.length > 0) range = verifyCommittedRange(res, anchor, this.#m.verifier, peer);
        } catch (err) {
          p.failures++;
          this.#m.log?.("warn", "block sync request failed", { peer, error: String((err as Error)?.message ?? err) });
        }
        if (!range) {
          emptyOrFailedInARow++;
          idx++;
          continue;
        }
        try {
          await this.#m.apply(range);
        } catch (err) {
          // Our root moved meanwhile (consensus committed on its own): ask again from the new one.
          this.#m.log?.("debug", "block sync chunk not applied", { error: String((err as Error)?.message ?? err) });
          continue;
        }
        emptyOrFailedInARow = 0;
        p.syncedBlocks += range.blocks.length;
        this.#logProgress(false);
      }
    } finally {
      p.syncing = false;
      this.#logProgress(true);
    }
    return p.syncedBlocks;
  }

  async #waitForExecution(): Promise<void> {
    while (this.#m.anchor().height - this.#m.executedHeight() > this.#o.maxExecutionLag) {
      await new Promise<void>((resolve) => this.#m.time.setTimeout(resolve, this.#o.pollMs));
    }
  }

  #logProgress(final: boolean): void {
    const now = this.#m.time.now();
    if (!final && now - this.#lastLog < this.#o.logEveryMs) return;
    this.#lastLog = now;
    const p = this.progress;
    const height = this.#m.anchor().height;
    this.#m.log?.("info", final ? "block sync finished" : "block sync progress", {
      height,
      target: p.targetHeight,
      synced: p.syncedBlocks,
      executed: this.#m.executedHeight(),
      peer: p.peer,
      failures: p.failures,
    });
  }
}
