import { arbitraryTransaction, SeededRandom } from "@ordo/types/testing";
import type { Transaction } from "@ordo/types";
import { expect } from "chai";
import { type ResendLink, ResendThrottle, resendInGroups } from "../../../src/validator/mempoolResend.js";

/** A link whose queue empties one frame per pause, recording what was queued when each group went. */
function fakeLink(opts: {
  framesPerGroup: number;
  streamLostAfter?: number;
  stopAfterPauses?: number;
  streamClosedAfterPauses?: number;
}) {
  const sentAt: { queuedBefore: number; txs: number }[] = [];
  let queued = 0;
  let pauses = 0;
  const link: ResendLink = {
    send: (txs) => {
      if (opts.streamLostAfter !== undefined && sentAt.length >= opts.streamLostAfter) return false;
      sentAt.push({ queuedBefore: queued, txs: txs.length });
      queued += opts.framesPerGroup;
      return true;
    },
    queued: () =>
      opts.streamClosedAfterPauses !== undefined && pauses >= opts.streamClosedAfterPauses ? undefined : queued,
    pause: async () => {
      pauses++;
      queued = Math.max(0, queued - 1);
    },
    running: () => opts.stopAfterPauses === undefined || pauses < opts.stopAfterPauses,
  };
  return { link, sentAt, pauses: () => pauses };
}

describe("resendInGroups (a mempool re-sent to a reconnected validator)", () => {
  const rng = new SeededRandom(11);
  const groups: Transaction[][] = [3, 2, 4, 1].map((n) => Array.from({ length: n }, () => arbitraryTransaction(rng)));

  it("sends every group in order, each only once the link's queue is empty", async () => {
    const { link, sentAt, pauses } = fakeLink({ framesPerGroup: 2 });
    expect(await resendInGroups(groups, link)).to.equal(10);
    expect(sentAt.map((s) => s.txs)).to.deep.equal([3, 2, 4, 1]);
    expect(sentAt.every((s) => s.queuedBefore === 0)).to.equal(true);
    expect(pauses()).to.equal(6); // two frames drained before each of the last three groups
  });

  it("stops when the stream is gone, and when the validator stops", async () => {
    const lost = fakeLink({ framesPerGroup: 1, streamLostAfter: 2 });
    expect(await resendInGroups(groups, lost.link)).to.equal(5);
    const stopped = fakeLink({ framesPerGroup: 3, stopAfterPauses: 2 });
    expect(await resendInGroups(groups, stopped.link)).to.equal(3);
    expect(stopped.sentAt).to.have.length(1);
    // The stream closes with frames still queued: no waiting for a queue that will not drain.
    const closed = fakeLink({ framesPerGroup: 5, streamClosedAfterPauses: 1 });
    expect(await resendInGroups(groups, closed.link)).to.equal(3);
    expect(closed.pauses()).to.equal(1);
  });

  it("sends nothing for an empty mempool", async () => {
    const { link, sentAt } = fakeLink({ framesPerGroup: 1 });
    expect(await resendInGroups([], link)).to.equal(0);
    expect(sentAt).to.have.length(0);
  });
});

describe("ResendThrottle", () => {
  it("allows one re-send per validator per interval, each validator on its own clock", () => {
    const t = new ResendThrottle(2000);
    expect(t.allow(1, 10_000)).to.equal(true);
    expect(t.allow(1, 11_999), "within the interval").to.equal(false);
    expect(t.allow(2, 11_999), "another validator").to.equal(true);
    expect(t.allow(1, 12_000), "the interval is over").to.equal(true);
    // A refused attempt does not restart the interval.
    expect(t.allow(2, 12_500)).to.equal(false);
    expect(t.allow(2, 13_999)).to.equal(true);
  });
});
