import { Writable } from "node:stream";
import { expect } from "chai";
import { createLogger, NodeMetrics } from "../../src/index.js";

describe("metrics and logs", () => {
  it("exposes named metrics with units in Prometheus text format, one registry per node", async () => {
    const a = new NodeMetrics({ processMetrics: false });
    const b = new NodeMetrics({ processMetrics: false });
    a.committedTxs.inc(5);
    a.rejectedTxs.inc({ reason: "bad_signature" });
    a.commitLatency.observe(0.012);
    const text = await a.registry.metrics();
    expect(text).to.match(/^ordo_committed_txs_total 5$/m);
    expect(text).to.match(/ordo_rejected_txs_total\{reason="bad_signature"\} 1/);
    expect(text).to.match(/ordo_commit_latency_seconds_bucket\{le="0.02"\} 1/);
    expect(await b.registry.metrics()).to.match(/^ordo_committed_txs_total 0$/m);
  });

  it("writes one JSON object per log line, and drops lines below the level", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).trim().split("\n"));
        done();
      },
    });
    const log = createLogger({ name: "node0", level: "info", destination: sink });
    log.debug({ round: 1 }, "hidden");
    log.info({ round: 7, blockId: "ab" }, "vote sent");
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!)).to.include({ name: "node0", round: 7, blockId: "ab", msg: "vote sent" });
  });
});
