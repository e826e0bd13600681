import { CertificateVerifier, type KeyPair, type ValidatorSet, verifyTransaction } from "@ordo/crypto";
import {
  type Block,
  type BlockRequest,
  type BlockResponse,
  blockId,
  bytesEqual,
  type CommittedRangeRequest,
  type CommittedRangeResponse,
  type ConsensusMessage,
  defaultLimits,
  encodedTransactionLength,
  genesisQuorumCert,
  OrdoError,
  type QuorumCert,
  type SyncInfo,
  type Timeout,
  type TimeoutCert,
  type Transaction,
  toHex,
  transactionId,
  transactionIdHex,
  type Vote,
} from "@ordo/types";
import { type BlockRecord, BlockTree, blockRecord } from "./blockTree/blockTree.js";
import type { ConsensusStorage } from "./consensusStorage.js";
import { DivergenceMonitor } from "./divergenceMonitor.js";
import { type DivergenceError, ProposalError, SyncError, TimeoutMessageError, VoteError } from "./errors.js";
import type { Executor } from "./executor.js";
import type { ProposerElection } from "./liveness/proposerElection.js";
import { ProposalGenerator } from "./liveness/proposalGenerator.js";
import { RoundRobinProposerElection } from "./liveness/roundRobinProposerElection.js";
import { RoundState } from "./liveness/roundState.js";
import { TimeoutCollector } from "./liveness/timeoutCollector.js";
import { type AddOutcome, Mempool, type MempoolOptions } from "./mempool/mempool.js";
import type { ConsensusNetwork } from "./network.js";
import { checkNoReplay, checkProposal } from "./proposalChecks.js";
import { blockOverheadBytes, validateRoundManagerOptions } from "./roundManagerOptions.js";
import { SafetyRules } from "./safety/safetyRules.js";
import type { SafetyStorage } from "./safety/safetyStorage.js";
import { fetchMissingChain } from "./sync/blockFetcher.js";
import { anchorOf, serveCommittedRange, type VerifiedRange } from "./sync/committedRange.js";
import { RangeSync, type RangeSyncOptions, type RangeSyncProgress } from "./sync/rangeSync.js";
import type { TimeService } from "./timeService.js";
import { VoteAggregator } from "./voteAggregator.js";

export interface RoundManagerOptions {
  chainId: string;
  /** This replica's validator index. */
  index: number;
  validators: ValidatorSet;
  genesis: { block: Block; id: Uint8Array };
  maxTxsPerBlock: number;
  maxBlockBytes: number;
  /** Longest a leader holds a partial batch once it has transactions. */
  maxBatchWaitMs: number;
  baseTimeoutMs: number;
  maxBackoffExponent?: number;
  txAuth: "ed25519" | "none";
  /** Blocks per fetch request when catching up on missing ancestors. */
  fetchBatch?: number;
  /**
   * Votes and timeouts for rounds further ahead than this are not collected (their certificates
   * still count): each needs state, and a Byzantine validator could sign one for every round.
   */
  maxRoundsAhead?: number;
  mempool?: Partial<MempoolOptions>;
  /**
   * Where votes go (what is voted for, and when, is the same in every mode):
   * - "nextLeader": to the next leader only (PROTOCOL.md's flow, n votes a round). The others
   *   learn a commit from the proposal after it, so a leader proposes an empty block for that
   *   even when there is nothing more to order.
   * - "all": to every validator, so each forms the QCs itself and learns a commit as soon as the
   *   child is certified, one message delay sooner (n^2 votes a round: more CPU per block).
   * - "auto" (default): votes for a block with transactions to the next leader (under load the
   *   next proposal follows at once anyway), votes for an empty block to every validator. An
   *   empty block certified is then enough for everyone to commit its parent: no extra round
   *   when the load stops, and n^2 votes only for empty blocks.
   */
  voteDelivery?: VoteDelivery;
  /**
   * Block sync: a QC more than this many rounds above the committed root makes the replica fetch
   * committed ranges (with commit proofs) before the parent walk, when the network can
   * (`ConsensusNetwork.requestRange`). Default 64.
   */
  rangeSyncAfterRounds?: number;
  rangeSync?: Partial<RangeSyncOptions>;
}

export type VoteDelivery = "auto" | "all" | "nextLeader";
export const voteDeliveries: readonly VoteDelivery[] = Object.freeze(["auto", "all", "nextLeader"]);

