import { expect } from "chai";
import { KeyPair, signBlockId, signTimeout, signTransaction, signVote } from "@ordo/crypto";
import {
  type Block,
  type BlockHeader,
  type BlockRequest,
  type BlockResponse,
  blockId,
  type ConsensusMessage,
  merkleRoot,
  type QuorumCert,
  sha256,
  type TimeoutCert,
  type Transaction,
  toHex,
  transactionId,
  type Vote,
} from "@ordo/types";
import {
  type BlockRecord,
  blockRecord,
  type ConsensusEvent,
  DivergenceError,
  MemoryConsensusStorage,
  MemorySafetyStorage,
  RoundManager,
  type RoundManagerOptions,
} from "../../src/index.js";
import { CHAIN, certify, FakeTime, genesis, keys, validators } from "./fixtures.js";

const g = genesis();
const client = KeyPair.fromSeed(new Uint8Array(32).fill(99));
let nonce = 0n;
const tx = (): Transaction =>
  signTransaction(client, {
    chainId: CHAIN,
    sender: client.publicKey,
    nonce: nonce++,
    payload: new Uint8Array([1, 2]),
  });

/** A block of `round` on `parent` certified by `qc`, by the round-robin leader unless `o` says otherwise. */
function block(
  parent: BlockRecord,
  qc: QuorumCert,
  round: number,
  o: { txs?: Transaction[]; tc?: TimeoutCert; signer?: number; header?: Partial<BlockHeader> } = {},
): BlockRecord {
  const txs = o.txs ?? [];
  const header: BlockHeader = {
    height: parent.height + 1,
    round,
    parentId: parent.id,
    qc,
    tc: o.tc ?? null,
    proposer: round % 4,
    timestamp: round,
    payloadRoot: merkleRoot(txs.map(transactionId)),
    execHeight: 0,
    appHash: sha256(),
    ...o.header,
  };
  const id = blockId(header);
  return blockRecord({ header, txs, signature: signBlockId(keys[o.signer ?? header.proposer]!, CHAIN, id) }, id);
}

const proposal = (rec: BlockRecord): ConsensusMessage => ({ kind: "proposal", block: rec.block });

/** One replica with a recording network, a fake clock, and the event loop run by hand. */
class Harness {
  readonly time = new FakeTime();
  readonly sent: { to: number | "all"; message: ConsensusMessage }[] = [];
  readonly requests: { peer: number; request: BlockRequest; resolve: (r: BlockResponse) => void }[] = [];
  readonly posted: ConsensusEvent[] = [];
  readonly delivered: Block[][] = [];
  appHashAt: (height: number) => Uint8Array | undefined = () => undefined;
  readonly rm: RoundManager;

  constructor(
    readonly index: number,
    readonly safetyStorage = new MemorySafetyStorage(),
    readonly storage = new MemoryConsensusStorage(),
    options: Partial<RoundManagerOptions> = {},
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
        baseTimeoutMs: 100,
        txAuth: "ed25519",
        ...options,
      },
      {
        key: keys[index]!,
        network: {
          broadcast: (message) => this.sent.push({ to: "all", message }),
          sendTo: (to, message) => this.sent.push({ to, message }),
          request: (peer, request) =>
            new Promise<BlockResponse>((resolve) => this.requests.push({ peer, request, resolve })),
        },
        time: this.time,
        executor: {
          deliver: (blocks) => {
            this.delivered.push([...blocks]);
          },
          lastExecuted: () => ({ height: this.delivered.flat().length, appHash: sha256() }),
          appHashAt: (h) => this.appHashAt(h),
        },
        safetyStorage: this.safetyStorage,
        storage: this.storage,
        post: (event) => this.posted.push(event),
      },
    );
    this.rm.start();
  }

  /** Runs posted events (timers, fetch results) one at a time until none is left. */
  drain(): void {
    while (this.posted.length > 0) this.rm.handle(this.posted.shift()!);
  }

  receive(from: number, message: ConsensusMessage): void {
    this.rm.handle({ kind: "message", from, message });
    this.drain();
  }

  advance(ms: number): void {
    this.time.advance(ms);
    this.drain();
  }

  sentOf<K extends ConsensusMessage["kind"]>(kind: K) {
    return this.sent.filter((s) => s.message.kind === kind) as {
      to: number | "all";
      message: Extract<ConsensusMessage, { kind: K }>;
    }[];
  }

  get rejected(): number {
    return Object.values(this.rm.stats.rejected).reduce((a, b) => a + b, 0);
  }
}

