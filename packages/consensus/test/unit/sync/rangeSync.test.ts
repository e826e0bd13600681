import { CertificateVerifier, KeyPair, signTransaction } from "@ordo/crypto";
import {
  type Block,
  type BlockResponse,
  type CommittedRangeRequest,
  type CommittedRangeResponse,
  type ConsensusMessage,
  type QuorumCert,
  sha256,
  toHex,
} from "@ordo/types";
import { expect } from "chai";
import {
  anchorOf,
  type BlockRecord,
  type ConsensusEvent,
  MemoryConsensusStorage,
  MemorySafetyStorage,
  RoundManager,
  serveCommittedRange,
  verifyCommittedRange,
} from "../../../src/index.js";
import { CHAIN, certify, child, FakeTime, genesis, keys, validators } from "../fixtures.js";

const g = genesis();
const verifier = new CertificateVerifier({ chainId: CHAIN, validators, genesisBlockId: g.id });
const client = KeyPair.fromSeed(new Uint8Array(32).fill(42));
let nonce = 0n;
const txs = (n: number) =>
  Array.from({ length: n }, () =>
    signTransaction(client, { chainId: CHAIN, sender: client.publicKey, nonce: nonce++, payload: new Uint8Array([7]) }),
  );

/** A chain of `n` blocks above genesis, round i at height i except where `skip` leaves a round out (a timeout). */
function chain(n: number, skip: ReadonlySet<number> = new Set()): { recs: BlockRecord[]; qcs: QuorumCert[] } {
  const recs: BlockRecord[] = [g.rec];
  const qcs: QuorumCert[] = [g.qc];
  let round = 0;
  for (let h = 1; h <= n; h++) {
    round += skip.has(h) ? 2 : 1;
    const rec = child(recs[h - 1]!, qcs[h - 1]!, round, h % 3 === 0 ? txs(2) : []);
    recs.push(rec);
    qcs.push(certify(rec));
  }
  return { recs, qcs };
}

const serveOpts = { maxBlocks: 64, maxBytes: 1 << 20, blockOverheadBytes: 1000 };

/** A source whose committed root is at `root` (and, optionally, knows the root's child and its QC). */
function source(recs: BlockRecord[], qcs: QuorumCert[], root: number, withChild: boolean, prunedBelow = 0) {
  return {
    rootHeight: root,
    blockAt: (h: number) => (h >= prunedBelow && h <= root ? recs[h]!.block : undefined),
    rootQc: qcs[root],
    rootChild: withChild && recs[root + 1] ? { header: recs[root + 1]!.block.header, qc: qcs[root + 1]! } : undefined,
  };
}