export interface RoundManagerModules {
  key: KeyPair;
  network: ConsensusNetwork;
  time: TimeService;
  executor: Executor;
  safetyStorage: SafetyStorage;
  storage: ConsensusStorage;
  /** Schedules an event to be handled later, one at a time (timers and fetch results come back this way). */
  post: (event: ConsensusEvent) => void;
  election?: ProposerElection;
  /** Replaces the safety rules (tests only: a deliberately broken rule shows the simulator catches it). */
  safetyRules?: SafetyRules;
  log?: (level: "debug" | "info" | "warn", msg: string, meta?: Record<string, unknown>) => void;
  /**
   * Whether the client signature of the transaction with this id (hex) was already found good
   * elsewhere (the node checks proposals' transactions on worker threads before handing them
   * over). An id covers the signature, so a good verdict for the id is one for these exact bytes.
   */
  signatureVerified?: (idHex: string) => boolean;
}

export type ConsensusEvent =
  | { kind: "message"; from: number; message: ConsensusMessage }
  | { kind: "localTimeout"; round: number }
  | { kind: "transactions"; txs: Transaction[]; verified?: boolean }
  | { kind: "proposalTimer"; round: number }
  | { kind: "fetched"; blocks: Block[]; from: number; retry: ConsensusMessage }
  | { kind: "fetchFailed"; idHex: string; reason: string }
  /** Block sync: a verified committed range to commit; `done` says whether it attached. */
  | { kind: "rangeFetched"; range: VerifiedRange; done: (err?: Error) => void }
  | { kind: "rangeSyncDone"; from: number; retry: ConsensusMessage; synced: number }
  /** A vote or timeout whose SafetyData became durable after the step that signed it (see SafetyRules). */
  | { kind: "released"; message: SignedMessage };

/** A vote or timeout signed by SafetyRules, to send once released. */
type SignedMessage = { kind: "vote"; vote: Vote } | { kind: "timeout"; timeout: Timeout };

export interface RoundManagerStats {
  proposals: number;
  votes: number;
  timeouts: number;
  commits: number;
  rejected: Record<string, number>;
  /** Errors that are not rejections of peer input: bugs. Tests require zero. */
  internalErrors: number;
}

/**
 * The consensus state machine of one replica (PROTOCOL.md). It handles one event at a time and
 * does no I/O of its own: network, storage, clock and execution are injected. Peer input never
 * throws out of `handle`: it is rejected, counted and logged.
 */
export class RoundManager {
  readonly #o: Required<RoundManagerOptions>;
  readonly #m: RoundManagerModules;
  readonly #verifier: CertificateVerifier;
  readonly #election: ProposerElection;
  readonly #safety: SafetyRules;
  readonly #round: RoundState;
  readonly #votes: VoteAggregator;
  readonly mempool: Mempool;
  #tree!: BlockTree;
  #lastTc: TimeoutCert | null = null;
  #timeouts = new Map<number, TimeoutCollector>();
  #timedOutRound = -1;
  #proposedRound = -1;
  #proposalTimerRound = -1;
  /** While the batch timer runs: the mempool's transactions already in the uncommitted chain then. */
  #waitingInChain = 0;
  #fetching = new Set<string>();
  #halted: DivergenceError | null = null;
  readonly #divergence: DivergenceMonitor;
  readonly #proposer: ProposalGenerator;
  readonly #pendingQcs = new Map<string, QuorumCert>();
  /**
   * Validators whose last led round ended in a timeout certificate (a crashed or cut-off leader),
   * until a proposal of theirs arrives. A vote whose next leader is suspected goes to every
   * validator, so any of them can form the QC and the round does not time out as well.
   */
  readonly #suspects = new Set<number>();
  /** The last round this replica voted for a proposal in (a timeout does not count). */
  #votedRound = -1;
  #rangeSync: RangeSync | null = null;
  /** Committed root height at which a block sync last found nothing: no new one until the root moves. */
  #rangeSyncIdleAt = -1;
  #lastRangeSync: RangeSyncProgress | null = null;
  readonly stats: RoundManagerStats = {
    proposals: 0,
    votes: 0,
    timeouts: 0,
    commits: 0,
    rejected: {},
    internalErrors: 0,
  };

