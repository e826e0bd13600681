import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { expect } from "chai";
import { freePortRuns } from "../../../src/devnet/freePorts.js";

describe("freePortRuns", () => {
  it("gives runs of consecutive ports that are all free, distinct, and below the ephemeral range", async () => {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    for (let k = 0; k < 5; k++) {
      const bases = await freePortRuns(2, 7);
      expect(bases).to.have.length(2);
      const ports = bases.flatMap((b) => Array.from({ length: 7 }, (_, i) => b + i));
      expect(new Set(ports).size).to.equal(14);
      for (const p of ports) {
        expect(p).to.be.at.least(20_000);
        expect(p).to.be.below(low!);
      }
      // Every port binds now (and is released again).
      const servers = await Promise.all(
        ports.map(
          (port) =>
            new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
              const s = createServer();
              s.once("error", reject);
              s.listen(port, "127.0.0.1", () => resolve(s));
            }),
        ),
      );
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});
