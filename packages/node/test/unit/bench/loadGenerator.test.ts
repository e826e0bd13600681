import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { KeyPair } from "@ordo/crypto";
import { Reader } from "@ordo/types";
import { LoadGenerator } from "../../../src/bench/loadGenerator.js";
import { TxFactory } from "../../../src/bench/txFactory.js";

/** Validators that accept every POST /v1/txs/binary, recording how many transactions each POST held. */
async function acceptingValidators(
  n: number,
): Promise<{ urls: string[]; posts: number[][]; close: () => Promise<void> }> {
  const servers: Server[] = [];
  const urls: string[] = [];
  const posts: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const count = new Reader(Buffer.concat(chunks)).u32();
        posts[i]!.push(count);
        res
          .writeHead(202, { "content-type": "application/json" })
          .end(JSON.stringify({ accepted: count, rejected: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  const close = async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  return { urls, posts, close };
}

/** Resolves once `cond()` holds, checked after each turn of the event loop; rejects after 5 s. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe("LoadGenerator", () => {
  it("closed loop: each top-up goes whole to the next validator in turn, one POST each", async () => {
    const v = await acceptingValidators(4);
    // The generator's factory, and a second one just like it: the same transactions, ids known ahead.
    const factory = () =>
      new TxFactory({
        app: "noop",
        chainId: "bench-test",
        sign: false,
        payloadBytes: 8,
        accounts: [KeyPair.fromSeed(new Uint8Array(32).fill(3))],
      });
    const ids: string[] = [];
    const gen = new LoadGenerator({ urls: v.urls, mode: { kind: "closed", outstanding: 8 } }, factory());
    try {
      gen.start();
      await until(() => v.posts[0]!.length === 1);
      expect(v.posts).to.deep.equal([[8], [], [], []]);
      expect(gen.inflight).to.equal(8);
      // Confirm 3, then 2 of the transactions sent: each top-up is one POST to the next validator.
      const prebuilt = factory();
      for (let k = 0; k < 13; k++) ids.push(prebuilt.next().idHex);
      const confirm = (from: number, to: number, height: number) =>
        gen.onConfirmedBlock({
          height,
          blockId: new Uint8Array(32),
          resultsRoot: new Uint8Array(32),
          confirmedBy: [0, 1],
          receipts: [],
          txs: ids
            .slice(from, to)
            .map((idHex, index) => ({ idHex, index, result: { code: 0, data: new Uint8Array(0), log: "" } })),
        });
      confirm(0, 3, 1);
      await until(() => v.posts[1]!.length === 1);
      confirm(3, 5, 2);
      await until(() => v.posts[2]!.length === 1);
      expect(v.posts).to.deep.equal([[8], [3], [2], []]);
      expect(gen.inflight).to.equal(8);
      expect(gen.counts.committed).to.equal(5);
    } finally {
      await gen.stop();
      await v.close();
    }
  });
});
