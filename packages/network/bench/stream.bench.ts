import "@ordo/polyfills";
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KeyPair, ValidatorSet } from "@ordo/crypto";
import { type ConsensusMessage, encodeConsensusMessage, ZERO_HASH } from "@ordo/types";
import { OrdoNetwork } from "../src/index.js";

/**
 * One-way consensus message rate between two validators over the direct stream, each in its own
 * process (a sender and a forked receiver), with and without write coalescing. The sender keeps
 * at most WINDOW messages queued; the receiver decodes every frame strictly, counts, and reports
 * when it has them all. Prints JSON and writes results/network-stream.json. Not a test.
 */

const CHAIN_ID = "ordo-bench";
const keys = [1, 2].map((b) => KeyPair.fromSeed(new Uint8Array(32).fill(b)));
const validators = new ValidatorSet(keys.map((k) => ({ publicKey: k.publicKey })));
const WINDOW = 20_000;

function vote(round: number): ConsensusMessage {
  return {
    kind: "vote",
    vote: {
      blockId: new Uint8Array(32).fill(round & 0xff),
      round,
      parentId: ZERO_HASH,
      parentRound: Math.max(0, round - 1),
      voter: 0,
      signature: new Uint8Array(64).fill(3),
    },
  };
}

type FromReceiver = { addr: string } | { warm: true } | { done: number };

async function receiver(count: number): Promise<void> {
  const net = new OrdoNetwork({ chainId: CHAIN_ID, maxQueuedFrames: 1 }, { key: keys[1]!, validators });
  let received = 0;
  // The first message is the sender's warm-up; then `count` measured ones.
  net.onConsensusMessage(() => {
    received++;
    if (received === 1) process.send?.({ warm: true } satisfies FromReceiver);
    else if (received === count + 1) process.send?.({ done: received - 1 } satisfies FromReceiver);
  });
  await net.start();
  process.send?.({ addr: net.multiaddrs()[0]! } satisfies FromReceiver);
  // Die with the parent, whatever way it ends.
  process.on("disconnect", () => process.exit(0));
  process.on("message", async (m) => {
    if (m === "stop") {
      await net.stop();
      process.exit(0);
    }
  });
}

async function run(coalesce: boolean, count: number): Promise<Record<string, number | boolean>> {
  const child = fork(fileURLToPath(import.meta.url), ["receiver", String(count)], { execArgv: process.execArgv });
  const messages: FromReceiver[] = [];
  let wake: (() => void) | undefined;
  child.on("message", (m: FromReceiver) => {
    messages.push(m);
    wake?.();
  });
  const next = async (): Promise<FromReceiver> => {
    while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return messages.shift()!;
  };
  const hello = await next();
  if (!("addr" in hello)) throw new Error("receiver did not start");
  const net = new OrdoNetwork(
    { chainId: CHAIN_ID, bootstrap: [hello.addr], coalesce, maxQueuedFrames: WINDOW * 2 },
    { key: keys[0]!, validators },
  );
  const connected = once(net, "validator:connect");
  await net.start();
  await connected;
  // One message through first, so the stream is open before the clock starts.
  net.sendTo(1, vote(0));
  const warm = await next();
  if (!("warm" in warm)) throw new Error("receiver did not see the warm-up message");
  const size = encodeConsensusMessage(vote(1)).length;
  const start = performance.now();
  let sent = 0;
  // Produce in slices per macrotask, keeping at most WINDOW queued (the sender's own flow control).
  await new Promise<void>((resolve) => {
    const produce = () => {
      const queued = net.peerList()[0]!.queued;
      const room = Math.min(WINDOW - queued, count - sent, 2000);
      for (let i = 0; i < room; i++) net.sendTo(1, vote(++sent));
      if (sent < count) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  const done = await next();
  const seconds = (performance.now() - start) / 1000;
  const figures = {
    coalesce,
    messages: count,
    messageBytes: size,
    seconds: Number(seconds.toFixed(3)),
    messagesPerSecond: Math.round(count / seconds),
    megabytesPerSecond: Number(((count * (size + 4)) / seconds / 1e6).toFixed(1)),
    framesPerWrite: Number((net.counters.framesWritten / net.counters.writes).toFixed(1)),
    dropped: net.counters.dropped,
    received: "done" in done ? done.done : 0,
  };
  child.send("stop");
  await net.stop();
  await new Promise((resolve) => child.once("exit", resolve));
  return figures;
}

if (process.argv[2] === "receiver") {
  await receiver(Number(process.argv[3]));
} else {
  const results = [await run(false, 50_000), await run(true, 500_000)];
  const out = { bench: "network/stream", node: process.version, results };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync("results", { recursive: true });
  writeFileSync("results/network-stream.json", `${JSON.stringify(out, null, 2)}\n`);
}
