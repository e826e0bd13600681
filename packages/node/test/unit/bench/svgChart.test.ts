import { expect } from "chai";
import { latencyThroughputSvg, niceTicks } from "../../../src/bench/svgChart.js";

const numbersIn = (attr: string, svg: string) =>
  [...svg.matchAll(new RegExp(`${attr}="([^"]+)"`, "g"))].flatMap((m) => m[1]!.split(/[ ,]/).map(Number));

describe("bench SVG chart", () => {
  it("picks round ticks that cover the maximum", () => {
    expect(niceTicks(100, 5)).to.deep.equal([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(34_567, 5)).to.deep.equal([0, 10_000, 20_000, 30_000, 40_000]);
    expect(niceTicks(0.7, 5)).to.deep.equal([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0)).to.deep.equal([0, 1]);
    expect(niceTicks(Number.NaN)).to.deep.equal([0, 1]);
  });

  it("draws a p50 and a p99 line through every point, inside the picture, with escaped labels", () => {
    const points = [
      { label: "K=100", txPerSec: 9_000, p50: 10, p99: 20 },
      { label: "K=400", txPerSec: 20_000, p50: 18, p99: 40 },
      { label: "K=<1600>&", txPerSec: 31_000, p50: 45, p99: 84 },
    ];
    const svg = latencyThroughputSvg(points, { title: "a & b", width: 600, height: 400 });
    expect(svg.startsWith("<svg ")).to.equal(true);
    expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
    const lines = [...svg.matchAll(/<polyline class="(p50|p99)"[^>]* points="([^"]+)"/g)];
    expect(lines.map((l) => l[1])).to.deep.equal(["p50", "p99"]);
    for (const l of lines) expect(l[2]!.split(" ")).to.have.length(3);
    expect(svg).to.include("K=&lt;1600&gt;&amp;");
    expect(svg).to.include("a &amp; b");
    expect(svg).to.include("<title>a &amp; b</title>");
    expect(svg).to.not.match(/<text[^>]*>[^<]*[&][^a-z#][^<]*<\/text>/);
    const xs = [...numbersIn("cx", svg), ...numbersIn("x1", svg), ...numbersIn("x2", svg)];
    const ys = [...numbersIn("cy", svg), ...numbersIn("y1", svg), ...numbersIn("y2", svg)];
    expect(xs.every((x) => x >= 0 && x <= 600)).to.equal(true);
    expect(ys.every((y) => y >= 0 && y <= 400)).to.equal(true);
    // Higher throughput is further right; higher latency is higher up (smaller y).
    const p99 = lines[1]![2]!.split(" ").map((p) => p.split(",").map(Number));
    expect(p99[0]![0]).to.be.lessThan(p99[2]![0]!);
    expect(p99[0]![1]).to.be.greaterThan(p99[2]![1]!);
    expect(svg).to.not.include("NaN");
  });

  it("stays well-formed with no points and leaves out points that are not numbers", () => {
    const empty = latencyThroughputSvg([]);
    expect(empty).to.include("</svg>");
    expect(empty).to.not.include("NaN");
    expect(empty).to.not.include("<polyline");
    const one = latencyThroughputSvg([
      { label: "ok", txPerSec: 100, p50: 1, p99: 2 },
      { label: "bad", txPerSec: 100, p50: Number.NaN, p99: Number.NaN },
    ]);
    expect(one).to.not.include("NaN");
    expect(one).to.not.include(">bad<");
  });
});
