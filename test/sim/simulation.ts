import {
  type ConsensusEvent,
  type ConsensusNetwork,
  MemoryConsensusStorage,
  RoundManager,
  SafetyRules,
  type VoteDelivery,
} from "@ordo/consensus";
import { KeyPair, signTransaction, signVote, ValidatorSet } from "@ordo/crypto";
import {
  type Block,
  type BlockHeader,
  type BlockRequest,
  type BlockResponse,
  CodecError,
  type ConsensusMessage,
  decodeConsensusMessage,
  sha256,
  toHex,
  transactionId,
  type Vote,
  makeGenesisBlock,
} from "@ordo/types";
import { SeededRandom } from "@ordo/types/testing";
import { type Behaviour, byzantineBehaviours, outbound } from "./byzantine.js";
import { SafetyChecker, type Violation } from "./checker.js";
import { EventQueue } from "./eventQueue.js";
import { SimExecutor } from "./simExecutor.js";
import { SimSafetyStorage } from "./simSafetyStorage.js";

export interface SimOptions {
  seed: number;
  validators: number;
  /** Byzantine validators (at most f). With `twins`, one of them is a pair of twins. */
  byzantine: number;
  twins: boolean;
  /** Behaviours to draw the Byzantine ones from (default: all). */
  behaviours?: Behaviour[];
  crashes: boolean;
  partitions: boolean;
  /** Virtual time at which the network becomes timely and whole. */
  gstMs: number;
  /** How long after GST every probe transaction has to be committed by every honest replica. */
  livenessWindowMs: number;
  /**
   * How many rounds after GST that may take (default 4n): any n consecutive rounds have n - f
   * honest leaders under round robin, and a probe needs one honest leader to propose it and two
   * more rounds to commit it; four windows of n also cover the round in flight at GST.
   */
  livenessRounds?: number;
  /** Benchmark load instead of the trickle: `txsPerBatch` transactions to every replica every `intervalMs`. */
  load?: { txsPerBatch: number; intervalMs: number; maxTxsPerBlock: number; txAuth: "ed25519" | "none" };
  /** A timely network from the start (1-10 ms, no loss): for benchmarks. */
  timely?: boolean;
  /** Where votes go (RoundManagerOptions.voteDelivery); default "auto". */
  voteDelivery?: VoteDelivery;
  /** Test-only: honest replicas vote ignoring rule 1 (the checker must catch this). */
  brokenVoteRule?: boolean;
  trace?: boolean;
}

export interface SimResult {
  seed: number;
  safetyViolations: Violation[];
  livenessFailure: string | null;
  /** Height of the committed chain all honest replicas agree on. */
  commits: number;
  /** Transactions every honest replica has executed. */
  committedTxs: number;
  /** CPU spent building the benchmark load (signing client transactions), not the replicas' work. */
  loadCpuMicros: number;
  internalErrors: number;
  deliveryErrors: number;
  rounds: number;
  /** Rounds the honest replicas went through between GST and the last probe's commit. */
  roundsAfterGst: number;
  /** What each node did (one entry per node; twins appear twice), so a suite can check its coverage. */
  behaviours: Behaviour[];
  crashes: number;
  trace: string[];
}

interface SimNode {
  id: number;
  index: number;
  behaviour: Behaviour;
  key: KeyPair;
  safetyStorage: SimSafetyStorage;
  storage: MemoryConsensusStorage;
  executor: SimExecutor;
  rm: RoundManager | null;
  group: number;
  rng: SeededRandom;
}

const CHAIN = "ordo-sim";

