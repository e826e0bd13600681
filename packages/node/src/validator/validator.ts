import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { RoundManager } from "@ordo/consensus";
import { VerificationPool } from "@ordo/crypto";
import { OrdoNetwork } from "@ordo/network";
import { type Application, type ExecutedBlock, ExecutionEngine } from "@ordo/sdk";
import { FileSafetyStorage, LmdbConsensusStorage, legacySafetyRecord, OrdoStore } from "@ordo/storage";
import {
  type Block,
  BoundedIdSet,
  type CodecLimits,
  type Transaction,
  toBase64,
  toHex,
  transactionId,
  transactionIdHex,
  validateLimits,
} from "@ordo/types";
import type { FastifyInstance } from "fastify";
import { buildHttpApi } from "../api/httpApi.js";
import type {
  BlockResults,
  CommitEvent,
  NodeService,
  NodeStatus,
  QueryOutcome,
  SubmitOutcome,
  TxStatus,
} from "../api/nodeService.js";
import { ConfigError } from "../errors.js";
import { genesisBlock } from "../genesis.js";
import { type Home, loadHome } from "../home.js";
import { createLogger, type Logger } from "../logger.js";
import { NodeMetrics } from "../metrics.js";
import { peerIdOfPublicKey } from "../peerIdentity.js";
import { isBuiltinApp, loadAppFactory } from "./appLoader.js";
import { ConsensusEventLoop } from "./eventLoop.js";
import { InboundMessages } from "./inboundMessages.js";
import { ResendThrottle, resendInGroups } from "./mempoolResend.js";
import { RecentBlocks } from "./recentBlocks.js";
import { RecentTxs } from "./recentTxs.js";
import { systemTime } from "./systemTime.js";
import { TxAdmission } from "./txAdmission.js";
import { VoteLog } from "./voteLog.js";

export interface ValidatorOptions {
  /** Where logs go (default stdout). */
  logDestination?: NodeJS.WritableStream;
  /** Override the HTTP port of config.json (tests: 0 for any free port). */
  httpPort?: number;
  /** Override the libp2p listen addresses of config.json. */
  listen?: string[];
}

/** Verified transaction ids remembered (~100 bytes each): a few blocks' worth at full load, and more. */
const VERIFIED_TX_MEMORY = 200_000;
/** Most transactions held while in admission, for compact proposals (normally a few batches). */
const RECENT_TX_MEMORY = 50_000;
/** A mempool re-send goes in groups of at most this many transactions and bytes (see #resendPending). */
const RESEND_GROUP_TXS = 1000;
const RESEND_GROUP_BYTES = 256 * 1024;
/** At most one mempool re-send per validator this often (see ResendThrottle). */
const RESEND_INTERVAL_MS = 2000;

/**
 * A validator: the network, consensus, execution, storage and the app of one home folder, wired
 * together, with the HTTP API in front. `Validator.open(home)` then `start()`; `stop()` closes
 * everything in reverse order and is safe to call twice.
 */
export class Validator implements NodeService {
  readonly home: Home;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  readonly network: OrdoNetwork;
  readonly store: OrdoStore;
  readonly engine: ExecutionEngine;
  readonly consensus: RoundManager;
  readonly #app: Application;
  readonly #limits: CodecLimits;
  readonly #loop = new ConsensusEventLoop();
  /** Ids of transactions whose client signature this node found good (admission or a proposal). */
  readonly #verifiedTxs = new BoundedIdSet(VERIFIED_TX_MEMORY);
  readonly #inbound: InboundMessages;
  /** Transactions in admission, by id: compact proposals are rebuilt from them and the mempool. */
  readonly #recentTxs = new RecentTxs(RECENT_TX_MEMORY);
  readonly #resendThrottle = new ResendThrottle(RESEND_INTERVAL_MS);
  readonly #pool: VerificationPool;
  readonly #admission: TxAdmission;
  readonly #consensusStorage: LmdbConsensusStorage;
  readonly #safetyStorage: FileSafetyStorage;
  readonly #recent: RecentBlocks;
  /** Results of every height up to this one are on disk (those above may be visible, not yet flushed). */
  #resultsDurableTo = 0;
  readonly #commitListeners = new Set<(e: CommitEvent) => void>();
  /** Pruning (config storage.retainBlocks): one prune at a time, at most 1000 heights each. */
  #pruning: Promise<unknown> = Promise.resolve();
  #prunedBelow = 0;
  readonly #voteLog = VoteLog.fromEnv();
  readonly #http: FastifyInstance;
  readonly #httpPort: number;
  #state: "new" | "running" | "stopped" = "new";
  #stopping: Promise<void> | undefined;

