import type { Stream } from "@libp2p/interface";
import { expect } from "chai";
import { newCounters } from "../../src/counters.js";
import { FrameDecoder } from "../../src/frames.js";
import { PeerSender } from "../../src/peerSender.js";

/** Just enough of a libp2p Stream: records writes, reports "full" when told to, emits drain. */
class FakeStream extends EventTarget {
  writes: Uint8Array[] = [];
  full = false;
  writeStatus = "writable";
  send(data: Uint8Array): boolean {
    if (this.writeStatus !== "writable") throw new Error("closed");
    this.writes.push(data);
    return !this.full;
  }
  drain(): void {
    this.full = false;
    this.dispatchEvent(new Event("drain"));
  }
  frames(): number[] {
    const out: number[] = [];
    const decoder = new FrameDecoder(1 << 20);
    for (const w of this.writes) decoder.push(w, (f) => out.push(f[0]!));
    return out;
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const body = (i: number) => new Uint8Array([i, 0, 0, 0]);
const opts = { maxQueuedFrames: 100, maxQueuedBytes: 1 << 20, maxBytesPerWrite: 64 * 1024, coalesce: true };

describe("PeerSender", () => {
  it("coalesces the frames queued in one tick into one write, in order", async () => {
    const counters = newCounters();
    const sender = new PeerSender(opts, counters);
    const stream = new FakeStream();
    sender.attach(stream as unknown as Stream);
    for (let i = 0; i < 50; i++) sender.enqueue(body(i));
    expect(stream.writes).to.have.length(0); // nothing before the next tick
    await tick();
    expect(stream.writes).to.have.length(1);
    expect(stream.frames()).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    expect(counters.framesWritten).to.equal(50);
    expect(counters.writes).to.equal(1);
  });

  it("writes one frame per write when coalescing is off", async () => {
    const sender = new PeerSender({ ...opts, coalesce: false }, newCounters());
    const stream = new FakeStream();
    sender.attach(stream as unknown as Stream);
    for (let i = 0; i < 5; i++) sender.enqueue(body(i));
    await tick();
    expect(stream.writes).to.have.length(5);
    expect(stream.frames()).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it("splits writes at maxBytesPerWrite", async () => {
    const sender = new PeerSender({ ...opts, maxBytesPerWrite: 3 * 8 }, newCounters());
    const stream = new FakeStream();
    sender.attach(stream as unknown as Stream);
    for (let i = 0; i < 7; i++) sender.enqueue(body(i));
    await tick();
    expect(stream.writes.map((w) => w.length)).to.deep.equal([24, 24, 8]);
  });

  it("stops at backpressure until the drain event, then resumes", async () => {
    const sender = new PeerSender({ ...opts, maxBytesPerWrite: 8 }, newCounters());
    const stream = new FakeStream();
    stream.full = true;
    sender.attach(stream as unknown as Stream);
    for (let i = 0; i < 4; i++) sender.enqueue(body(i));
    await tick();
    expect(stream.writes).to.have.length(1);
    expect(sender.queued).to.equal(3);
    await tick();
    expect(stream.writes).to.have.length(1); // still waiting for drain
    stream.drain();
    await tick();
    expect(stream.frames()).to.deep.equal([0, 1, 2, 3]);
  });

  it("keeps at most maxQueuedFrames, dropping the oldest and counting them", async () => {
    const counters = newCounters();
    const sender = new PeerSender({ ...opts, maxQueuedFrames: 10 }, counters);
    for (let i = 0; i < 25; i++) sender.enqueue(body(i));
    expect(sender.queued).to.equal(10);
    expect(counters.dropped).to.equal(15);
    const stream = new FakeStream();
    sender.attach(stream as unknown as Stream);
    await tick();
    expect(stream.frames()).to.deep.equal([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it("keeps at most maxQueuedBytes", () => {
    const counters = newCounters();
    const sender = new PeerSender({ ...opts, maxQueuedBytes: 40 }, counters);
    for (let i = 0; i < 10; i++) sender.enqueue(body(i));
    expect(sender.queuedBytes).to.be.at.most(40);
    expect(sender.queued).to.equal(5);
    sender.enqueue(new Uint8Array(100)); // can never fit
    expect(counters.dropped).to.equal(6);
  });

  it("survives a stream that throws on write and keeps the rest for the next stream", async () => {
    const errors: unknown[] = [];
    const sender = new PeerSender({ ...opts, maxBytesPerWrite: 8 }, newCounters(), (_s, e) => errors.push(e));
    // Still "writable" by its status, but reset underneath: send() throws.
    const broken = new FakeStream();
    broken.send = () => {
      throw new Error("reset");
    };
    sender.attach(broken as unknown as Stream);
    for (let i = 0; i < 3; i++) sender.enqueue(body(i));
    await tick();
    expect(errors).to.have.length(1);
    expect(sender.stream).to.equal(undefined);
    const fresh = new FakeStream();
    sender.attach(fresh as unknown as Stream);
    await tick();
    expect(fresh.frames()).to.deep.equal([1, 2]);
  });
});