export async function simulate(opts: SimOptions): Promise<SimResult> {
  const rng = new SeededRandom(opts.seed);
  const queue = new EventQueue();
  const checker = new SafetyChecker();
  const trace: string[] = [];
  const log = (line: string) => {
    if (opts.trace) trace.push(`${String(queue.now).padStart(6)}ms ${line}`);
  };
  const n = opts.validators;
  const keys = Array.from({ length: n }, () => KeyPair.fromSeed(rng.bytes(32)));
  const validators = new ValidatorSet(keys.map((k) => ({ publicKey: k.publicKey })));
  const genesis = genesisBlock();

  // Which validators are Byzantine, and how.
  const byzIndices = rng.shuffle([...Array(n).keys()]).slice(0, opts.byzantine);
  const behaviours = opts.behaviours ?? byzantineBehaviours;
  const nodes: SimNode[] = [];
  const makeNode = (index: number, behaviour: Behaviour): SimNode => {
    const id = nodes.length;
    const node: SimNode = {
      id,
      index,
      behaviour,
      key: keys[index]!,
      safetyStorage: new SimSafetyStorage(queue, rng.fork()),
      storage: new MemoryConsensusStorage(),
      executor: new SimExecutor((height, idHex) => {
        if (isHonest(node)) checker.onCommit(`node${id}`, height, idHex, queue.now);
        log(`node${id} executed height ${height} ${idHex.slice(0, 8)}`);
      }),
      rm: null,
      group: 0,
      rng: rng.fork(),
    };
    nodes.push(node);
    return node;
  };
  for (let i = 0; i < n; i++) {
    const byz = byzIndices.indexOf(i);
    const behaviour: Behaviour = byz < 0 ? "honest" : opts.twins && byz === 0 ? "twin" : rng.pick(behaviours);
    makeNode(i, behaviour);
  }
  if (opts.twins && byzIndices.length > 0) makeNode(byzIndices[0]!, "twin");
  const isHonest = (node: SimNode) => node.behaviour === "honest";
  for (const node of nodes) log(`node${node.id} = validator ${node.index} (${node.behaviour})`);

  // --- the network ---
  let partitioned = false;
  let deliveryErrors = 0;
  const reachable = (a: SimNode, b: SimNode) => !partitioned || a.group === b.group;
  const delay = (): number => {
    if (opts.timely || queue.now >= opts.gstMs) return rng.int(1, 10);
    return rng.bool(0.1) ? rng.int(50, 300) : rng.int(1, 30);
  };
  const lost = (): boolean => !opts.timely && queue.now < opts.gstMs && rng.bool(0.05);

  const deliver = (to: SimNode, from: number, bytes: Uint8Array) => {
    if (!to.rm) return;
    let message: ConsensusMessage;
    try {
      message = decodeConsensusMessage(bytes);
    } catch (err) {
      if (!(err instanceof CodecError)) deliveryErrors++;
      return; // what the real network does with garbage: drop, count, disconnect
    }
    to.rm.handle({ kind: "message", from, message });
  };

  const send = (from: SimNode, to: SimNode, message: ConsensusMessage) => {
    if (from.rm === null) return;
    for (const bytes of outbound(from.behaviour, message, {
      rng: from.rng,
      key: from.key,
      chainId: CHAIN,
      index: from.index,
    })) {
      if (!reachable(from, to) || lost()) continue;
      const copies = queue.now < opts.gstMs && rng.bool(0.03) ? 2 : 1;
      for (let c = 0; c < copies; c++)
        queue.schedule(delay(), () => reachable(from, to) && deliver(to, from.index, bytes));
    }
  };

  const request = (from: SimNode, index: number, req: BlockRequest): Promise<BlockResponse> =>
    new Promise((resolve, reject) => {
      const targets = nodes.filter((t) => t.index === index && t.id !== from.id);
      const target = targets[rng.int(0, targets.length - 1)];
      const fail = queue.schedule(500, () => reject(new Error("block request timed out")));
      if (!target || !reachable(from, target) || lost()) return;
      queue.schedule(delay(), () => {
        if (!target.rm || !reachable(from, target)) return;
        const response = target.behaviour === "silent" ? null : target.rm.serveBlockRequest(req);
        if (!response) return;
        queue.schedule(delay(), () => {
          fail();
          resolve(response);
        });
      });
    });

  const networkFor = (node: SimNode): ConsensusNetwork => ({
    broadcast: (m) => {
      for (const to of nodes) if (to.id !== node.id) send(node, to, m);
    },
    sendTo: (index, m) => {
      for (const to of nodes) if (to.index === index && to.id !== node.id) send(node, to, m);
    },
    request: (index, req) => request(node, index, req),
  });

  // --- replicas ---
  const startReplica = (node: SimNode) => {
    // Bound to this instance: what a crashed replica had posted must not reach its restart.
    const post = (event: ConsensusEvent) => queue.schedule(0, () => node.rm === rm && rm.handle(event));
    const safetyRules = makeSafetyRules(node, opts.brokenVoteRule === true && isHonest(node), (v) => {
      if (isHonest(node)) checker.onHonestVote(node.index, v, queue.now);
    });
    const rm = new RoundManager(
      {
        chainId: CHAIN,
        index: node.index,
        validators,
        genesis,
        maxTxsPerBlock: opts.load?.maxTxsPerBlock ?? 50,
        maxBlockBytes: 1 << 20,
        maxBatchWaitMs: 2,
        baseTimeoutMs: 150,
        maxBackoffExponent: 3,
        txAuth: opts.load?.txAuth ?? "ed25519",
        voteDelivery: opts.voteDelivery ?? "auto",
      },
      {
        key: node.key,
        network: networkFor(node),
        time: { now: () => queue.now, setTimeout: (fn, ms) => queue.schedule(ms, () => node.rm === rm && fn()) },
        executor: node.executor,
        safetyStorage: node.safetyStorage,
        storage: node.storage,
        post,
        safetyRules,
        log: opts.trace
          ? (level, msg, meta) => log(`node${node.id} ${level} ${msg} ${JSON.stringify(meta ?? {})}`)
          : undefined,
      },
    );
    node.rm = rm;
    rm.start();
  };
  for (const node of nodes) startReplica(node);

  // --- faults before GST: partitions (twins always split) and crash-restarts ---
  if (opts.partitions || opts.twins) {
    let t = rng.int(50, 300);
    while (t < opts.gstMs - 100) {
      const start = t;
      const length = rng.int(100, 600);
      queue.schedule(start, () => {
        partitioned = true;
        for (const node of nodes) node.group = rng.int(0, 1);
        const twins = nodes.filter((x) => x.behaviour === "twin");
        if (twins.length === 2) {
          twins[0]!.group = 0;
          twins[1]!.group = 1;
        }
        log(`partition ${nodes.map((x) => x.group).join("")}`);
      });
      queue.schedule(Math.min(start + length, opts.gstMs), () => {
        partitioned = false;
        log("partition healed");
      });
      t = start + length + rng.int(100, 500);
    }
  }
  let crashes = 0;
  if (opts.crashes) {
    const honest = nodes.filter(isHonest);
    for (let c = rng.int(1, 2); c > 0; c--) {
      const node = rng.pick(honest);
      const at = rng.int(100, Math.max(101, opts.gstMs - 400));
      const back = Math.min(at + rng.int(50, 300), opts.gstMs - 1);
      queue.schedule(at, () => {
        if (!node.rm) return;
        node.rm.stop();
        node.rm = null;
        node.safetyStorage.crash();
        crashes++;
        const lose = rng.int(0, 2);
        node.executor.loseLast(lose);
        log(`node${node.id} crashed (app lost ${lose} heights)`);
      });
      queue.schedule(back, () => {
        if (node.rm) return;
        startReplica(node);
        log(`node${node.id} restarted at height ${node.executor.lastExecuted().height}`);
      });
    }
  }

  // --- clients: a trickle of signed transactions to random replicas ---
  const clients = Array.from({ length: 3 }, () => KeyPair.fromSeed(rng.bytes(32)));
  const nonces = clients.map(() => 0n);
  const makeTx = () => {
    const c = rng.int(0, clients.length - 1);
    const key = clients[c]!;
    return signTransaction(key, { chainId: CHAIN, sender: key.publicKey, nonce: nonces[c]!++, payload: rng.bytes(8) });
  };
  // A client submits to one replica, which gossips the transaction to the others (as the node's
  // mempool topic does), subject to the same delays, loss and partitions.
  const submit = (target: SimNode, tx: ReturnType<typeof makeTx>) => {
    target.rm?.handle({ kind: "transactions", txs: [tx] });
    for (const other of nodes) {
      if (other.id === target.id || !reachable(target, other) || lost()) continue;
      queue.schedule(delay(), () => reachable(target, other) && other.rm?.handle({ kind: "transactions", txs: [tx] }));
    }
  };
  let loadCpuMicros = 0;
  if (opts.load) {
    // Each batch is built when it is due (so the heap holds only what the replicas hold), and the
    // CPU of building and signing it is reported apart: the benchmark measures the replicas.
    const { txsPerBatch, intervalMs, txAuth } = opts.load;
    let nonce = 0n;
    const sender = clients[0]!;
    for (let t = 1; t < opts.gstMs; t += intervalMs) {
      queue.schedule(t, () => {
        const cpuBefore = process.cpuUsage();
        const batch = Array.from({ length: txsPerBatch }, () => {
          const unsigned = { chainId: CHAIN, sender: sender.publicKey, nonce: nonce++, payload: rng.bytes(8) };
          return txAuth === "none" ? { ...unsigned, signature: new Uint8Array(64) } : signTransaction(sender, unsigned);
        });
        const cpu = process.cpuUsage(cpuBefore);
        loadCpuMicros += cpu.user + cpu.system;
        for (const node of nodes) node.rm?.handle({ kind: "transactions", txs: batch, verified: txAuth === "none" });
      });
    }
  } else {
    for (let t = 20; t < opts.gstMs; t += rng.int(10, 60)) {
      queue.schedule(t, () => submit(rng.pick(nodes), makeTx()));
    }
  }

  // --- run to GST, then probe liveness: one transaction per honest replica must commit everywhere ---
  await runUntil(queue, opts.gstMs);
  const honestNodes = nodes.filter(isHonest);
  const highestRound = () => Math.max(...honestNodes.map((node) => node.rm?.currentRound ?? 0));
  const gstRound = highestRound();
  const probes: string[] = [];
  for (const node of honestNodes) {
    const tx = makeTx();
    probes.push(toHex(transactionId(tx)));
    submit(node, tx);
  }
  const deadline = opts.gstMs + opts.livenessWindowMs;
  if (opts.load) probes.length = 0;
  const allCommitted = () => honestNodes.every((node) => probes.every((p) => node.executor.txIds.has(p)));
  let livenessFailure: string | null = null;
  while (queue.now < deadline && !allCommitted() && checker.violations.length === 0) {
    if (!(await runUntil(queue, Math.min(deadline, queue.now + 50)))) break;
  }
  if (!allCommitted() && checker.violations.length === 0) {
    const missing = honestNodes
      .filter((node) => !probes.every((p) => node.executor.txIds.has(p)))
      .map((x) => `node${x.id}`);
    livenessFailure = `probe transactions not committed by ${missing.join(", ")} within ${opts.livenessWindowMs}ms after GST`;
  }
  const roundsAfterGst = highestRound() - gstRound;
  const roundBound = opts.livenessRounds ?? 4 * n;
  if (!livenessFailure && !opts.load && roundsAfterGst > roundBound) {
    livenessFailure = `probe transactions took ${roundsAfterGst} rounds after GST, more than ${roundBound}`;
  }
  for (const node of nodes) node.rm?.stop();

  let internalErrors = 0;
  let rounds = 0;
  for (const node of nodes) {
    internalErrors += node.rm?.stats.internalErrors ?? 0;
    if (isHonest(node)) {
      // Exactly once, in order: a block delivered twice or out of order is a bug.
      internalErrors += node.executor.outOfOrderDeliveries + node.executor.duplicateDeliveries;
      rounds = Math.max(rounds, node.rm?.currentRound ?? 0);
    }
  }
  for (const node of nodes) log(`node${node.id} stats ${JSON.stringify(node.rm?.stats ?? "crashed")}`);
  for (const v of checker.violations) log(`VIOLATION ${v.kind}: ${v.detail}`);
  if (livenessFailure) log(`LIVENESS: ${livenessFailure}`);
  return {
    seed: opts.seed,
    safetyViolations: checker.violations,
    livenessFailure,
    commits: checker.height,
    loadCpuMicros,
    committedTxs: Math.min(...nodes.filter(isHonest).map((node) => node.executor.txIds.size)),
    internalErrors,
    deliveryErrors,
    rounds,
    roundsAfterGst,
    behaviours: nodes.map((node) => node.behaviour),
    crashes,
    trace,
  };
}

