import { StreamState, YamuxStream } from "@libp2p/yamux/stream";
import { expect } from "chai";
import { installYamuxWindowHysteresis } from "../../src/yamuxWindowUpdates.js";

interface SentFrame {
  type: number;
  flag: number;
  length: number;
}

const WINDOW_UPDATE = 1;
const DATA = 0;
const WINDOW = 256 * 1024; // yamux's initial stream window
const silent = Object.assign(() => {}, { trace() {}, error() {}, newScope: () => silent, enabled: false });

/** A real YamuxStream whose outgoing frames are recorded instead of written. */
function stream(state: StreamState): { s: YamuxStream; sent: SentFrame[] } {
  const sent: SentFrame[] = [];
  const Ctor = YamuxStream as unknown as new (init: unknown) => YamuxStream;
  const s = new Ctor({
    id: "1",
    streamId: 1,
    direction: "inbound",
    state,
    getRTT: () => -1,
    log: silent,
    sendFrame: (h: SentFrame) => {
      sent.push(h);
      return true;
    },
  });
  return { s, sent };
}

function receive(s: YamuxStream, bytes: number): void {
  const frame = { header: { type: DATA, flag: 0, streamID: 1, length: bytes }, data: new Uint8Array(bytes) };
  (s as unknown as { handleData(f: unknown): void }).handleData(frame);
}

describe("yamux window updates (installYamuxWindowHysteresis)", () => {
  before(() => installYamuxWindowHysteresis());

  it("sends one window update per half window consumed, not one per data frame", () => {
    const { s, sent } = stream(StreamState.Established);
    // 2,000 frames of 200 bytes = 400 KB: more than one and a half windows.
    const updates: number[] = [];
    let consumed = 0;
    for (let i = 0; i < 2000; i++) {
      receive(s, 200);
      consumed += 200;
      const before = updates.length;
      for (const f of sent.splice(0)) if (f.type === WINDOW_UPDATE) updates.push(f.length);
      // Credit comes back once more than half the window is used, before the sender could stall.
      if (updates.length > before) consumed = 0;
      expect(consumed, `frame ${i}`).to.be.lessThanOrEqual(WINDOW / 2);
    }
    expect(updates.length).to.equal(Math.floor((2000 * 200) / (WINDOW / 2 + 200)));
    // Each update returns everything consumed since the last one.
    for (const delta of updates) expect(delta).to.be.greaterThan(WINDOW / 2);
  });

  it("leaves the opening handshake alone: a new inbound stream still acknowledges at once", () => {
    const { s, sent } = stream(StreamState.SYNReceived);
    receive(s, 100);
    expect(sent).to.have.length(1);
    expect(sent[0]!.type).to.equal(WINDOW_UPDATE);
    expect(sent[0]!.flag & 0x2).to.equal(0x2); // ACK
  });

  it("installs once", () => {
    const before = (YamuxStream.prototype as unknown as { sendWindowUpdate: unknown }).sendWindowUpdate;
    installYamuxWindowHysteresis();
    expect((YamuxStream.prototype as unknown as { sendWindowUpdate: unknown }).sendWindowUpdate).to.equal(before);
  });
});
