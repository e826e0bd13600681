import { TX_BATCH_FRAME_TAG } from "../../src/txBatch.js";
import { EventEmitter } from "node:events";
import type { PeerId, Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { KeyPair } from "@ordo/crypto";
import {
  blockId,
  type BlockRequest,
  bytesEqual,
  type ConsensusMessage,
  encodeBlock,
  encodeConsensusMessage,
  encodeTransaction,
  type Transaction,
  transactionIdHex,
} from "@ordo/types";
import { arbitraryBlock, arbitraryTransaction, SeededRandom } from "@ordo/types/testing";
import { expect } from "chai";
import {
  BLOCKS_PROTOCOL,
  blockTopic,
  CONSENSUS_PROTOCOL,
  createOrdoHost,
  encodeFrame,
  libp2pPrivateKey,
  NetworkNotRunningError,
  type OrdoHost,
  type OrdoNetwork,
  type PeerOffense,
  RequestTimeoutError,
  txTopic,
  UnknownValidatorError,
} from "../../src/index.js";
import {
  CHAIN_ID,
  Inbox,
  makeKeys,
  makeNetwork,
  nextEvent,
  startCluster,
  until,
  validatorSetOf,
  voteMessage,
} from "./helpers.js";

function roundOf(m: { message: { kind: string; vote?: { round: number } } }): number {
  return m.message.kind === "vote" ? m.message.vote!.round : -1;
}

function tx(rng: SeededRandom): Transaction {
  return { ...arbitraryTransaction(rng, 100), chainId: CHAIN_ID };
}

describe("OrdoNetwork over real libp2p (4 validators on loopback)", function () {
  this.timeout(15_000);
  const keys = makeKeys(4);
  const validators = validatorSetOf(keys);
  const nets: OrdoNetwork[] = [];
  let inboxes: Inbox[] = [];
  const rng = new SeededRandom(5);

  before(async () => {
    await startCluster(keys, validators, nets, { requestTimeoutMs: 600 });
    inboxes = nets.map((n) => new Inbox(n));
  });

  after(async () => {
    await Promise.all(nets.map((n) => n.stop()));
  });

  it("validators started with one bootstrap address find and connect to all the others", async () => {
    await until("a full mesh of 4 validators", () => nets.every((n) => n.connectedValidators().length === 3), nets, [
      "validator:connect",
    ]);
    for (const [i, net] of nets.entries()) {
      expect(net.selfIndex).to.equal(i);
      expect(net.connectedValidators().sort()).to.deep.equal([0, 1, 2, 3].filter((j) => j !== i));
    }
  });

  it("broadcast reaches every other validator, with the sender's index", async () => {
    nets[1]!.broadcast(voteMessage(101, 1));
    await Promise.all([0, 2, 3].map((i) => inboxes[i]!.waitFor(1, `broadcast at ${i}`)));
    for (const i of [0, 2, 3]) {
      const got = inboxes[i]!.received.filter((m) => roundOf(m) === 101);
      expect(got).to.have.length(1);
      expect(got[0]!.from).to.equal(1);
    }
    expect(inboxes[1]!.received.filter((m) => roundOf(m) === 101)).to.have.length(0);
  });

  it("sendTo delivers to the named validator only", async () => {
    nets[2]!.sendTo(3, voteMessage(202, 2));
    // A broadcast after it: each stream is FIFO, so once the marker arrives anything before it has too.
    nets[2]!.broadcast(voteMessage(203, 2));
    await Promise.all([0, 1, 3].map((i) => waitRound(i, 203)));
    const to3 = inboxes[3]!.received.filter((m) => roundOf(m) === 202);
    expect(to3).to.have.length(1);
    expect(to3[0]!.from).to.equal(2);
    for (const i of [0, 1]) expect(inboxes[i]!.received.some((m) => roundOf(m) === 202)).to.equal(false);
  });

  it("delivers a burst of messages in order over the long-lived stream", async () => {
    const base = 10_000;
    const count = 3000;
    for (let r = base; r < base + count; r++) nets[0]!.sendTo(1, voteMessage(r, 0));
    await waitRound(1, base + count - 1);
    const rounds = inboxes[1]!.received.map(roundOf).filter((r) => r >= base);
    expect(rounds).to.deep.equal(Array.from({ length: count }, (_, i) => base + i));
    // Coalescing: far fewer writes than frames.
    expect(nets[0]!.counters.writes).to.be.lessThan(nets[0]!.counters.framesWritten / 10);
  });

  it("serves block requests and answers with the handler's blocks", async () => {
    const blocks = [arbitraryBlock(rng, 3), arbitraryBlock(rng, 2)];
    let askedBy = -2;
    let asked: BlockRequest | undefined;
    nets[1]!.setBlockRequestHandler((req, from) => {
      askedBy = from.validator;
      asked = req;
      return { blocks };
    });
    const request = { blockId: new Uint8Array(32).fill(9), count: 2 };
    const response = await nets[0]!.request(1, request);
    expect(askedBy).to.equal(0);
    expect(bytesEqual(asked!.blockId, request.blockId)).to.equal(true);
    expect(response.blocks.map((b) => encodeBlock(b))).to.deep.equal(blocks.map((b) => encodeBlock(b)));
  });

  it("a proposal goes compact (ids only) and is rebuilt from each validator's own transactions; one naming a transaction it lacks is fetched whole from the proposer", async () => {
    const block = { ...arbitraryBlock(rng, 0), txs: [tx(rng), tx(rng), tx(rng)] };
    const id = blockId(block.header);
    const known = new Map(block.txs.map((t) => [transactionIdHex(t), t]));
    const partial = new Map([...known].slice(0, 2));
    for (const i of [1, 2]) nets[i]!.setTxLookup((idHex) => known.get(idHex));
    nets[3]!.setTxLookup((idHex) => partial.get(idHex));
    nets[0]!.setBlockRequestHandler((req) => ({ blocks: bytesEqual(req.blockId, id) ? [block] : [] }));
    const before = nets.map((n) => ({ ...n.counters }));
    const isIt = (m: { message: ConsensusMessage }) =>
      m.message.kind === "proposal" && bytesEqual(blockId(m.message.block.header), id);
    nets[0]!.broadcast({ kind: "proposal", block });
    await Promise.all(
      [1, 2, 3].map((i) =>
        until(`the proposal at ${i}`, () => inboxes[i]!.received.some(isIt), [inboxes[i]!.emitter], ["message"]),
      ),
    );
    for (const i of [1, 2, 3]) {
      const got = inboxes[i]!.received.find(isIt)!;
      expect(got.from).to.equal(0);
      if (got.message.kind !== "proposal") throw new Error("not a proposal");
      expect(encodeBlock(got.message.block)).to.deep.equal(encodeBlock(block));
    }
    // Validators 1 and 2 got their own transaction objects back; 3 fetched the block.
    const at1 = inboxes[1]!.received.find(isIt)!.message;
    if (at1.kind === "proposal") expect(at1.block.txs[0]).to.equal(known.get(transactionIdHex(block.txs[0]!)));
    for (const i of [1, 2]) expect(nets[i]!.counters.compactResolved - before[i]!.compactResolved).to.equal(1);
    expect(nets[3]!.counters.compactFetched - before[3]!.compactFetched).to.equal(1);
    expect(nets[0]!.counters.blockRequestsServed - before[0]!.blockRequestsServed).to.equal(1);
    for (const n of nets) n.setTxLookup(undefined);
  });

  it("a block request to a peer that never answers times out cleanly", async () => {
    nets[2]!.setBlockRequestHandler(() => new Promise(() => {}));
    const started = Date.now();
    const err = await nets[0]!.request(2, { blockId: new Uint8Array(32), count: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(RequestTimeoutError);
    expect(Date.now() - started).to.be.lessThan(3000);
    // The requester is fine afterwards.
    const again = await nets[0]!.request(1, { blockId: new Uint8Array(32), count: 1 });
    expect(again.blocks.length).to.be.greaterThan(0);
    const self = await nets[0]!.request(0, { blockId: new Uint8Array(32), count: 1 }).catch((e: unknown) => e);
    expect(self).to.be.instanceOf(UnknownValidatorError);
  });

  it("gossiped transaction batches reach every node", async () => {
    await until(
      "gossip subscriptions",
      () => nets.every((n) => n.txSubscribers().length === 3),
      nets.map((n) => n.host.services.pubsub),
      ["subscription-change"],
    );
    const txs = [tx(rng), tx(rng), tx(rng)];
    const { batches: got, emitter } = collectTxBatches(nets);
    await nets[0]!.publishTxs(txs);
    await until("tx batch at every node", () => [1, 2, 3].every((i) => got[i]!.length === 1), [emitter], ["tx"]);
    for (const i of [1, 2, 3]) {
      expect(got[i]![0]!.map(encodeTransaction)).to.deep.equal(txs.map(encodeTransaction));
    }
    expect(got[0]).to.have.length(0);
  });

  it("relayed transaction batches reach every validator over the direct streams, not gossip", async () => {
    // Validator 1 broadcast earlier: its streams to the others are open.
    expect(nets[1]!.peerList().filter((p) => p.streamOpen)).to.have.length(3);
    const txs = [tx(rng), tx(rng)];
    const { batches: got, emitter } = collectTxBatches(nets);
    const gossipBefore = nets[1]!.counters.gossipOut;
    expect(await nets[1]!.relayTxs(txs)).to.equal(3);
    await until(
      "relayed batch at every other node",
      () => [0, 2, 3].every((i) => got[i]!.length === 1),
      [emitter],
      ["tx"],
    );
    for (const i of [0, 2, 3]) expect(got[i]![0]!.map(encodeTransaction)).to.deep.equal(txs.map(encodeTransaction));
    expect(got[1]).to.have.length(0);
    expect(nets[1]!.counters.gossipOut).to.equal(gossipBefore);
  });

  it("an invalid gossip message is rejected and not delivered", async () => {
    const { batches: delivered, emitter } = collectTxBatches(nets);
    const rejectedBefore = nets.map((n) => n.counters.rejected);
    const pubsub = nets[3]!.host.services.pubsub;
    // Garbage, then a well-formed batch for another chain, then a valid batch.
    await pubsub.publish(txTopic(CHAIN_ID), new Uint8Array([0, 0, 0, 1, 42]));
    await nets[3]!.publishTxs([{ ...tx(rng), chainId: "other-chain" }]);
    const valid = [tx(rng)];
    await nets[3]!.publishTxs(valid);
    await until("valid batch at 0..2", () => [0, 1, 2].every((i) => delivered[i]!.length >= 1), [emitter], ["tx"]);
    for (const i of [0, 1, 2]) {
      expect(delivered[i]!.map((b) => b.map(encodeTransaction))).to.deep.equal([valid.map(encodeTransaction)]);
      expect(nets[i]!.counters.rejected - rejectedBefore[i]!).to.equal(2);
    }
  });

  it("gossiped blocks reach every node", async () => {
    const block = arbitraryBlock(rng, 2);
    const got = nets.map(() => [] as Uint8Array[]);
    const emitter = new EventTarget();
    for (const [i, n] of nets.entries()) {
      n.onBlock((b) => {
        got[i]!.push(encodeBlock(b));
        emitter.dispatchEvent(new Event("block"));
      });
    }
    await nets[2]!.publishBlock(block);
    await until("block at 0, 1, 3", () => [0, 1, 3].every((i) => got[i]!.length === 1), [emitter], ["block"]);
    for (const i of [0, 1, 3]) expect(got[i]![0]).to.deep.equal(encodeBlock(block));
  });

  it("a consensus handler that throws costs nothing but a counter", async () => {
    const before = nets[3]!.counters.handlerErrors;
    const handler = (from: number, message: ConsensusMessage) => {
      if (message.kind === "vote" && message.vote.round === 4040) throw new Error("bug in the node");
      inboxes[3]!.received.push({ from, message });
      inboxes[3]!.emitter.dispatchEvent(new Event("message"));
    };
    nets[3]!.onConsensusMessage(handler);
    nets[0]!.sendTo(3, voteMessage(4040, 0));
    nets[0]!.sendTo(3, voteMessage(4041, 0));
    await waitRound(3, 4041);
    expect(nets[3]!.counters.handlerErrors).to.equal(before + 1);
    expect(nets[3]!.connectedValidators()).to.include(0);
  });

  it("reconnects and resumes after a connection drops", async () => {
    const peer1 = nets[1]!.peerId;
    await nets[0]!.host.hangUp(peer1);
    await until(
      "0 and 1 reconnected",
      () => nets[0]!.connectedValidators().includes(1) && nets[1]!.connectedValidators().includes(0),
      [nets[0]!, nets[1]!],
      ["validator:connect"],
    );
    nets[0]!.sendTo(1, voteMessage(777, 0));
    await waitRound(1, 777);
  });

  it("says when a stream to a validator reopens (validator:stream), and relayTxsTo sends to that validator alone", async () => {
    const reopened = nextEvent<number>(nets[0]!, "validator:stream", "0's stream to 2 reopened", (v) => v === 2);
    await nets[0]!.host.hangUp(nets[2]!.peerId);
    expect(await reopened).to.equal(2);
    const { batches: got, emitter } = collectTxBatches(nets);
    const txs = [tx(rng), tx(rng), tx(rng)];
    expect(nets[0]!.relayTxsTo(2, txs)).to.equal(true);
    expect(nets[0]!.relayTxsTo(0, txs), "not to itself").to.equal(false);
    // A marker relayed to everyone after it: when 1 and 3 have the marker, they would have had the batch.
    const marker = [tx(rng)];
    await nets[0]!.relayTxs(marker);
    await until(
      "batch and marker at 2, marker at 1 and 3",
      () => got[2]!.length === 2 && got[1]!.length === 1 && got[3]!.length === 1,
      [emitter],
      ["tx"],
    );
    expect(got[2]!.map((b) => b.map(encodeTransaction))).to.deep.equal(
      [txs, marker].map((b) => b.map(encodeTransaction)),
    );
    for (const i of [1, 3]) expect(got[i]![0]!.map(encodeTransaction)).to.deep.equal(marker.map(encodeTransaction));
  });

  it("a validator that restarts on a new port is found again and rejoins", async () => {
    const gone = Promise.all(
      [0, 1, 2].map((i) => nextEvent<number>(nets[i]!, "validator:disconnect", `3 gone at ${i}`, (v) => v === 3)),
    );
    await nets[3]!.stop();
    await gone;
    const restarted = makeNetwork(keys[3]!, validators, {
      requestTimeoutMs: 600,
      bootstrap: [nets[0]!.multiaddrs()[0]!],
    });
    nets.push(restarted); // stopped in `after` (stopping the old instance again is a no-op)
    inboxes[3] = new Inbox(restarted);
    await restarted.start();
    await until(
      "validator 3 back in the mesh",
      () =>
        [0, 1, 2].every((i) => nets[i]!.connectedValidators().includes(3)) &&
        restarted.connectedValidators().length === 3,
      [...nets],
      ["validator:connect"],
    );
    nets[1]!.sendTo(3, voteMessage(8080, 1));
    restarted.broadcast(voteMessage(8081, 3));
    await Promise.all([waitRound(3, 8080), waitRound(0, 8081), waitRound(1, 8081), waitRound(2, 8081)]);
  });

  function waitRound(i: number, round: number): Promise<void> {
    return until(
      `round ${round} at validator ${i}`,
      () => inboxes[i]!.received.some((m) => roundOf(m) === round),
      [inboxes[i]!.emitter],
      ["message"],
    );
  }
});

describe("OrdoNetwork against misbehaving peers", function () {
  this.timeout(15_000);
  // Validators 0..2 run OrdoNetwork; validator 3's key drives a raw libp2p host that sends garbage.
  const keys = makeKeys(4, 20);
  const validators = validatorSetOf(keys);
  const maxFrameBytes = 64 * 1024;
  const nets: OrdoNetwork[] = [];
  let inboxes: Inbox[] = [];
  const hosts: OrdoHost[] = [];

  async function rawHost(key: KeyPair): Promise<OrdoHost> {
    const host = await createOrdoHost({ privateKey: libp2pPrivateKey(key), listenAddresses: ["/ip4/127.0.0.1/tcp/0"] });
    hosts.push(host);
    await host.start();
    return host;
  }

  async function openConsensus(host: OrdoHost, target: OrdoNetwork): Promise<Stream> {
    return host.dialProtocol(multiaddr(target.multiaddrs()[0]!), CONSENSUS_PROTOCOL);
  }

  before(async () => {
    // Every case below offends with the same key: no ban, so each one can connect again.
    await startCluster(keys.slice(0, 3), validators, nets, { maxFrameBytes, banScore: -1000 });
    inboxes = nets.map((n) => new Inbox(n));
    await until(
      "0..2 connected",
      () => nets.every((n) => n.connectedValidators().filter((v) => v < 3).length === 2),
      nets,
      ["validator:connect"],
    );
  });

  after(async () => {
    await Promise.all([...nets.map((n) => n.stop()), ...hosts.map((h) => h.stop())]);
  });

  it("an unknown (non-validator) peer cannot inject consensus messages", async () => {
    const stranger = await rawHost(KeyPair.generate());
    const refused = nextEvent<{ peerId: string; protocol: string }>(nets[0]!, "peer:refused", "a refusal");
    const stream = await openConsensus(stranger, nets[0]!).catch(() => undefined);
    try {
      stream?.send(encodeFrame(encodeConsensusMessage(voteMessage(555, 1))));
    } catch {
      // already reset by the validator
    }
    const refusal = await refused;
    expect(refusal.peerId).to.equal(stranger.peerId.toString());
    expect(refusal.protocol).to.equal(CONSENSUS_PROTOCOL);
    expect(nets[0]!.counters.refused).to.be.greaterThan(0);
    // Validators still talk, and nothing from the stranger was delivered.
    nets[1]!.sendTo(0, voteMessage(556, 1));
    await until(
      "556 at 0",
      () => inboxes[0]!.received.some((m) => roundOf(m) === 556),
      [inboxes[0]!.emitter],
      ["message"],
    );
    expect(inboxes[0]!.received.some((m) => roundOf(m) === 555)).to.equal(false);
  });

  for (const [name, frame] of [
    ["a malformed transaction batch", encodeFrame(new Uint8Array([TX_BATCH_FRAME_TAG, 0, 0, 0, 1, 42]))],
    [
      "an oversized frame",
      (() => {
        // Only the length prefix is sent: the limit is enforced before any body is buffered.
        const header = new Uint8Array(4);
        new DataView(header.buffer).setUint32(0, maxFrameBytes + 1);
        return header;
      })(),
    ],
    ["a malformed frame", encodeFrame(new Uint8Array([99, 1, 2, 3]))],
  ] as const) {
    it(`${name} gets the sender disconnected while the others keep exchanging messages`, async () => {
      const rogue = await rawHost(keys[3]!);
      const offense = nextEvent<PeerOffense>(nets[0]!, "peer:offense", "an offense");
      const disconnected = nextEvent<PeerId>(rogue, "peer:disconnect", "the rogue's disconnection", (p) =>
        p.equals(nets[0]!.peerId),
      );
      const stream = await openConsensus(rogue, nets[0]!);
      // A valid message first: the rogue is a validator, so it is accepted...
      stream.send(encodeFrame(encodeConsensusMessage(voteMessage(900, 3))));
      stream.send(frame);
      const o = await offense;
      expect(o.validator).to.equal(3);
      await disconnected;
      expect(inboxes[0]!.received.some((m) => roundOf(m) === 900 && m.from === 3)).to.equal(true);
      expect(nets[0]!.counters.rejected).to.be.greaterThan(0);
      expect(nets[0]!.counters.disconnects).to.be.greaterThan(0);
      // ...and the honest validators carry on.
      const marker = 1000 + nets[0]!.counters.disconnects;
      nets[1]!.broadcast(voteMessage(marker, 1));
      nets[2]!.sendTo(0, voteMessage(marker + 1, 2));
      await until(
        "honest traffic after the offense",
        () =>
          inboxes[0]!.received.some((m) => roundOf(m) === marker && m.from === 1) &&
          inboxes[0]!.received.some((m) => roundOf(m) === marker + 1 && m.from === 2) &&
          inboxes[2]!.received.some((m) => roundOf(m) === marker && m.from === 1),
        inboxes.map((i) => i.emitter),
        ["message"],
      );
      await rogue.stop();
    });
  }

  it("a malformed block request gets the sender disconnected; a stranger's is refused", async () => {
    const rogue = await rawHost(keys[3]!);
    const offense = nextEvent<PeerOffense>(nets[1]!, "peer:offense", "an offense on /ordo/blocks");
    const stream = await rogue.dialProtocol(multiaddr(nets[1]!.multiaddrs()[0]!), BLOCKS_PROTOCOL);
    stream.send(encodeFrame(new Uint8Array([5, 1, 2])));
    expect((await offense).validator).to.equal(3);

    const stranger = await rawHost(KeyPair.generate());
    const refused = nextEvent<{ protocol: string }>(nets[1]!, "peer:refused", "a refusal on /ordo/blocks");
    const s2 = await stranger
      .dialProtocol(multiaddr(nets[1]!.multiaddrs()[0]!), BLOCKS_PROTOCOL)
      .catch(() => undefined);
    try {
      s2?.send(
        encodeFrame(
          encodeConsensusMessage({ kind: "blockRequest", request: { blockId: new Uint8Array(32), count: 1 } }),
        ),
      );
    } catch {
      // already reset
    }
    expect((await refused).protocol).to.equal(BLOCKS_PROTOCOL);
    await Promise.all([rogue.stop(), stranger.stop()]);
  });

  it("a follower (not a validator) receives gossiped blocks and has no consensus voice", async () => {
    const follower = makeNetwork(KeyPair.generate(), validators, { bootstrap: [nets[0]!.multiaddrs()[0]!] });
    nets.push(follower); // stopped in `after`
    expect(follower.selfIndex).to.equal(-1);
    await follower.start();
    // Validator 0 gossips to the follower once it knows the follower's subscription AND has an
    // outbound stream to it; gossipsub sends its own subscriptions first thing on that stream, so
    // the follower knowing validator 0's subscription shows the stream exists.
    const topic = blockTopic(CHAIN_ID);
    const [mine, theirs] = [follower.host.services.pubsub, nets[0]!.host.services.pubsub];
    await until(
      "subscriptions known both ways between validator 0 and the follower",
      () =>
        mine.getSubscribers(topic).some((p) => p.equals(nets[0]!.peerId)) &&
        theirs.getSubscribers(topic).some((p) => p.equals(follower.peerId)),
      [mine, theirs],
      ["subscription-change"],
    );
    const block = arbitraryBlock(new SeededRandom(9), 1);
    const blocks = new EventEmitter();
    follower.onBlock((b) => blocks.emit("block", encodeBlock(b)));
    const got = nextEvent<Uint8Array>(blocks, "block", "a block at the follower");
    await nets[0]!.publishBlock(block);
    expect(await got).to.deep.equal(encodeBlock(block));
    // Its consensus sends go nowhere.
    follower.broadcast(voteMessage(31337, 0));
    follower.sendTo(0, voteMessage(31338, 0));
    expect(follower.counters.dropped).to.equal(2);
    expect(follower.counters.messagesOut).to.equal(0);
  });
});

describe("OrdoNetwork lifecycle", () => {
  const keys = makeKeys(2, 40);
  const validators = validatorSetOf(keys);

  it("start and stop are idempotent, and a stopped network refuses work without throwing from the hot path", async () => {
    const net = makeNetwork(keys[0]!, validators);
    try {
      await Promise.all([net.start(), net.start()]);
      expect(net.running).to.equal(true);
      expect(net.multiaddrs()[0]).to.match(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
    } finally {
      await Promise.all([net.stop(), net.stop()]);
    }
    await net.stop();
    expect(net.running).to.equal(false);
    expect(net.multiaddrs()).to.deep.equal([]);
    net.broadcast(voteMessage(1));
    net.sendTo(1, voteMessage(1));
    expect(net.counters.dropped).to.equal(2);
    const err = await net.request(1, { blockId: new Uint8Array(32), count: 1 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NetworkNotRunningError);
    // And it can start again.
    await net.start();
    await net.stop();
  });
});

/** Records the transaction batches each network delivers; `emitter` fires "tx" on each. */
function collectTxBatches(nets: OrdoNetwork[]): { batches: Transaction[][][]; emitter: EventTarget } {
  const batches = nets.map(() => [] as Transaction[][]);
  const emitter = new EventTarget();
  for (const [i, n] of nets.entries()) {
    n.onTxBatch((batch) => {
      batches[i]!.push(batch);
      emitter.dispatchEvent(new Event("tx"));
    });
  }
  return { batches, emitter };
}