  constructor(opts: RoundManagerOptions, modules: RoundManagerModules) {
    this.#o = validateRoundManagerOptions(opts);
    this.#m = modules;
    this.#verifier = new CertificateVerifier({
      chainId: opts.chainId,
      validators: opts.validators,
      genesisBlockId: opts.genesis.id,
    });
    this.#election = modules.election ?? new RoundRobinProposerElection(opts.validators.n);
    this.#safety =
      modules.safetyRules ??
      new SafetyRules(
        { chainId: opts.chainId, index: opts.index },
        {
          key: modules.key,
          storage: modules.safetyStorage,
          onStoreFailed: (err) =>
            modules.log?.("warn", "safety data not written: the signatures waiting for it are dropped", {
              error: err.message,
            }),
        },
      );
    this.#votes = new VoteAggregator(opts.validators.quorum);
    this.mempool = new Mempool(opts.mempool);
    this.#proposer = new ProposalGenerator(
      {
        chainId: opts.chainId,
        index: opts.index,
        maxTxsPerBlock: opts.maxTxsPerBlock,
        maxBatchBytes: opts.maxBlockBytes - blockOverheadBytes(opts.validators.n),
        maxBatchWaitMs: opts.maxBatchWaitMs,
        // Votes to the next leader only: the others learn a commit from the proposal after it.
        drainForOthers: this.#o.voteDelivery === "nextLeader",
      },
      { key: modules.key, mempool: this.mempool, executor: modules.executor, time: modules.time },
    );
    this.#divergence = new DivergenceMonitor(opts.validators.f, (height) => modules.executor.appHashAt(height));
    this.#round = new RoundState(
      { baseTimeoutMs: this.#o.baseTimeoutMs, maxBackoffExponent: this.#o.maxBackoffExponent },
      { time: modules.time, onLocalTimeout: (round) => modules.post({ kind: "localTimeout", round }) },
    );
  }

  get currentRound(): number {
    return this.#round.currentRound;
  }

  get highQc(): QuorumCert {
    return this.#tree.highQc;
  }

  get committedRoot(): BlockRecord {
    return this.#tree.root;
  }

  /** Why this replica halted (its state diverged from f + 1 proposers'), or null. */
  get halted(): DivergenceError | null {
    return this.#halted;
  }

  get safetyData() {
    return this.#safety.data;
  }

  /** The running block sync's progress, else the last one's, else null. */
  get syncProgress(): RangeSyncProgress | null {
    return this.#rangeSync?.progress ?? this.#lastRangeSync;
  }

  leader(round: number): number {
    return this.#election.leader(round);
  }

  /** Rebuilds state from storage (or genesis), re-delivers committed blocks not yet executed, and enters a round. */
  start(): void {
    const storage = this.#m.storage;
    const tip = storage.committedTip();
    const root = tip
      ? blockRecord(tip.block, blockId(tip.block.header))
      : blockRecord(this.#o.genesis.block, this.#o.genesis.id);
    const rootQc = tip ? tip.qc : genesisQuorumCert(this.#o.genesis.id);
    this.#tree = new BlockTree(root, rootQc);
    const stored = storage.blocksAboveRound(root.round).sort((a, b) => a.header.height - b.header.height);
    for (const b of stored) {
      const rec = blockRecord(b, blockId(b.header));
      if (this.#tree.has(rec.parentHex)) this.#tree.insert(rec);
    }
    this.#redeliver(root.height);
    // The high QC can be on disk while the commit it caused is not (separate writes, a kill between
    // them): inserting it commits again, and those blocks must be stored and delivered like any commit.
    const highQc = storage.highQc();
    if (highQc && this.#tree.has(toHex(highQc.blockId))) {
      const commit = this.#tree.insertQc(highQc);
      if (commit) this.#deliver(commit.blocks, commit.commitQc);
    }
    this.#lastTc = storage.highTc() ?? null;
    this.#guard("start", () => {
      const entered = this.#round.processCertificates(this.#tree.highQc.round, this.#lastTc?.round ?? null);
      if (entered) this.#onNewRound(entered.round);
    });
  }

  stop(): void {
    this.#round.stop();
  }

  /** Handles one event. Never throws for bad peer input. */
  handle(event: ConsensusEvent): void {
    if (this.#halted) return;
    this.#guard(event.kind === "message" ? event.message.kind : event.kind, () => this.#dispatch(event));
  }

  #dispatch(event: ConsensusEvent): void {
    switch (event.kind) {
      case "message":
        this.#onMessage(event.from, event.message);
        return;
      case "localTimeout":
        this.#onLocalTimeout(event.round);
        return;
      case "transactions":
        this.submitTransactions(event.txs, event.verified ?? false);
        return;
      case "proposalTimer":
        if (event.round === this.currentRound) this.#propose(event.round, true);
        return;
      case "fetched":
        this.#onFetched(event.blocks, event.from, event.retry);
        return;
      case "fetchFailed":
        this.#fetching.delete(event.idHex);
        this.#reject("fetch", "SYNC_FAILED", event.reason);
        return;
      case "rangeFetched":
        try {
          this.#applyRange(event.range);
        } catch (err) {
          event.done(err as Error);
          throw err;
        }
        event.done();
        return;
      case "released":
        this.#sendSigned(event.message);
        return;
      case "rangeSyncDone":
        this.#lastRangeSync = this.#rangeSync?.progress ?? null;
        this.#rangeSync = null;
        if (event.synced === 0) this.#rangeSyncIdleAt = this.#tree.root.height;
        this.#onMessage(event.from, event.retry);
        return;
    }
  }

  /** Runs one step; rejections are counted and logged, anything else is an internal error (a bug). */
  #guard(kind: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof OrdoError) {
        this.#reject(kind, err.code, err.message);
      } else {
        this.stats.internalErrors++;
        this.#m.log?.("warn", "internal error handling event", {
          kind,
          error: String(err),
          stack: (err as Error)?.stack,
        });
      }
    }
  }

  /** Admits transactions to the mempool; `verified` says their signatures were already checked (worker pool). */
  submitTransactions(
    txs: readonly Transaction[],
    verified: boolean,
  ): AddOutcome[] | ("bad_signature" | "wrong_chain")[] {
    const outcomes: (AddOutcome | "bad_signature" | "wrong_chain")[] = [];
    let added = false;
    for (const tx of txs) {
      if (tx.chainId !== this.#o.chainId) {
        outcomes.push("wrong_chain");
        continue;
      }
      if (!verified && this.#o.txAuth === "ed25519" && !verifyTransaction(tx)) {
        outcomes.push("bad_signature");
        continue;
      }
      const outcome = this.mempool.add(tx, transactionId(tx), encodedTransactionLength(tx));
      added ||= outcome === "added";
      outcomes.push(outcome);
    }
    if (added) this.#maybeScheduleProposal();
    return outcomes as AddOutcome[];
  }

  /**
   * Serves a peer's block request from the tree, then from storage: up to `count` blocks walking
   * parents, fewer if more would not fit in one message (the peer asks again from where it stopped).
   */
  serveBlockRequest(req: BlockRequest): BlockResponse {
    const blocks: Block[] = [];
    const maxCount = Math.min(req.count, defaultLimits.maxBlocksPerResponse);
    const budget = defaultLimits.maxMessageBytes / 2;
    let bytes = 0;
    let id = req.blockId;
    while (blocks.length < maxCount) {
      const block = this.#tree.get(toHex(id))?.block ?? this.#m.storage.getBlock(id);
      if (!block || block.header.height === 0) break;
      bytes += blockOverheadBytes(this.#o.validators.n);
      for (const tx of block.txs) bytes += encodedTransactionLength(tx);
      if (blocks.length > 0 && bytes > budget) break;
      blocks.push(block);
      id = block.header.parentId;
    }
    return { blocks };
  }

  /**
   * Serves block sync: committed blocks from `fromHeight`, with the proof that the last one is
   * committed (see `serveCommittedRange`), from storage and, one above the root, the tree.
   */
  serveCommittedRange(req: CommittedRangeRequest): CommittedRangeResponse {
    const root = this.#tree.root;
    const commitQc = this.#tree.highCommitQc;
    const child = commitQc.round > root.round ? this.#tree.get(toHex(commitQc.blockId)) : undefined;
    const storage = this.#m.storage;
    const tip = storage.committedTip();
    return serveCommittedRange(
      req,
      {
        rootHeight: root.height,
        blockAt: (h) => (h === root.height ? root.block : storage.committedBlockAt(h)),
        rootQc: tip && bytesEqual(tip.qc.blockId, root.id) ? tip.qc : undefined,
        rootChild: child && child.parentHex === root.idHex ? { header: child.block.header, qc: commitQc } : undefined,
      },
      {
        maxBlocks: defaultLimits.maxBlocksPerResponse,
        maxBytes: defaultLimits.maxMessageBytes / 2,
        blockOverheadBytes: blockOverheadBytes(this.#o.validators.n),
      },
    );
  }

  syncInfo(): SyncInfo {
    return { highQc: this.#tree.highQc, highCommitQc: this.#tree.highCommitQc, lastTc: this.#lastTc };
  }

  // --- messages ---

  #onMessage(from: number, m: ConsensusMessage): void {
    switch (m.kind) {
      case "proposal":
        this.#onProposal(from, m.block, m);
        return;
      case "vote":
        this.#onVote(from, m.vote);
        return;
      case "timeout":
        this.#onTimeout(from, m.timeout, m);
        return;
      case "syncInfo":
        this.#onSyncInfo(from, m.syncInfo, m);
        return;
      case "blockRequest":
        this.#m.network.sendTo(from, { kind: "blockResponse", response: this.serveBlockRequest(m.request) });
        return;
      case "blockResponse":
        return; // answers come back through network.request, not as loose messages
    }
  }

  /** `own`: the block this replica just built as leader, which needs none of the checks on peer input. */
  #onProposal(from: number, block: Block, retry: ConsensusMessage, own = false): void {
    const h = block.header;
    if (h.round < this.currentRound) return; // stale: nothing to do
    const id = blockId(h);
    const idHex = toHex(id);
    if (this.#tree.has(idHex)) return; // duplicate
    if (from !== h.proposer) throw new ProposalError(`proposal relayed by ${from}, not its proposer`);
    const txIds = own
      ? block.txs.map(transactionIdHex)
      : checkProposal(
          block,
          id,
          this.leader(h.round),
          this.#verifier,
          { chainId: this.#o.chainId, maxTxsPerBlock: this.#o.maxTxsPerBlock, txAuth: this.#o.txAuth },
          (txIdHex) => this.mempool.has(txIdHex) || this.#m.signatureVerified?.(txIdHex) === true,
        );
    // The QC must certify a block we have before we act on it.
    if (!this.#ensureBlock(h.qc, from, retry)) return;
    this.#processQc(h.qc);
    if (h.tc) this.#processTc(h.tc);
    if (h.round !== this.currentRound) {
      throw new ProposalError(`proposal for round ${h.round} while in round ${this.currentRound}`);
    }
    const parent = this.#tree.get(toHex(h.parentId));
    if (!parent) return; // parent pruned: it forks below our committed root
    if (h.height !== parent.height + 1) throw new ProposalError("height is not parent height + 1");
    if (h.timestamp < parent.block.header.timestamp) throw new ProposalError("timestamp goes backwards");
    checkNoReplay(this.#tree, parent, txIds, (idHex) => this.mempool.isCommitted(idHex));
    const rec = blockRecord(block, id);
    this.#tree.insert(rec);
    this.#m.storage.saveBlock(id, block);
    const diverged = this.#divergence.check(h);
    if (diverged) {
      this.#halt(diverged);
      throw new ProposalError("proposal not voted for: this replica halted", diverged.meta);
    }
    const ready = this.#signed((release) => this.#safety.vote(h, id, (vote) => release({ kind: "vote", vote })));
    this.stats.votes++;
    this.#votedRound = h.round;
    this.#suspects.delete(h.proposer);
    if (ready) this.#sendSigned(ready);
    this.#takePendingQc(idHex);
  }

  /**
   * Runs a SafetyRules call whose signed message comes out once its data is durable. Released
   * during the call (nothing was waiting for the disk), the message is returned for the caller to
   * send in this step; released later, it comes back as a "released" event, handled in turn.
   */
  #signed(sign: (release: (m: SignedMessage) => void) => void): SignedMessage | undefined {
    let inStep = true;
    let ready: SignedMessage | undefined;
    sign((message) => {
      if (inStep) ready = message;
      else this.#m.post({ kind: "released", message });
    });
    inStep = false;
    return ready;
  }

  #sendSigned(m: SignedMessage): void {
    if (m.kind === "vote") this.#sendVote(m.vote);
    else this.#sendTimeout(m.timeout);
  }

  #sendVote(vote: Vote): void {
    const next = this.leader(vote.round + 1);
    // Whoever forms the QC puts our signature in it: the proposal carrying it need not check it.
    this.#verifier.rememberOwnVote(vote);
    this.#m.log?.("debug", "vote sent", {
      round: vote.round,
      blockId: toHex(vote.blockId).slice(0, 8),
      to: next,
      index: this.#o.index,
    });
    if (this.#votesToAll(vote) || this.#suspects.has(next)) {
      // Everyone (ourselves included) aggregates: by choice, or because the next leader may be down.
      this.#m.network.broadcast({ kind: "vote", vote });
      this.#onVote(this.#o.index, vote);
    } else if (next === this.#o.index) this.#onVote(this.#o.index, vote);
    else this.#m.network.sendTo(next, { kind: "vote", vote });
  }

  #votesToAll(vote: Vote): boolean {
    if (this.#o.voteDelivery !== "auto") return this.#o.voteDelivery === "all";
    const voted = this.#tree.get(toHex(vote.blockId));
    return voted === undefined || voted.block.txs.length === 0;
  }

  #onVote(from: number, vote: Vote): void {
    if (vote.voter !== from) throw new VoteError(`vote for validator ${vote.voter} sent by ${from}`);
    if (vote.round + 1 < this.currentRound) return; // stale
    if (vote.round > this.currentRound + this.#o.maxRoundsAhead) return; // see maxRoundsAhead
    // Votes go to the next leader, and to everyone when that leader is suspected (see #suspects):
    // whoever holds 2f + 1 of them forms the QC, which any replica can check.
    if (from !== this.#o.index) this.#verifier.verifyVote(vote);
    const result = this.#votes.add(vote);
    if (result === "equivocation") throw new VoteError(`validator ${from} voted twice in round ${vote.round}`);
    if (!result) return;
    // Every signature in it was checked as a vote (or is ours): cache it rather than verify it again.
    this.#verifier.rememberAssembled(result);
    // The aggregator forms a QC once: if its block is missing, keep the QC until the block arrives
    // (by proposal or fetch); replaying the votes would form nothing.
    const retry: ConsensusMessage = {
      kind: "syncInfo",
      syncInfo: { highQc: result, highCommitQc: this.#tree.highCommitQc, lastTc: null },
    };
    if (this.#ensureBlock(result, from, retry)) this.#processQc(result);
    else this.#pendingQcs.set(toHex(result.blockId), result);
  }

  /** A QC formed from votes before its block arrived: act on it now that the block is in the tree. */
  #takePendingQc(idHex: string): void {
    const qc = this.#pendingQcs.get(idHex);
    if (!qc || !this.#tree.has(idHex)) return;
    this.#pendingQcs.delete(idHex);
    this.#processQc(qc);
  }

  #onTimeout(from: number, t: Timeout, retry: ConsensusMessage): void {
    if (t.sender !== from) throw new TimeoutMessageError(`timeout for validator ${t.sender} sent by ${from}`);
    if (t.round < this.currentRound) return; // stale
    this.#verifier.verifyTimeout(t);
    if (this.#ensureBlock(t.highQc, from, retry)) this.#processQc(t.highQc);
    if (t.round < this.currentRound || t.round > this.currentRound + this.#o.maxRoundsAhead) return;
    let collector = this.#timeouts.get(t.round);
    if (!collector) this.#timeouts.set(t.round, (collector = new TimeoutCollector(t.round, this.#o.validators.quorum)));
    const tc = collector.add(t);
    // f + 1 timeouts: at least one honest replica gave up on this round, so do we.
    if (t.round === this.currentRound && collector.count > this.#o.validators.f && this.#timedOutRound < t.round) {
      this.#onLocalTimeout(t.round);
    }
    if (tc) this.#onTcFormed(tc);
  }

  #onSyncInfo(from: number, s: SyncInfo, retry: ConsensusMessage): void {
    this.#verifier.verifyQuorumCert(s.highQc);
    this.#verifier.verifyQuorumCert(s.highCommitQc);
    if (s.lastTc) this.#verifier.verifyTimeoutCert(s.lastTc);
    for (const qc of [s.highCommitQc, s.highQc]) {
      if (!this.#ensureBlock(qc, from, retry)) return;
      this.#processQc(qc);
    }
    if (s.lastTc) this.#processTc(s.lastTc);
  }

  #onLocalTimeout(round: number): void {
    if (round !== this.currentRound) return;
    const highQc = this.#tree.highQc;
    const lastTc = this.#lastTc;
    const ready = this.#signed((release) =>
      this.#safety.timeout(round, highQc, lastTc, (timeout) => release({ kind: "timeout", timeout })),
    );
    this.#timedOutRound = round;
    this.stats.timeouts++;
    this.#m.log?.("debug", "round timed out", { round, index: this.#o.index });
    if (ready) this.#sendSigned(ready);
  }

  #sendTimeout(timeout: Timeout): void {
    const round = timeout.round;
    // Peers still in an earlier round need the TC that brought us here before our timeout counts.
    if (this.#lastTc && this.#lastTc.round + 1 === round)
      this.#m.network.broadcast({ kind: "syncInfo", syncInfo: this.syncInfo() });
    this.#m.network.broadcast({ kind: "timeout", timeout });
    if (round < this.currentRound) return; // a TC formed meanwhile: the round is over
    let collector = this.#timeouts.get(round);
    if (!collector) this.#timeouts.set(round, (collector = new TimeoutCollector(round, this.#o.validators.quorum)));
    const tc = collector.add(timeout);
    if (tc) this.#onTcFormed(tc);
  }

  #onTcFormed(tc: TimeoutCert): void {
    this.#processTc(tc);
    const next = this.leader(tc.round + 1);
    if (next !== this.#o.index) this.#m.network.sendTo(next, { kind: "syncInfo", syncInfo: this.syncInfo() });
  }

  // --- certificates, rounds, commits ---

  /** True when the QC's block is in the tree (or below the root); otherwise starts a fetch and retries `retry` after. */
  #ensureBlock(qc: QuorumCert, from: number, retry: ConsensusMessage): boolean {
    const idHex = toHex(qc.blockId);
    if (this.#tree.has(idHex) || qc.round <= this.#tree.root.round) return true;
    if (this.#rangeSync || from === this.#o.index) return false; // block sync first; retried after
    if (this.#startRangeSync(qc, from, retry)) return false;
    if (this.#fetching.has(idHex)) return false;
    this.#fetching.add(idHex);
    this.#m.log?.("debug", "fetching missing blocks", {
      blockId: idHex.slice(0, 8),
      round: qc.round,
      from,
      index: this.#o.index,
    });
    const known = (h: string) => this.#tree.has(h);
    const settled = (b: Block) => b.header.round <= this.#tree.root.round;
    fetchMissingChain(this.#m.network, from, qc.blockId, known, {
      batch: this.#o.fetchBatch,
      maxBlocks: 10_000,
      settled,
    }).then(
      (blocks) => this.#m.post({ kind: "fetched", blocks, from, retry }),
      (err) => this.#m.post({ kind: "fetchFailed", idHex, reason: String((err as Error)?.message ?? err) }),
    );
    return false;
  }

  #onFetched(blocks: Block[], from: number, retry: ConsensusMessage): void {
    for (const block of blocks) {
      const id = blockId(block.header);
      const idHex = toHex(id);
      this.#fetching.delete(idHex);
      if (this.#tree.has(idHex) || block.header.round <= this.#tree.root.round) continue;
      const parent = this.#tree.get(toHex(block.header.parentId));
      if (!parent) throw new SyncError("fetched block does not connect to the tree");
      checkProposal(
        block,
        id,
        this.leader(block.header.round),
        this.#verifier,
        { chainId: this.#o.chainId, maxTxsPerBlock: this.#o.maxTxsPerBlock, txAuth: this.#o.txAuth },
        (txIdHex) => this.mempool.has(txIdHex) || this.#m.signatureVerified?.(txIdHex) === true,
      );
      if (block.header.height !== parent.height + 1) throw new SyncError("fetched block height mismatch");
      this.#tree.insert(blockRecord(block, id));
      this.#m.storage.saveBlock(id, block);
      // Each fetched block's QC certifies its parent: it can commit ancestors.
      this.#processQc(block.header.qc);
    }
    for (const key of [...this.#fetching]) if (this.#tree.has(key)) this.#fetching.delete(key);
    for (const idHex of [...this.#pendingQcs.keys()]) this.#takePendingQc(idHex);
    this.#onMessage(from, retry);
  }

  /** Starts block sync when `qc` is far above the committed root and the network can serve ranges. */
  #startRangeSync(qc: QuorumCert, from: number, retry: ConsensusMessage): boolean {
    const network = this.#m.network;
    const root = this.#tree.root;
    const after = this.#o.rangeSyncAfterRounds ?? 64;
    if (!network.requestRange || qc.round - root.round <= after || this.#rangeSyncIdleAt === root.height) return false;
    const peers = [from];
    for (let i = 1; i < this.#o.validators.n; i++) {
      const p = (from + i) % this.#o.validators.n;
      if (p !== this.#o.index) peers.push(p);
    }
    const sync = new RangeSync(
      this.#o.rangeSync ?? {},
      {
        request: (peer, req) => network.requestRange!(peer, req),
        verifier: this.#verifier,
        time: this.#m.time,
        anchor: () => anchorOf(this.#tree.root.block, this.#tree.root.id),
        apply: (range) =>
          new Promise<void>((resolve, reject) =>
            this.#m.post({ kind: "rangeFetched", range, done: (err) => (err ? reject(err) : resolve()) }),
          ),
        executedHeight: () => this.#m.executor.lastExecuted().height,
        log: this.#m.log,
      },
      from,
    );
    this.#rangeSync = sync;
    void sync.run(peers).then((synced) => this.#m.post({ kind: "rangeSyncDone", from, retry, synced }));
    return true;
  }

  /**
   * Commits a verified committed range (block sync) on top of the committed root: it becomes the
   * new root, with the QC certifying it; what the tree held above the old root is dropped (it is
   * fetched again if still needed).
   */
  #applyRange(range: VerifiedRange): void {
    if (this.#halted) throw new SyncError("halted");
    const root = this.#tree.root;
    if (!bytesEqual(range.anchor.id, root.id)) throw new SyncError("committed range no longer attaches to the root");
    const blocks = range.blocks;
    const last = blocks[blocks.length - 1]!;
    const lastRec = blockRecord(last, range.ids[range.ids.length - 1]!);
    this.#m.storage.saveCommitted(blocks, range.tipQc);
    const ids: string[] = [];
    for (const b of blocks) for (const tx of b.txs) ids.push(transactionIdHex(tx));
    this.mempool.markCommitted(ids);
    this.stats.commits += blocks.length;
    this.#tree = new BlockTree(lastRec, range.tipQc);
    this.#fetching.clear();
    this.#round.onCommit();
    this.#m.executor.deliver(blocks, range.commitQc);
    const entered = this.#round.processCertificates(this.#tree.highQc.round, null);
    if (entered) this.#onNewRound(entered.round);
  }

  /** A verified QC whose block is in the tree (or is old): raise high QC, commit, maybe enter a new round. */
  #processQc(qc: QuorumCert): void {
    if (this.#tree.has(toHex(qc.blockId)) && qc.round > this.#tree.root.round) {
      const before = this.#tree.highQc.round;
      const commit = this.#tree.insertQc(qc);
      if (this.#tree.highQc.round > before) this.#m.storage.saveHighQc(this.#tree.highQc);
      if (commit) this.#deliver(commit.blocks, commit.commitQc);
    }
    const entered = this.#round.processCertificates(this.#tree.highQc.round, null);
    if (entered) this.#onNewRound(entered.round);
  }

  #processTc(tc: TimeoutCert): void {
    this.#verifier.verifyTimeoutCert(tc);
    if (!this.#lastTc || tc.round > this.#lastTc.round) {
      this.#lastTc = tc;
      this.#m.storage.saveHighTc(tc);
      // The round failed: its leader proposed nothing we saw, or (we voted) the next leader never
      // formed the QC. Only a liveness hint: it decides where votes go, never what is voted.
      this.#suspects.add(this.#votedRound === tc.round ? this.leader(tc.round + 1) : this.leader(tc.round));
    }
    const entered = this.#round.processCertificates(this.#tree.highQc.round, tc.round);
    if (entered) this.#onNewRound(entered.round);
  }

  #deliver(blocks: BlockRecord[], commitQc: QuorumCert): void {
    const tipQc = this.#tree.get(toHex(commitQc.blockId))?.block.header.qc ?? commitQc;
    this.#m.storage.saveCommitted(
      blocks.map((b) => b.block),
      tipQc,
    );
    const ids: string[] = [];
    for (const b of blocks) for (const tx of b.block.txs) ids.push(transactionIdHex(tx));
    this.mempool.markCommitted(ids);
    this.stats.commits += blocks.length;
    this.#round.onCommit();
    this.#m.executor.deliver(
      blocks.map((b) => b.block),
      commitQc,
    );
  }

  /** After a restart, hands the executor committed blocks it has not applied yet. */
  #redeliver(rootHeight: number): void {
    const executed = this.#m.executor.lastExecuted().height;
    if (executed >= rootHeight) return;
    const missing: Block[] = [];
    for (let h = executed + 1; h <= rootHeight; h++) {
      const b = this.#m.storage.committedBlockAt(h);
      if (!b) throw new SyncError(`committed block at height ${h} missing from storage`);
      missing.push(b);
    }
    this.#m.executor.deliver(missing, this.#m.storage.committedTip()!.qc);
  }

  #onNewRound(round: number): void {
    this.#votes.pruneBelow(round - 1);
    for (const [idHex, qc] of this.#pendingQcs) if (qc.round <= this.#tree.root.round) this.#pendingQcs.delete(idHex);
    for (const r of this.#timeouts.keys()) if (r < round) this.#timeouts.delete(r);
    this.#m.log?.("debug", "entered round", { round, index: this.#o.index });
    if (this.leader(round) === this.#o.index) this.#propose(round, false);
  }

  // --- proposing ---

  #maybeScheduleProposal(): void {
    const round = this.currentRound;
    if (this.leader(round) !== this.#o.index || this.#proposedRound === round) return;
    if (this.#o.maxBatchWaitMs === 0) {
      this.#propose(round, true);
      return;
    }
    if (this.#proposalTimerRound === round) {
      // Waiting for the batch timer: a full batch outside the uncommitted chain goes at once.
      if (this.mempool.size - this.#waitingInChain >= this.#o.maxTxsPerBlock) this.#propose(round, true);
      return;
    }
    this.#proposalTimerRound = round;
    // The generator decides: a full batch (counting only transactions outside the uncommitted
    // chain) or a lone transaction goes out now, anything else waits for the timer.
    this.#propose(round, false);
    if (this.#proposedRound === round) return;
    this.#m.time.setTimeout(() => this.#m.post({ kind: "proposalTimer", round }), this.#o.maxBatchWaitMs);
  }

  /** Proposes for `round` if this replica leads it and has not proposed or timed out in it yet. */
  #propose(round: number, force: boolean): void {
    if (this.#proposedRound >= round || this.leader(round) !== this.#o.index || round !== this.currentRound) return;
    if (this.#safety.data.lastVotedRound >= round) return; // timed out here already
    const decision = this.#proposer.generate(round, this.#tree, this.#lastTc, force);
    if (decision && "wait" in decision) {
      // Give the batch a moment to fill, bounded by the max wait.
      this.#waitingInChain = decision.inChain;
      this.#maybeScheduleProposal();
      return;
    }
    if (!decision) return;
    const { block } = decision;
    this.#proposedRound = round;
    this.stats.proposals++;
    this.#m.log?.("debug", "proposal sent", {
      round,
      blockId: toHex(blockId(block.header)).slice(0, 8),
      txs: block.txs.length,
      index: this.#o.index,
    });
    this.#m.network.broadcast({ kind: "proposal", block });
    this.#onProposal(this.#o.index, block, { kind: "proposal", block }, true);
  }

  #halt(err: DivergenceError): void {
    this.#halted = err;
    this.#round.stop();
    this.#m.log?.("warn", "consensus halted", { reason: err.message });
  }

  #reject(kind: string, code: string, message: string): void {
    const key = `${kind}:${code}`;
    this.stats.rejected[key] = (this.stats.rejected[key] ?? 0) + 1;
    this.#m.log?.("debug", "rejected", { kind, code, message, index: this.#o.index });
  }
}
