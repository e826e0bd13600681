import { expect } from "chai";
import { LatencyRecorder, percentile } from "../../../src/bench/latencyStats.js";

describe("bench latency statistics", () => {
  it("takes percentiles by nearest rank: always a sample, the smallest with p% at or below it", () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(s, 50)).to.equal(50);
    expect(percentile(s, 90)).to.equal(90);
    expect(percentile(s, 99)).to.equal(99);
    expect(percentile(s, 100)).to.equal(100);
    expect(percentile(s, 0.5)).to.equal(1);
    expect(percentile([7], 50)).to.equal(7);
    expect(percentile([1, 2, 3], 50)).to.equal(2);
    expect(percentile([1, 2, 3, 4], 50)).to.equal(2);
    expect(percentile([1, 2, 3, 4], 51)).to.equal(3);
    expect(percentile([], 50)).to.be.NaN;
    expect(() => percentile(s, 0)).to.throw(RangeError);
    expect(() => percentile(s, 101)).to.throw(RangeError);
  });

  it("summarises unordered samples past its initial capacity, ordered p50 <= p90 <= p99 <= max, and resets", () => {
    const r = new LatencyRecorder();
    // 5000 samples in a scrambled order: value k appears once for k = 1..5000.
    for (let i = 0; i < 5000; i++) r.add(((i * 7919) % 5000) + 1);
    const s = r.summary();
    expect(s.count).to.equal(5000);
    expect(s.p50).to.equal(2500);
    expect(s.p90).to.equal(4500);
    expect(s.p99).to.equal(4950);
    expect(s.max).to.equal(5000);
    expect(s.mean).to.equal(2500.5);
    r.reset();
    expect(r.summary().count).to.equal(0);
    r.add(1.23456);
    expect(r.summary()).to.deep.include({ count: 1, p50: 1.23, max: 1.23 });
  });
});