  private constructor(home: Home, app: Application, store: OrdoStore, opts: ValidatorOptions) {
    const g = home.genesis;
    this.home = home;
    this.store = store;
    this.#app = app;
    this.log = createLogger({
      name: home.config.moniker,
      level: home.config.log.level,
      destination: opts.logDestination,
    });
    this.metrics = new NodeMetrics();
    this.#limits = validateLimits({
      maxTxBytes: g.consensus.maxTxBytes,
      maxBlockBytes: g.consensus.maxBlockBytes,
      maxTxsPerBlock: g.consensus.maxTxsPerBlock,
    });
    this.#consensusStorage = new LmdbConsensusStorage(store);
    // Its own file, not an LMDB record: a vote must not wait for LMDB's write lock (see the class).
    // Stores from before it kept the data in a record: the file starts from that.
    this.#safetyStorage = FileSafetyStorage.open(join(store.path, "safety.bin"), () => legacySafetyRecord(store));
    this.#recent = new RecentBlocks((height) => {
      // LMDB shows a commit before it is flushed: serve no receipt for results not yet durable.
      if (height > this.#resultsDurableTo) return undefined;
      const stored = store.getResults(height);
      const block = store.committedBlock(height);
      return stored && block ? { stored, block } : undefined;
    });

    const netLog = this.log.child({ module: "network" });
    this.network = new OrdoNetwork(
      {
        chainId: g.chainId,
        listenAddresses: opts.listen ?? home.config.p2p.listen,
        bootstrap: home.config.p2p.bootstrap,
        mdns: home.config.p2p.mdns,
        limits: this.#limits,
      },
      {
        key: home.key,
        validators: g.validators,
        log: {
          debug: (msg, meta) => netLog.debug(meta ?? {}, msg),
          info: (msg, meta) => netLog.info(meta ?? {}, msg),
          warn: (msg, meta) => netLog.warn(meta ?? {}, msg),
        },
      },
    );

    this.engine = new ExecutionEngine(
      {
        chainId: g.chainId,
        validatorIndex: home.validatorIndex,
        appState: g.app.state,
        genesisTime: Date.parse(g.genesisTime),
      },
      {
        app,
        key: home.key,
        // Results, receipt and the tx index are durable (and, written after them in the same
        // ordered write queue, the committed blocks) no later than the app's commit, and before a
        // receipt is served.
        beforeCommit: async (e) => {
          if (!e.receipt) throw new Error("a validator must sign its receipts");
          const stored = { results: e.results, receipt: e.receipt };
          await store.putResults(e.height, stored, e.txIds);
          this.#resultsDurableTo = Math.max(this.#resultsDurableTo, e.height);
          this.#recent.remember(e.height, { block: e.block, stored });
        },
        // A built-in app's state is in this store too: its commit joins the results' write batch.
        commitWithResults: isBuiltinApp(g.app.name),
        onListenerError: (err, height) => this.log.error({ err, height }, "commit listener failed"),
      },
    );

    const consensusLog = this.log.child({ module: "consensus" });
    this.consensus = new RoundManager(
      {
        chainId: g.chainId,
        index: home.validatorIndex,
        validators: g.validators,
        genesis: genesisBlock(g),
        maxTxsPerBlock: g.consensus.maxTxsPerBlock,
        maxBlockBytes: g.consensus.maxBlockBytes,
        maxBatchWaitMs: g.consensus.maxBatchWaitMs,
        baseTimeoutMs: g.consensus.baseRoundTimeoutMs,
        txAuth: g.txAuth,
        voteDelivery: g.consensus.voteDelivery,
      },
      {
        key: home.key,
        network: this.network,
        time: systemTime,
        executor: this.engine,
        safetyStorage: this.#safetyStorage,
        storage: this.#consensusStorage,
        post: this.#loop.post,
        log: (level, msg, meta) => consensusLog[level](meta ?? {}, msg),
        signatureVerified: (idHex) => this.#verifiedTxs.has(idHex),
      },
    );

    this.#pool = new VerificationPool();
    this.#admission = new TxAdmission(
      { chainId: g.chainId, txAuth: g.txAuth },
      {
        pool: this.#pool,
        verified: this.#verifiedTxs,
        app,
        admit: (txs) => this.#admit(txs),
        publish: (txs) => this.#publish(txs),
        known: (idHex) => this.consensus.mempool.has(idHex) || this.consensus.mempool.isCommitted(idHex),
        onRejected: (reason) => this.metrics.rejectedTxs.inc({ reason }),
      },
    );
    const checked = (idHex: string) => this.consensus.mempool.has(idHex) || this.#verifiedTxs.has(idHex);
    this.#inbound = new InboundMessages({
      post: this.#loop.post,
      unverified: (txs) => (g.txAuth === "ed25519" ? txs.filter((tx) => !checked(transactionIdHex(tx))) : []),
      preverify: (txs) =>
        this.#admission
          .preverify(txs)
          .catch((err) => this.log.debug({ err: String(err) }, "proposal pre-verification failed")),
    });
    this.#httpPort = opts.httpPort ?? home.config.http.port;
    this.#http = buildHttpApi(this, {
      bodyLimitBytes: home.config.http.bodyLimitBytes,
      limits: this.#limits,
      registry: this.metrics.registry,
    });
  }

  /** Loads the home folder, opens the store and the app. Bad config gives a ConfigError naming the file. */
  static async open(homePath: string, opts: ValidatorOptions = {}): Promise<Validator> {
    const home = loadHome(homePath);
    if (home.validatorIndex < 0) {
      throw new ConfigError(
        "INVALID_KEY",
        `${homePath}/key.json is not in the genesis validator set (followers are not supported yet)`,
      );
    }
    const createApp = await loadAppFactory(home.genesis.app.name, homePath);
    const store = OrdoStore.open({
      path: home.dataDir,
      indexTxs: home.config.storage.txIndex,
      limits: validateLimits({
        maxTxBytes: home.genesis.consensus.maxTxBytes,
        maxBlockBytes: home.genesis.consensus.maxBlockBytes,
        maxTxsPerBlock: home.genesis.consensus.maxTxsPerBlock,
      }),
    });
    try {
      return new Validator(home, createApp({ backend: store.appState }), store, opts);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** The HTTP API's base URL, once started. */
  get url(): string {
    const addr = this.#http.server.address() as AddressInfo | null;
    if (!addr) throw new Error("the validator is not started");
    return `http://${addr.address}:${addr.port}`;
  }

  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`cannot start a validator that is ${this.#state}`);
    this.#state = "running";
    const g = this.home.genesis;
    if (g.txAuth === "none") {
      this.log.warn(
        "txAuth is none: client signatures are NOT checked; only run this where clients are authenticated another way",
      );
    }
    await this.engine.init();
    // What an earlier run stored is durable; what this run writes counts once its write resolves.
    this.#resultsDurableTo = this.engine.lastExecuted().height;
    this.engine.onExecuted((e) => this.#onExecuted(e));
    this.engine.onFailure((err) => this.log.error({ code: err.code, err: err.message }, "execution halted"));

    this.network.onConsensusMessage((from, message) => {
      this.#voteLog?.record(from, message);
      this.#inbound.receive(from, message);
    });
    this.network.setBlockRequestHandler((req) => this.consensus.serveBlockRequest(req));
    this.metrics.watchNetwork(() => ({ ...this.network.counters }));
    this.network.setTxLookup((idHex) => this.consensus.mempool.get(idHex) ?? this.#recentTxs.get(idHex));
    this.network.setRangeRequestHandler(async (req) => this.consensus.serveCommittedRange(req));
    this.network.onTxBatch((txs) => {
      this.#recentTxs.add(txs);
      this.#admission
        .submit(txs, "gossip")
        .catch((err) => this.log.warn({ err }, "gossiped batch failed admission"))
        .finally(() => this.#recentTxs.remove(txs));
    });
    this.network.on("validator:stream", (index) => this.#resendPending(index));
    this.network.on("peer:offense", (o) => {
      this.metrics.rejectedMessages.inc({ kind: "peer", reason: o.reason.slice(0, 40) });
      this.log.warn(o, "peer offense");
    });
    await this.network.start();

    this.consensus.start();
    this.#loop.attach((event) => this.consensus.handle(event));
    await this.#http.listen({ host: this.home.config.http.host, port: this.#httpPort });
    const executed = this.engine.lastExecuted();
    this.log.info(
      {
        chainId: g.chainId,
        validator: this.home.validatorIndex,
        height: executed.height,
        round: this.consensus.currentRound,
        p2p: this.network.multiaddrs(),
        http: this.url,
      },
      "validator started",
    );
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const wasRunning = this.#state === "running";
    this.#state = "stopped";
    if (wasRunning) {
      // Consensus first: nothing more is signed or delivered; then the API, the network, execution.
      this.consensus.stop();
      this.#loop.stop();
      await this.#http.close();
      this.log.debug("http closed");
      await this.network.stop();
      this.log.debug("network stopped");
      await this.engine.idle().catch(() => {});
    }
    await this.#pool.close();
    await this.#voteLog?.close();
    await this.#consensusStorage.flushed().catch(() => {});
    await this.#pruning.catch(() => {});
    await this.#safetyStorage.close();
    await this.store.close();
    this.log.info("validator stopped");
  }

  // --- NodeService (what the HTTP API calls) ---

  submit(txs: readonly Transaction[]): Promise<SubmitOutcome[]> {
    if (this.engine.failure) {
      const message = `this validator halted: ${this.engine.failure.message}`;
      return Promise.resolve(txs.map(() => ({ accepted: false as const, code: "HALTED", message })));
    }
    this.#recentTxs.add(txs);
    return this.#admission.submit(txs, "client").finally(() => this.#recentTxs.remove(txs));
  }

  txStatus(id: Uint8Array): TxStatus {
    const idHex = toHex(id);
    // Without the tx index (config storage.txIndex false) only the recent heights can be searched.
    const at = this.store.indexesTxs ? this.store.txLocation(id) : this.#recent.find(idHex);
    if (at) {
      const entry = this.#recent.get(at.height);
      if (entry) {
        return {
          status: "committed",
          height: at.height,
          index: at.index,
          result: entry.stored.results[at.index]!,
          receipt: entry.stored.receipt,
          resultCount: entry.stored.results.length,
          proof: this.#recent.proof(entry, at.index),
        };
      }
    }
    if (this.consensus.mempool.has(idHex)) return { status: "pending" };
    return this.store.indexesTxs ? { status: "unknown" } : { status: "unknown", searched: "recent" };
  }

  committedBlock(height: number): Block | undefined {
    return height === 0 ? genesisBlock(this.home.genesis).block : this.store.committedBlock(height);
  }

  blockResults(height: number): BlockResults | undefined {
    const entry = this.#recent.get(height);
    if (!entry) return undefined;
    return { receipt: entry.stored.receipt, txIds: entry.block.txs.map(transactionId), results: entry.stored.results };
  }

  async query(path: string, data: Uint8Array): Promise<QueryOutcome> {
    return this.#app.query({ path, data });
  }

  status(): NodeStatus {
    const executed = this.engine.lastExecuted();
    const round = this.consensus.currentRound;
    return {
      chainId: this.home.genesis.chainId,
      moniker: this.home.config.moniker,
      validatorIndex: this.home.validatorIndex,
      height: executed.height,
      round,
      leader: this.consensus.leader(round),
      appHash: executed.appHash,
      peers: this.network.running ? this.network.connectedValidators().length : 0,
      catchingUp: this.consensus.committedRoot.height > executed.height + 1 || !!this.consensus.syncProgress?.syncing,
      mempoolSize: this.consensus.mempool.size,
      // Block sync progress (running, else the last one): from, target and blocks synced.
      ...(this.consensus.syncProgress ? { sync: { ...this.consensus.syncProgress } } : {}),
    } as NodeStatus;
  }

  validators(): { index: number; publicKey: string; name?: string; peerId: string }[] {
    return this.home.genesis.validators.validators.map((v, index) => ({
      index,
      publicKey: toBase64(v.publicKey),
      ...(v.name ? { name: v.name } : {}),
      peerId: peerIdOfPublicKey(v.publicKey),
    }));
  }

  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.#commitListeners.add(listener);
    return () => this.#commitListeners.delete(listener);
  }

  // --- internals ---

  /**
   * Drops committed blocks (with their results and tx index) below `executed - retainBlocks`:
   * never above what the app executed, so a restart can still re-deliver; every 100 heights, in
   * steps of at most 1000 heights so one prune never reads a long chain at once.
   */
  #maybePrune(executed: number): void {
    const retain = this.home.config.storage.retainBlocks;
    if (retain <= 0 || executed % 100 !== 0) return;
    const target = Math.min(executed - retain, this.consensus.committedRoot.height - retain);
    if (target <= this.#prunedBelow) return;
    this.#pruning = this.#pruning.then(async () => {
      while (this.#prunedBelow < target && this.#state === "running") {
        const step = Math.min(target, this.#prunedBelow + 1000);
        const pruned = await this.store.pruneBelow(step).catch((err) => {
          this.log.warn({ err: String(err) }, "pruning failed");
          return -1;
        });
        if (pruned < 0) return;
        this.#prunedBelow = step;
        if (pruned > 0) this.log.debug({ below: step, heights: pruned }, "pruned committed blocks");
      }
    });
  }

  #admit(txs: Transaction[]) {
    return this.consensus.submitTransactions(txs, true) as ReturnType<RoundManager["mempool"]["add"]>[];
  }

  #publish(txs: Transaction[]): void {
    const max = this.network.opts.maxTxsPerBatch;
    for (let i = 0; i < txs.length; i += max) {
      this.network.relayTxs(txs.slice(i, i + max)).catch((err) => this.log.debug({ err }, "tx relay failed"));
    }
  }

  /**
   * Our stream to validator `index` (re)opened: it may have missed what we relayed while it was
   * unreachable (before the streams were up, during a partition), and a leader proposes only what
   * it holds, so it gets our whole mempool again (it drops what it already has by id), paced so
   * that consensus messages to it never wait behind more than one group.
   */
  #resendPending(index: number): void {
    if (this.consensus.mempool.size === 0) return;
    if (!this.#resendThrottle.allow(index, Date.now())) {
      this.log.debug(
        { validator: index, intervalMs: RESEND_INTERVAL_MS },
        "mempool re-send skipped: one started lately",
      );
      return;
    }
    const { maxTxsPerBatch, maxGossipBytes } = this.network.opts;
    // The frame adds a tag byte and a u32 count to the transactions' encodings.
    const groups = this.consensus.mempool.groups(
      Math.min(RESEND_GROUP_TXS, maxTxsPerBatch),
      Math.min(RESEND_GROUP_BYTES, maxGossipBytes - 5),
    );
    resendInGroups(groups, {
      send: (txs) => this.network.running && this.network.relayTxsTo(index, txs),
      queued: () => (this.network.running ? this.network.queuedTo(index) : undefined),
      pause: () => new Promise((resolve) => setTimeout(resolve, 1)),
      running: () => this.#state === "running",
    }).then(
      (sent) => this.log.debug({ validator: index, txs: sent }, "mempool sent again to a reconnected validator"),
      (err) => this.log.warn({ validator: index, err: String(err) }, "mempool re-send failed"),
    );
  }

  #onExecuted(e: ExecutedBlock): void {
    this.#maybePrune(e.height);
    this.metrics.height.set(e.height);
    this.metrics.committedTxs.inc(e.results.length);
    this.metrics.commitLatency.observe(Math.max(0, systemTime.now() - e.block.header.timestamp) / 1000);
    this.metrics.mempoolSize.set(this.consensus.mempool.size);
    this.metrics.round.set(this.consensus.currentRound);
    this.metrics.peers.set(this.network.running ? this.network.connectedValidators().length : 0);
    if (e.results.length > 0 || e.height % 100 === 0)
      this.log.info({ height: e.height, txs: e.results.length, appHash: toHex(e.appHash).slice(0, 16) }, "committed");
    const event: CommitEvent = {
      height: e.height,
      blockId: e.blockId,
      txCount: e.results.length,
      appHash: e.appHash,
      ...(e.receipt ? { results: { receipt: e.receipt, txIds: e.txIds, results: e.results } } : {}),
    };
    for (const l of this.#commitListeners) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err }, "commit listener failed");
      }
    }
  }
}
