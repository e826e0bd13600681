import { expect } from "chai";
import { PeerScore } from "../../src/index.js";

describe("PeerScore", () => {
  it("bans at the threshold, refuses through the gater, and forgives when the ban expires", async () => {
    let now = 1000;
    const score = new PeerScore({ offensePenalty: 10, banScore: -20, banMs: 500 }, () => now);
    expect(score.penalize("p")).to.equal(false);
    expect(score.score("p")).to.equal(-10);
    expect(score.isBanned("p")).to.equal(false);
    expect(score.penalize("p")).to.equal(true);
    expect(score.isBanned("p")).to.equal(true);
    const gater = score.gater();
    const peer = { toString: () => "p" } as never;
    expect(await gater.denyDialPeer!(peer)).to.equal(true);
    expect(await gater.denyDialPeer!({ toString: () => "q" } as never)).to.equal(false);
    now += 500;
    expect(score.isBanned("p")).to.equal(false);
    expect(score.score("p")).to.equal(0);
  });
});