describe("block sync: committed ranges", () => {
  const { recs, qcs } = chain(200, new Set([50, 51, 120]));

  it("serves a range with the proof of its last block, which the requester verifies", () => {
    const res = serveCommittedRange({ fromHeight: 1, count: 64 }, source(recs, qcs, 200, false), serveOpts);
    expect(res.blocks.map((b) => b.header.height)).to.deep.equal(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(res.committedHeight).to.equal(200);
    const v = verifyCommittedRange(res, anchorOf(g.block, g.id), verifier, 1);
    expect(toHex(v.ids[63]!)).to.equal(recs[64]!.idHex);
    expect(toHex(v.tipQc.blockId)).to.equal(recs[64]!.idHex);
  });

  it("extends the proof over blocks that are not directly committed (a timeout round between them)", () => {
    // Height 50 skipped a round: block 49 is committed only through 50's descendants.
    const res = serveCommittedRange({ fromHeight: 40, count: 10 }, source(recs, qcs, 200, false), serveOpts);
    expect(res.blocks.at(-1)!.header.height).to.equal(49);
    expect(res.proofHeaders.map((h) => h.height)).to.deep.equal([50, 51, 52]);
    verifyCommittedRange(res, anchorOf(recs[39]!.block, recs[39]!.id), verifier, 1);
  });

  it("at the root: serves it only with the root's child and its QC, else one block less", () => {
    const without = serveCommittedRange({ fromHeight: 190, count: 64 }, source(recs, qcs, 200, false), serveOpts);
    expect(without.blocks.at(-1)!.header.height).to.equal(199);
    const withChild = serveCommittedRange({ fromHeight: 190, count: 64 }, source(recs, qcs, 199, true), serveOpts);
    expect(withChild.blocks.at(-1)!.header.height).to.equal(199);
    verifyCommittedRange(withChild, anchorOf(recs[189]!.block, recs[189]!.id), verifier, 1);
  });

  it("answers nothing for pruned heights, heights above the root, or when nothing can be proven", () => {
    expect(
      serveCommittedRange({ fromHeight: 5, count: 8 }, source(recs, qcs, 200, false, 10), serveOpts).blocks,
    ).to.have.length(0);
    expect(
      serveCommittedRange({ fromHeight: 201, count: 8 }, source(recs, qcs, 200, false), serveOpts).blocks,
    ).to.have.length(0);
    expect(
      serveCommittedRange({ fromHeight: 200, count: 8 }, source(recs, qcs, 200, false), serveOpts).blocks,
    ).to.have.length(0);
  });

  it("rejects a range that does not attach, is tampered with, or whose proof does not commit it", () => {
    const good = serveCommittedRange({ fromHeight: 1, count: 8 }, source(recs, qcs, 200, false), serveOpts);
    const anchor = anchorOf(g.block, g.id);
    const bad = (what: string, res: CommittedRangeResponse, a = anchor) =>
      expect(() => verifyCommittedRange(res, a, verifier, 2), what).to.throw(/committed range from 2 rejected/);
    bad("another anchor", good, anchorOf(recs[1]!.block, recs[1]!.id));
    const swapped = good.blocks.map((b) => b);
    swapped[2] = { ...swapped[2]!, txs: txs(1) };
    bad("transactions not in the payload root", { ...good, blocks: swapped });
    bad("a block missing", { ...good, blocks: [good.blocks[0]!, ...good.blocks.slice(2)] });
    const forged = { ...good.proofQc!, signatures: good.proofQc!.signatures.map(() => new Uint8Array(64)) };
    bad("a forged proof QC", { ...good, proofQc: forged });
    bad("a proof QC on another block", { ...good, proofQc: qcs[20]! });
    // A real QC, but on a block whose round is not its parent's + 1: commits nothing.
    const gap = serveCommittedRange({ fromHeight: 45, count: 4 }, source(recs, qcs, 200, false), serveOpts);
    bad(
      "no 2-chain",
      { ...gap, proofHeaders: [recs[50]!.block.header], proofQc: qcs[50]! },
      anchorOf(recs[44]!.block, recs[44]!.id),
    );
    bad("no proof", { ...good, proofHeaders: [], proofQc: null });
  });
});

/** A replica whose network serves block sync and block fetch from `peers[i]` (a RoundManager or a stub). */
class Replica {
  readonly time = new FakeTime();
  readonly posted: ConsensusEvent[] = [];
  readonly delivered: Block[] = [];
  executed = 0;
  /** Executes every delivered block at once unless false. */
  autoExecute = true;
  maxBacklog = 0;
  readonly storage = new MemoryConsensusStorage();
  readonly rangeRequests: { peer: number; req: CommittedRangeRequest }[] = [];
  readonly rm: RoundManager;

  constructor(
    index: number,
    serve: (peer: number, req: CommittedRangeRequest) => CommittedRangeResponse,
    fetch: (peer: number, blockId: Uint8Array, count: number) => BlockResponse,
  ) {
    this.rm = new RoundManager(
      {
        chainId: CHAIN,
        index,
        validators,
        genesis: { block: g.block, id: g.id },
        maxTxsPerBlock: 10,
        maxBlockBytes: 1 << 20,
        maxBatchWaitMs: 5,
        baseTimeoutMs: 100_000,
        txAuth: "ed25519",
        rangeSyncAfterRounds: 16,
        rangeSync: { batch: 16, maxExecutionLag: 32 },
      },
      {
        key: keys[index]!,
        network: {
          broadcast: () => {},
          sendTo: () => {},
          request: async (peer, request) => fetch(peer, request.blockId, request.count),
          requestRange: async (peer, req) => {
            this.rangeRequests.push({ peer, req });
            return serve(peer, req);
          },
        },
        time: this.time,
        executor: {
          deliver: (blocks) => {
            this.delivered.push(...blocks);
            if (this.autoExecute) this.executed = this.delivered.length;
            this.maxBacklog = Math.max(this.maxBacklog, this.delivered.length - this.executed);
          },
          lastExecuted: () => ({ height: this.executed, appHash: sha256() }),
          appHashAt: () => undefined,
        },
        safetyStorage: new MemorySafetyStorage(),
        storage: this.storage,
        post: (event) => this.posted.push(event),
      },
    );
    this.rm.start();
  }

  /** Runs posted events and lets promises settle until nothing more happens. */
  async settle(): Promise<void> {
    for (let idle = 0; idle < 5; ) {
      await new Promise((r) => setImmediate(r));
      if (this.posted.length === 0) {
        idle++;
        continue;
      }
      idle = 0;
      while (this.posted.length > 0) this.rm.handle(this.posted.shift()!);
    }
  }

  receive(from: number, message: ConsensusMessage): void {
    this.rm.handle({ kind: "message", from, message });
  }
}

describe("block sync: a replica far behind", () => {
  const N = 300;
  const { recs, qcs } = chain(N, new Set([100, 101, 250]));
  /** A validator that committed up to N - 1 and holds block N with its QC. */
  function server(): RoundManager {
    const storage = new MemoryConsensusStorage();
    storage.saveCommitted(
      recs.slice(1, N).map((r) => r.block),
      qcs[N - 1]!,
    );
    storage.saveBlock(recs[N]!.id, recs[N]!.block);
    storage.saveHighQc(qcs[N]!);
    const rm = new RoundManager(
      {
        chainId: CHAIN,
        index: 1,
        validators,
        genesis: { block: g.block, id: g.id },
        maxTxsPerBlock: 10,
        maxBlockBytes: 1 << 20,
        maxBatchWaitMs: 5,
        baseTimeoutMs: 100_000,
        txAuth: "ed25519",
      },
      {
        key: keys[1]!,
        network: { broadcast: () => {}, sendTo: () => {}, request: () => Promise.reject(new Error("offline")) },
        time: new FakeTime(),
        executor: {
          deliver: () => {},
          lastExecuted: () => ({ height: N - 1, appHash: sha256() }),
          appHashAt: () => undefined,
        },
        safetyStorage: new MemorySafetyStorage(),
        storage,
        post: () => {},
      },
    );
    rm.start();
    return rm;
  }
  const syncInfo: ConsensusMessage = {
    kind: "syncInfo",
    syncInfo: { highQc: qcs[N]!, highCommitQc: qcs[N]!, lastTc: null },
  };

  it("syncs committed ranges with proofs from the sender, in bounded chunks, then walks parents for the rest", async () => {
    const s = server();
    const r = new Replica(
      3,
      (_peer, req) => s.serveCommittedRange(req),
      (_peer, id, count) => s.serveBlockRequest({ blockId: id, count }),
    );
    r.receive(1, syncInfo);
    await r.settle();
    // Block sync stopped where the server could no longer prove (N - 2), the parent walk did the rest.
    // Asked the sender first, 16 blocks at a time; the others only once it had nothing more to prove.
    expect(r.rangeRequests.every((x) => x.req.count === 16)).to.equal(true);
    const toSender = r.rangeRequests.filter((x) => x.peer === 1).length;
    expect(toSender).to.equal(Math.ceil((N - 2) / 16) + 1);
    expect(r.rangeRequests.slice(0, toSender).every((x) => x.peer === 1)).to.equal(true);
    expect(r.rm.syncProgress?.syncedBlocks).to.equal(N - 2);
    expect(r.rm.syncProgress?.targetHeight).to.equal(N - 1);
    expect(r.rm.committedRoot.height).to.equal(N - 1);
    expect(r.delivered.map((b) => b.header.height)).to.deep.equal(Array.from({ length: N - 1 }, (_, i) => i + 1));
    for (let h = 1; h < N; h++)
      expect(toHex(sha256(r.storage.committedBlockAt(h)!.header.payloadRoot))).to.equal(
        toHex(sha256(recs[h]!.block.header.payloadRoot)),
      );
    expect(r.rm.stats.internalErrors).to.equal(0);
    expect(r.rm.currentRound).to.be.greaterThan(recs[N]!.round);
  });

  it("waits for execution: never more than maxExecutionLag + one chunk delivered and not executed", async () => {
    const s = server();
    const r = new Replica(
      3,
      (_peer, req) => s.serveCommittedRange(req),
      (_peer, id, count) => s.serveBlockRequest({ blockId: id, count }),
    );
    r.autoExecute = false;
    r.receive(1, syncInfo);
    for (let i = 0; i < 200 && r.rm.committedRoot.height < N - 2; i++) {
      await r.settle();
      expect(r.delivered.length - r.executed).to.be.at.most(32 + 16);
      r.executed = Math.min(r.delivered.length, r.executed + 10); // the app executes 10 blocks
      r.time.advance(10); // the sync polls the executor again
    }
    expect(r.maxBacklog).to.be.at.most(32 + 16);
    expect(r.rm.committedRoot.height).to.be.at.least(N - 2);
  });

  it("refuses a tampered range, counts nothing from it, and syncs from another validator", async () => {
    const s = server();
    const r = new Replica(
      3,
      (peer, req) => {
        const res = s.serveCommittedRange(req);
        if (peer !== 2 || res.blocks.length === 0) return res;
        const blocks = [...res.blocks];
        blocks[0] = { ...blocks[0]!, txs: txs(1) }; // peer 2 lies about the transactions
        return { ...res, blocks };
      },
      (_peer, id, count) => s.serveBlockRequest({ blockId: id, count }),
    );
    r.receive(2, syncInfo);
    await r.settle();
    expect(r.rangeRequests[0]!.peer).to.equal(2);
    expect(r.rm.syncProgress?.failures).to.be.at.least(1);
    expect(r.rm.committedRoot.height).to.equal(N - 1);
    for (let h = 1; h < N; h++) expect(r.delivered[h - 1]!.txs.length).to.equal(recs[h]!.block.txs.length);
    expect(r.rm.stats.internalErrors).to.equal(0);
  });

  it("does not block sync when the QC is only a few rounds ahead (parent walk only)", async () => {
    const s = server();
    const r = new Replica(
      3,
      (_peer, req) => s.serveCommittedRange(req),
      (_peer, id, count) => s.serveBlockRequest({ blockId: id, count }),
    );
    r.receive(1, { kind: "syncInfo", syncInfo: { highQc: qcs[5]!, highCommitQc: qcs[5]!, lastTc: null } });
    await r.settle();
    expect(r.rangeRequests).to.have.length(0);
    expect(r.rm.committedRoot.height).to.equal(4);
  });
});
