import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The validator's Prometheus metrics, on a registry of its own (several nodes can share a process
 * in tests). Names carry their unit, as Prometheus recommends.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly height = new Gauge({ name: "ordo_height", help: "Highest executed height", registers: [this.registry] });
  readonly round = new Gauge({ name: "ordo_round", help: "Current consensus round", registers: [this.registry] });
  readonly peers = new Gauge({ name: "ordo_peers", help: "Connected peers", registers: [this.registry] });
  readonly mempoolSize = new Gauge({
    name: "ordo_mempool_txs",
    help: "Transactions waiting in the mempool",
    registers: [this.registry],
  });
  readonly committedTxs = new Counter({
    name: "ordo_committed_txs_total",
    help: "Transactions committed and executed",
    registers: [this.registry],
  });
  readonly rejectedTxs = new Counter({
    name: "ordo_rejected_txs_total",
    help: "Transactions refused at admission, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly rejectedMessages = new Counter({
    name: "ordo_rejected_messages_total",
    help: "Peer messages rejected, by kind and reason",
    labelNames: ["kind", "reason"] as const,
    registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: "ordo_commit_latency_seconds",
    help: "Time from proposal to commit of a block, as seen by this validator",
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  #networkCounters: (() => Readonly<Record<string, number>>) | undefined;
  readonly network = (() => {
    const metrics = this;
    return new Gauge({
      name: "ordo_network_events",
      help: "The network layer's counters since start (messages, frames, block requests, compact proposals resolved/fetched/failed...), by counter",
      labelNames: ["counter"] as const,
      registers: [this.registry],
      collect() {
        for (const [counter, value] of Object.entries(metrics.#networkCounters?.() ?? {})) this.set({ counter }, value);
      },
    });
  })();

  /** Reads the network's counters (NetworkCounters) at each scrape. */
  watchNetwork(counters: () => Readonly<Record<string, number>>): void {
    this.#networkCounters = counters;
  }

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "ordo_" });
  }
}