const voteFor = (rec: BlockRecord, voter: number): Vote =>
  signVote(
    keys[voter]!,
    CHAIN,
    { blockId: rec.id, round: rec.round, parentId: rec.block.header.parentId, parentRound: rec.block.header.qc.round },
    voter,
  );

describe("RoundManager", () => {
  const b1 = block(g.rec, g.qc, 1);
  const qc1 = certify(b1);
  const b2 = block(b1, qc1, 2);
  const qc2 = certify(b2);
  const b3 = block(b2, qc2, 3);
  const qc3 = certify(b3);
  const b4 = block(b3, qc3, 4);

  describe("proposals", () => {
    it("starts in round 1 and votes for the leader's valid proposal; a vote for an empty block goes to every validator", () => {
      const h = new Harness(3);
      expect(h.rm.currentRound).to.equal(1);
      h.receive(1, proposal(b1));
      const votes = h.sentOf("vote");
      expect(votes.map((v) => v.to)).to.deep.equal(["all"]);
      expect(votes[0]!.message.vote).to.deep.include({ round: 1, voter: 3, parentRound: 0 });
      expect(toHex(votes[0]!.message.vote.blockId)).to.equal(b1.idHex);
      expect(h.rm.safetyData.lastVotedRound).to.equal(1);
    });

    it("auto: a vote for a block with transactions goes to the next leader; certifying the empty child commits it everywhere, with no extra round", () => {
      const h = new Harness(3);
      const full = block(g.rec, g.qc, 1, { txs: [tx()] });
      h.receive(1, proposal(full));
      expect(h.sentOf("vote").map((v) => v.to)).to.deep.equal([2]);
      const child = block(full, certify(full), 2); // empty: leader 2 drains the pipeline
      h.receive(2, proposal(child));
      expect(h.sentOf("vote").map((v) => v.to)).to.deep.equal([2, "all"]);
      expect(h.delivered).to.deep.equal([]);
      for (const i of [0, 2]) h.receive(i, { kind: "vote", vote: voteFor(child, i) }); // with its own: 3 of 4
      expect(h.rm.currentRound).to.equal(3);
      // QC(2) on a child in the next round commits `full` here, though round 3's leader (us) proposes nothing.
      expect(h.delivered.map((bs) => bs.map((b) => b.header.round))).to.deep.equal([[1]]);
      h.advance(10);
      expect(h.sentOf("proposal")).to.deep.equal([]);
    });

    it("all: a replica that does not lead forms the QC itself from everyone's votes", () => {
      const h = new Harness(3, undefined, undefined, { voteDelivery: "all" });
      const full = block(g.rec, g.qc, 1, { txs: [tx()] });
      h.receive(1, proposal(full));
      expect(h.sentOf("vote").map((v) => v.to)).to.deep.equal(["all"]);
      for (const i of [0, 1]) h.receive(i, { kind: "vote", vote: voteFor(full, i) });
      expect(h.rm.currentRound).to.equal(2); // round 2's leader is 2, not us
      expect(h.rm.highQc).to.deep.include({ round: 1, signers: [0, 1, 3] });
    });

    it("nextLeader: the next leader proposes an empty block so that the others learn its grandparent's commit", () => {
      const h = new Harness(3, undefined, undefined, { voteDelivery: "nextLeader" });
      const full = block(g.rec, g.qc, 1, { txs: [tx()] });
      h.receive(1, proposal(full));
      const child = block(full, certify(full), 2);
      h.receive(2, proposal(child));
      expect(h.sentOf("vote").map((v) => v.to)).to.deep.equal([2]); // the second one stays here: we lead round 3
      for (const i of [0, 2]) h.receive(i, { kind: "vote", vote: voteFor(child, i) });
      expect(h.delivered.map((bs) => bs.map((b) => b.header.round))).to.deep.equal([[1]]);
      expect(h.sentOf("proposal").map((p) => p.message.block.txs.length)).to.deep.equal([0]);
    });

    it("with votes to the next leader, sends the vote to it alone", () => {
      const h = new Harness(3, undefined, undefined, { voteDelivery: "nextLeader" });
      expect(h.rm.currentRound).to.equal(1);
      h.receive(1, proposal(b1));
      const votes = h.sentOf("vote");
      expect(votes).to.have.length(1);
      expect(votes[0]!.to).to.equal(2);
      expect(votes[0]!.message.vote).to.deep.include({ round: 1, voter: 3, parentRound: 0 });
      expect(toHex(votes[0]!.message.vote.blockId)).to.equal(b1.idHex);
      expect(h.rm.safetyData.lastVotedRound).to.equal(1);
    });

    const badTx = { ...tx(), payload: new Uint8Array([9]) }; // signature no longer covers the payload
    const forgedQc1: QuorumCert = { ...qc1, signatures: qc1.signatures.map(() => new Uint8Array(64).fill(1)) };
    const invalid: [string, () => { from: number; rec: BlockRecord; inRound?: number }][] = [
      [
        "a proposer that is not the round's leader",
        () => ({ from: 2, rec: block(g.rec, g.qc, 1, { header: { proposer: 2 } }) }),
      ],
      ["a bad block signature", () => ({ from: 1, rec: block(g.rec, g.qc, 1, { signer: 2 }) })],
      [
        "a payload root that does not match the transactions",
        () => ({ from: 1, rec: block(g.rec, g.qc, 1, { txs: [tx()], header: { payloadRoot: sha256() } }) }),
      ],
      [
        "a parent id that is not the QC's block",
        () => ({ from: 1, rec: block(g.rec, g.qc, 1, { header: { parentId: sha256(new Uint8Array([1])) } }) }),
      ],
      [
        "a height that is not the parent's plus one",
        () => ({ from: 1, rec: block(g.rec, g.qc, 1, { header: { height: 5 } }) }),
      ],
      ["a badly signed transaction", () => ({ from: 1, rec: block(g.rec, g.qc, 1, { txs: [tx(), badTx] }) })],
      [
        "a transaction for another chain",
        () => ({
          from: 1,
          rec: block(g.rec, g.qc, 1, {
            txs: [
              signTransaction(client, {
                chainId: "other",
                sender: client.publicKey,
                nonce: 0n,
                payload: new Uint8Array(),
              }),
            ],
          }),
        }),
      ],
      ["a forged QC", () => ({ from: 2, rec: block(b1, forgedQc1, 2) })],
      ["a QC round that does not justify the round (gap, no TC)", () => ({ from: 3, rec: block(g.rec, g.qc, 3) })],
      ["a proposal relayed by someone else than its proposer", () => ({ from: 0, rec: b1 })],
    ];
    for (const [what, make] of invalid) {
      it(`rejects, counts and does not vote for a proposal with ${what}`, () => {
        const h = new Harness(3);
        const { from, rec } = make();
        if (rec.block.header.qc.round === 1) h.receive(1, proposal(b1)); // the parent must be known
        h.sent.length = 0;
        expect(() => h.receive(from, proposal(rec))).not.to.throw();
        expect(h.sentOf("vote")).to.deep.equal([]);
        expect(h.rejected).to.equal(1);
        expect(h.rm.stats.internalErrors).to.equal(0);
      });
    }

    it("votes at most once per round when the leader equivocates", () => {
      const h = new Harness(3);
      h.receive(1, proposal(b1));
      h.receive(1, proposal(block(g.rec, g.qc, 1, { header: { timestamp: 7 } })));
      expect(h.sentOf("vote")).to.have.length(1);
      expect(h.rm.stats.rejected["proposal:ALREADY_VOTED"]).to.equal(1);
    });

    it("ignores a duplicate and a stale proposal without counting them as faults", () => {
      const h = new Harness(3);
      h.receive(1, proposal(b1));
      h.receive(2, proposal(b2));
      h.receive(1, proposal(b1));
      h.receive(2, proposal(b2));
      expect(h.rm.stats.votes).to.equal(2);
      expect(h.rejected).to.equal(0);
    });

    it("refuses a transaction already in an uncommitted ancestor", () => {
      const h = new Harness(3);
      const t = tx();
      const withTx = block(g.rec, g.qc, 1, { txs: [t] });
      h.receive(1, proposal(withTx));
      h.receive(2, proposal(block(withTx, certify(withTx), 2, { txs: [t] })));
      expect(h.sentOf("vote")).to.have.length(1);
      expect(h.rm.stats.rejected["proposal:INVALID_PROPOSAL"]).to.equal(1);
    });
  });

  describe("commits", () => {
    it("commits on a 2-chain, delivers each block once and in order, and only then", () => {
      const h = new Harness(3);
      h.receive(1, proposal(b1));
      h.receive(2, proposal(b2));
      expect(h.delivered).to.deep.equal([]); // a QC for b1 alone commits nothing
      h.receive(3, proposal(b3)); // carries QC(b2), b2.round == b1.round + 1: commits b1
      expect(h.delivered.map((bs) => bs.map((b) => b.header.height))).to.deep.equal([[1]]);
      h.receive(0, proposal(b4));
      h.receive(0, proposal(b4));
      h.receive(0, { kind: "syncInfo", syncInfo: { highQc: qc3, highCommitQc: qc3, lastTc: null } });
      expect(h.delivered.map((bs) => bs.map((b) => b.header.height))).to.deep.equal([[1], [2]]);
      expect(h.rm.committedRoot.idHex).to.equal(b2.idHex);
      expect(h.rm.stats.commits).to.equal(2);
    });

    it("commits every uncommitted ancestor, oldest first, when a 2-chain forms after a gap", () => {
      // b1 <- b2 <- c (round 4, after a TC for round 3) <- d (round 5): QC(d) commits b2 and c together.
      const h = new Harness(3);
      h.receive(1, proposal(b1));
      h.receive(2, proposal(b2));
      const tc3 = timeoutCert(3, qc2, [0, 1, 2]);
      h.receive(2, { kind: "syncInfo", syncInfo: { highQc: qc2, highCommitQc: qc2, lastTc: tc3 } });
      expect(h.rm.currentRound).to.equal(4);
      expect(h.delivered.map((bs) => bs.map((b) => b.header.height))).to.deep.equal([[1]]);
      const c = block(b2, qc2, 4, { tc: tc3 });
      h.receive(0, proposal(c));
      const d = block(c, certify(c), 5);
      h.receive(1, proposal(d));
      expect(h.delivered).to.have.length(1); // QC(c) has round 4, its parent b2 round 2: no 2-chain
      const qcD = certify(d);
      h.receive(1, { kind: "syncInfo", syncInfo: { highQc: qcD, highCommitQc: qcD, lastTc: null } });
      expect(h.delivered.map((bs) => bs.map((b) => b.header.height))).to.deep.equal([[1], [2, 3]]);
      expect(h.rm.stats.votes).to.equal(4);
    });
  });

  describe("the next leader", () => {
    it("forms a QC from a quorum of votes, enters the next round and proposes pending transactions within the max wait", () => {
      const h = new Harness(2);
      const t = tx();
      const t2 = tx();
      h.rm.handle({ kind: "transactions", txs: [t, t2] });
      h.receive(1, proposal(b1)); // votes for itself (it leads round 2)
      h.receive(0, { kind: "vote", vote: voteFor(b1, 0) });
      expect(h.rm.currentRound).to.equal(1);
      h.receive(1, { kind: "vote", vote: voteFor(b1, 1) });
      expect(h.rm.currentRound).to.equal(2);
      expect(h.sentOf("proposal")).to.deep.equal([]); // holds the batch a moment for more
      h.advance(5);
      const proposals = h.sentOf("proposal");
      expect(proposals).to.have.length(1);
      const p = proposals[0]!.message.block;
      expect(p.header).to.deep.include({ round: 2, height: 2, proposer: 2 });
      expect(toHex(p.header.qc.blockId)).to.equal(b1.idHex);
      expect(p.header.qc.signers).to.deep.equal([0, 1, 2]);
      expect(p.txs.map((x) => toHex(transactionId(x)))).to.deep.equal([t, t2].map((x) => toHex(transactionId(x))));
    });

    it("proposes a lone transaction at once, without the batch wait", () => {
      const h = new Harness(2);
      h.receive(1, proposal(b1));
      h.receive(0, { kind: "vote", vote: voteFor(b1, 0) });
      h.receive(1, { kind: "vote", vote: voteFor(b1, 1) });
      expect(h.rm.currentRound).to.equal(2);
      expect(h.sentOf("proposal")).to.deep.equal([]);
      h.rm.handle({ kind: "transactions", txs: [tx()] });
      expect(h.sentOf("proposal").map((p) => p.message.block.txs.length)).to.deep.equal([1]);
    });

    it("proposes nothing with no transactions and nothing to commit, but an empty block when a predecessor needs QCs", () => {
      const idle = new Harness(2);
      idle.receive(1, proposal(b1));
      idle.receive(0, { kind: "vote", vote: voteFor(b1, 0) });
      idle.receive(1, { kind: "vote", vote: voteFor(b1, 1) });
      idle.advance(50);
      expect(idle.rm.currentRound).to.equal(2);
      expect(idle.sentOf("proposal")).to.deep.equal([]);
      idle.rm.handle({ kind: "transactions", txs: [tx(), tx()] }); // transactions arrive: propose within the max wait
      idle.advance(4);
      expect(idle.sentOf("proposal")).to.deep.equal([]);
      idle.advance(1);
      expect(idle.sentOf("proposal").map((p) => p.message.block.txs.length)).to.deep.equal([2]);

      const draining = new Harness(2);
      const t = tx();
      const full = block(g.rec, g.qc, 1, { txs: [t] });
      draining.rm.handle({ kind: "transactions", txs: [t] });
      draining.receive(1, proposal(full));
      draining.receive(0, { kind: "vote", vote: voteFor(full, 0) });
      draining.receive(1, { kind: "vote", vote: voteFor(full, 1) });
      const proposals = draining.sentOf("proposal");
      expect(proposals).to.have.length(1); // at once: no batch wait when draining
      expect(proposals[0]!.message.block.txs).to.deep.equal([]); // t is in flight: never re-proposed
    });

    it("keeps a QC formed from votes that arrived before their block, and uses it once the block arrives", async () => {
      const byProposal = new Harness(2);
      for (const i of [0, 1, 3]) byProposal.receive(i, { kind: "vote", vote: voteFor(b1, i) });
      expect(byProposal.rm.currentRound).to.equal(1);
      expect(byProposal.requests.map((r) => toHex(r.request.blockId))).to.deep.equal([b1.idHex]);
      byProposal.receive(1, proposal(b1)); // the proposal overtakes the fetch
      expect(byProposal.rm.currentRound).to.equal(2);

      const byFetch = new Harness(2);
      for (const i of [0, 1, 3]) byFetch.receive(i, { kind: "vote", vote: voteFor(b1, i) });
      byFetch.requests[0]!.resolve({ blocks: [b1.block] });
      await new Promise((r) => setImmediate(r));
      byFetch.drain();
      expect(byFetch.rm.currentRound).to.equal(2);
      expect(toHex(byFetch.rm.highQc.blockId)).to.equal(b1.idHex);
    });

    it("proposes at once when a full batch (max txs) is waiting, and caps the block at max txs", () => {
      const h = new Harness(1); // leads round 1 from the start
      h.rm.handle({ kind: "transactions", txs: Array.from({ length: 9 }, tx) });
      expect(h.sentOf("proposal")).to.deep.equal([]);
      h.rm.handle({ kind: "transactions", txs: [tx(), tx(), tx()] });
      const proposals = h.sentOf("proposal");
      expect(proposals.map((p) => p.message.block.txs.length)).to.deep.equal([10]);
      expect(h.time.clock).to.equal(0);
    });

    it("counts only transactions outside the uncommitted chain as a full batch: waits below it, goes at once on it", () => {
      const h = new Harness(2); // leads round 2
      const inChain = Array.from({ length: 6 }, tx);
      const fresh = Array.from({ length: 5 }, tx);
      h.rm.handle({ kind: "transactions", txs: [...inChain, ...fresh] }); // 11 pending >= max 10
      const b1x = block(g.rec, g.qc, 1, { txs: inChain });
      h.receive(1, proposal(b1x));
      h.receive(0, { kind: "vote", vote: voteFor(b1x, 0) });
      h.receive(1, { kind: "vote", vote: voteFor(b1x, 1) });
      expect(h.rm.currentRound).to.equal(2);
      expect(h.sentOf("proposal")).to.deep.equal([]); // 5 outside the chain: waits for a fuller batch
      const more = Array.from({ length: 5 }, tx);
      h.rm.handle({ kind: "transactions", txs: more }); // now 10 outside the chain
      const proposals = h.sentOf("proposal");
      expect(proposals).to.have.length(1);
      const ids = (txs: readonly Transaction[]) => txs.map((x) => toHex(transactionId(x)));
      expect(ids(proposals[0]!.message.block.txs)).to.deep.equal(ids([...fresh, ...more]));
      expect(h.time.clock).to.equal(0);
    });

    it("rejects a vote sent by someone else than its voter, a badly signed vote, and a double vote", () => {
      const h = new Harness(2);
      h.receive(1, proposal(b1));
      h.receive(3, { kind: "vote", vote: voteFor(b1, 0) });
      h.receive(0, { kind: "vote", vote: { ...voteFor(b1, 0), signature: new Uint8Array(64) } });
      const other = block(g.rec, g.qc, 1, { header: { timestamp: 9 } });
      h.receive(0, { kind: "vote", vote: voteFor(b1, 0) });
      h.receive(0, { kind: "vote", vote: voteFor(other, 0) });
      expect(h.rm.stats.rejected).to.deep.include({
        "vote:INVALID_VOTE": 2,
        "vote:BAD_SIGNATURE": 1,
      });
      expect(h.rm.currentRound).to.equal(1); // 2 valid votes of 3 needed
      expect(h.rm.stats.internalErrors).to.equal(0);
    });
  });

  describe("timeouts (pacemaker)", () => {
    it("times out when the round timer fires, and never votes in that round afterwards", () => {
      const h = new Harness(3);
      h.advance(99);
      expect(h.sentOf("timeout")).to.deep.equal([]);
      h.advance(1);
      const timeouts = h.sentOf("timeout");
      expect(timeouts).to.have.length(1);
      expect(timeouts[0]!.to).to.equal("all");
      expect(timeouts[0]!.message.timeout).to.deep.include({ round: 1, sender: 3 });
      h.receive(1, proposal(b1));
      expect(h.sentOf("vote")).to.deep.equal([]);
      expect(h.rm.stats.rejected["proposal:ALREADY_VOTED"]).to.equal(1);
    });

    it("times out on f + 1 timeouts from others before its own timer, and not on f", () => {
      const h = new Harness(3);
      h.receive(0, { kind: "timeout", timeout: signTimeout(keys[0]!, CHAIN, 1, g.qc, 0) });
      expect(h.sentOf("timeout")).to.deep.equal([]);
      h.receive(1, { kind: "timeout", timeout: signTimeout(keys[1]!, CHAIN, 1, g.qc, 1) });
      expect(h.sentOf("timeout")).to.have.length(1);
      expect(h.time.clock).to.equal(0);
    });

    it("forms a TC from 2f + 1 timeouts, enters the next round, and sends the TC to its leader", () => {
      const h = new Harness(3);
      h.receive(0, { kind: "timeout", timeout: signTimeout(keys[0]!, CHAIN, 1, g.qc, 0) });
      h.receive(1, { kind: "timeout", timeout: signTimeout(keys[1]!, CHAIN, 1, g.qc, 1) }); // + its own: 3
      expect(h.rm.currentRound).to.equal(2);
      const toLeader = h.sentOf("syncInfo").filter((s) => s.to === 2);
      expect(toLeader).to.have.length(1);
      expect(toLeader[0]!.message.syncInfo.lastTc).to.deep.include({ round: 1, signers: [0, 1, 3] });
    });

    it("backs off the round timer after rounds ended by timeout, and resets it on a commit", () => {
      const h = new Harness(3);
      const timeOut = (round: number, highQc: QuorumCert) => {
        for (const i of [0, 1])
          h.receive(i, { kind: "timeout", timeout: signTimeout(keys[i]!, CHAIN, round, highQc, i) });
      };
      timeOut(1, g.qc); // round 2 entered by TC: timer 200
      expect(h.rm.currentRound).to.equal(2);
      const sent = h.sentOf("timeout").length;
      h.advance(199);
      expect(h.sentOf("timeout")).to.have.length(sent);
      h.advance(1);
      expect(h.sentOf("timeout")).to.have.length(sent + 1);
    });

    it("a leader entering its round by TC proposes with that TC on its highest QC", () => {
      const h = new Harness(2);
      h.rm.handle({ kind: "transactions", txs: [tx()] });
      for (const i of [0, 1, 3]) h.receive(i, { kind: "timeout", timeout: signTimeout(keys[i]!, CHAIN, 1, g.qc, i) });
      h.advance(5);
      const proposals = h.sentOf("proposal");
      expect(proposals).to.have.length(1);
      expect(proposals[0]!.message.block.header.tc).to.deep.include({ round: 1 });
      expect(proposals[0]!.message.block.header.qc.round).to.equal(0);
    });

    it("with votes to the next leader, sends a vote to every validator when that leader failed its last round, and any replica forms the QC", () => {
      const h = new Harness(3, undefined, undefined, { voteDelivery: "nextLeader" });
      const timeOut = (round: number) => {
        for (const i of [0, 1, 2])
          h.receive(i, { kind: "timeout", timeout: signTimeout(keys[i]!, CHAIN, round, g.qc, i) });
      };
      for (const r of [1, 2, 3, 4]) timeOut(r); // rounds 1-4 end by TC: leader 2 proposed nothing in round 2
      expect(h.rm.currentRound).to.equal(5);
      const lastTc = h.rm.syncInfo().lastTc!;
      const b5 = block(g.rec, g.qc, 5, { tc: lastTc }); // leader 1
      h.receive(1, proposal(b5));
      // Round 6's leader (2) is suspected: the vote goes to everyone, not to it alone.
      const votes = h.sentOf("vote");
      expect(votes.map((v) => v.to)).to.deep.equal(["all"]);
      h.receive(0, { kind: "vote", vote: voteFor(b5, 0) });
      expect(h.rm.currentRound).to.equal(5);
      h.receive(1, { kind: "vote", vote: voteFor(b5, 1) }); // with its own: 3 of 4
      expect(h.rm.currentRound).to.equal(6);
      expect(h.rm.syncInfo().highQc).to.deep.include({ round: 5, signers: [0, 1, 3] });
    });

    it("with votes to the next leader, sends a vote to it alone while no round has failed", () => {
      const h = new Harness(3, undefined, undefined, { voteDelivery: "nextLeader" });
      h.receive(1, proposal(b1)); // round 1: nobody suspected, the vote goes to leader 2
      expect(h.sentOf("vote").map((v) => v.to)).to.deep.equal([2]);
    });

    it("jumps ahead on a TC formed from a quorum of timeouts for a later round, but collects none beyond maxRoundsAhead", () => {
      const h = new Harness(3);
      for (const i of [0, 1, 2])
        h.receive(i, { kind: "timeout", timeout: signTimeout(keys[i]!, CHAIN, 5000, g.qc, i) });
      expect(h.rm.currentRound).to.equal(1);
      for (const i of [0, 1, 2]) h.receive(i, { kind: "timeout", timeout: signTimeout(keys[i]!, CHAIN, 5, g.qc, i) });
      expect(h.rm.currentRound).to.equal(6);
    });

    it("rejects a timeout with a bad signature or from someone else than its sender", () => {
      const h = new Harness(3);
      h.receive(0, {
        kind: "timeout",
        timeout: { ...signTimeout(keys[0]!, CHAIN, 1, g.qc, 0), signature: new Uint8Array(64) },
      });
      h.receive(1, { kind: "timeout", timeout: signTimeout(keys[0]!, CHAIN, 1, g.qc, 0) });
      h.receive(2, { kind: "timeout", timeout: signTimeout(keys[2]!, CHAIN, 1, g.qc, 2) });
      expect(h.sentOf("timeout")).to.deep.equal([]); // only one valid timeout: below f + 1
      expect(h.rejected).to.equal(2);
    });
  });

  describe("catch-up", () => {
    it("serves block requests walking parents, bounded by the count and stopping above genesis", () => {
      const h = new Harness(3);
      for (const [from, b] of [
        [1, b1],
        [2, b2],
        [3, b3],
      ] as const)
        h.receive(from, proposal(b));
      const heights = (count: number) =>
        h.rm.serveBlockRequest({ blockId: b3.id, count }).blocks.map((b) => b.header.height);
      expect(heights(2)).to.deep.equal([3, 2]);
      expect(heights(10)).to.deep.equal([3, 2, 1]);
      expect(h.rm.serveBlockRequest({ blockId: new Uint8Array(32), count: 5 }).blocks).to.deep.equal([]);
      h.receive(0, { kind: "blockRequest", request: { blockId: b2.id, count: 1 } });
      const answer = h.sentOf("blockResponse");
      expect(answer.map((a) => a.to)).to.deep.equal([0]);
      expect(answer[0]!.message.response.blocks.map((b) => b.header.height)).to.deep.equal([2]);
    });

    it("fetches a missing parent from the sender, verifies it, then votes", async () => {
      const h = new Harness(3);
      h.receive(2, proposal(b2)); // its QC certifies b1, which this replica never saw
      expect(h.sentOf("vote")).to.deep.equal([]);
      expect(h.requests).to.have.length(1);
      expect(h.requests[0]!.peer).to.equal(2);
      expect(toHex(h.requests[0]!.request.blockId)).to.equal(b1.idHex);
      h.requests[0]!.resolve({ blocks: [b1.block] });
      await new Promise((r) => setImmediate(r));
      h.drain();
      expect(h.rm.stats.votes).to.equal(1); // to itself: it leads round 3
      expect(h.rm.safetyData.lastVotedRound).to.equal(2);
    });

    it("rejects a fetched block that is not the one asked for, or that does not verify, and does not vote", async () => {
      const cases: [BlockRecord, string][] = [
        [block(g.rec, g.qc, 1, { header: { timestamp: 42 } }), "fetch:SYNC_FAILED"], // another block
        [block(g.rec, g.qc, 1, { signer: 0 }), "fetched:INVALID_PROPOSAL"], // b1's header, forged signature
      ];
      for (const [answer, rejection] of cases) {
        const h = new Harness(3);
        h.receive(2, proposal(b2));
        h.requests[0]!.resolve({ blocks: [answer.block] });
        await new Promise((r) => setImmediate(r));
        h.drain();
        expect(h.rm.stats.votes).to.equal(0);
        expect(h.rm.stats.rejected[rejection], rejection).to.equal(1);
        expect(h.rm.stats.internalErrors).to.equal(0);
      }
    });
  });

  describe("divergence and restarts", () => {
    it("refuses a proposal with another app hash, and halts with DIVERGENCE once f + 1 proposers disagree", () => {
      const h = new Harness(3);
      h.appHashAt = () => sha256(new Uint8Array([1]));
      const other = { execHeight: 1, appHash: sha256(new Uint8Array([2])) };
      const c1 = block(g.rec, g.qc, 1, { header: other });
      h.receive(1, proposal(c1));
      expect(h.rm.halted).to.equal(null);
      expect(h.sentOf("vote")).to.deep.equal([]);
      h.receive(2, proposal(block(c1, certify(c1), 2, { header: other })));
      expect(h.rm.halted).to.be.instanceOf(DivergenceError).with.property("code", "DIVERGENCE");
      h.receive(3, proposal(block(c1, certify(c1), 3, { header: other })));
      expect(h.sentOf("vote")).to.deep.equal([]);
    });

    it("restarted with a high QC on disk whose commit was not, it commits and delivers that block, with no gap", () => {
      const first = new Harness(3);
      first.receive(1, proposal(b1));
      first.receive(2, proposal(b2));
      // Killed after the QC of b2 (which commits b1) was written, before the commit was.
      first.storage.saveHighQc(qc2);
      first.rm.stop();
      expect(first.storage.committedTip()).to.equal(undefined);
      const again = new Harness(3, first.safetyStorage, first.storage);
      expect(again.delivered.flat().map((b) => b.header.height)).to.deep.equal([1]);
      expect(again.storage.committedTip()?.block.header.height).to.equal(1);
      again.receive(3, proposal(b3));
      again.receive(0, proposal(b4));
      expect(again.delivered.flat().map((b) => b.header.height)).to.deep.equal([1, 2]);
    });

    it("restarted from its storage, it neither votes twice in a round nor forgets its tree", () => {
      const first = new Harness(3);
      first.receive(1, proposal(b1));
      first.receive(2, proposal(b2));
      first.rm.stop();
      const again = new Harness(3, first.safetyStorage, first.storage);
      expect(again.rm.currentRound).to.equal(2);
      again.receive(2, proposal(block(b1, qc1, 2, { header: { timestamp: 50 } })));
      expect(again.sentOf("vote")).to.deep.equal([]);
      again.receive(3, proposal(b3));
      expect(again.sentOf("vote")).to.have.length(1);
      expect(again.delivered.flat().map((b) => b.header.height)).to.deep.equal([1]);
    });
  });
});

function timeoutCert(round: number, highQc: QuorumCert, signers: number[]): TimeoutCert {
  const ts = signers.map((i) => signTimeout(keys[i]!, CHAIN, round, highQc, i));
  return {
    round,
    signers,
    highQcRounds: ts.map((t) => t.highQc.round),
    signatures: ts.map((t) => t.signature),
  };
}