/** Runs events up to virtual time `until`, letting promise continuations (fetches) run between events. */
async function runUntil(queue: EventQueue, until: number): Promise<boolean> {
  let any = false;
  while (queue.step(until)) {
    any = true;
    await null;
  }
  if (queue.now < until) queue.now = until;
  return any || queue.size > 0;
}

function genesisBlock(): { block: Block; id: Uint8Array } {
  return makeGenesisBlock(sha256(new TextEncoder().encode(CHAIN)), 0);
}

/** Honest rules that report every vote to the checker; or, for the regression test, rules missing rule 1. */
function makeSafetyRules(node: SimNode, broken: boolean, onVote: (v: Vote) => void): SafetyRules {
  const opts = { chainId: CHAIN, index: node.index };
  const modules = { key: node.key, storage: node.safetyStorage };
  if (broken) {
    return new (class extends SafetyRules {
      override vote(h: BlockHeader, id: Uint8Array, release: (vote: Vote) => void): void {
        // BROKEN on purpose: no `round > lastVotedRound` check, so a replica can vote twice in a round.
        const v = signVote(
          node.key,
          CHAIN,
          { blockId: id, round: h.round, parentId: h.parentId, parentRound: h.qc.round },
          node.index,
        );
        onVote(v);
        release(v);
      }
    })(opts, modules);
  }
  return new (class extends SafetyRules {
    override vote(h: BlockHeader, id: Uint8Array, release: (vote: Vote) => void): void {
      super.vote(h, id, (v) => {
        onVote(v);
        release(v);
      });
    }
  })(opts, modules);
}
