import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestnet, LocalCluster } from "@ordo/node";
import { expect } from "chai";

/** This process's children whose command line names `dir`. */
function childrenIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir))
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe("e2e: LocalCluster start failure", function () {
  this.timeout(60_000);
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names the validator that exited and leaves none of the others running", async () => {
    dir = mkdtempSync(join(tmpdir(), "ordo-cluster-"));
    // Validator 2 names an app that does not exist: it exits at start, before the others are ready.
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    generateTestnet({ validators: 4, out: dir, app: "kv", accounts: 1, p2pBasePort: base, httpBasePort: base + 10 });
    const file = join(dir, "node2", "genesis.json");
    const genesis = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...genesis, app: { ...genesis.app, name: "./no-such-app" } }));
    const err = await LocalCluster.start({ dir, validators: 4, app: "kv", readyTimeoutMs: 30_000 }).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/validator 2 exited during start/);
    expect(childrenIn(dir)).to.deep.equal([]);
  });
});
