import { expect } from "chai";
import { FakeCluster } from "../../../../sdk/test/unit/client/fakeValidators.js";
import { main } from "../../../src/cli/main.js";
import { runCli } from "./cliHarness.js";

describe("ordo status", () => {
  let cluster: FakeCluster;
  beforeEach(async () => {
    cluster = await FakeCluster.start(4);
  });
  afterEach(() => cluster.close());

  it("--help", async () => {
    const r = await runCli(["status", "--help"]);
    expect(r.code).to.equal(0);
    expect(r.out).to.contain("--node <url>");
  });

  it("prints each node's /v1/status as JSON", async () => {
    const r = await runCli(["status", "--node", cluster.urls[1]!, "--node", cluster.urls[2]!]);
    expect(r.code, r.err).to.equal(0);
    const docs = r.out.split(/\n(?=\{)/).map((s) => JSON.parse(s));
    expect(docs.map((d) => d.validatorIndex)).to.deep.equal([1, 2]);
    expect(docs[0].url).to.equal(cluster.urls[1]);
  });

  it("an unreachable node exits 1 with the URL on stderr, through the real main()", async () => {
    const url = cluster.urls[0]!;
    await cluster.close();
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(" "));
    let code: number;
    try {
      code = await main(["node", "ordo", "status", "--node", url]);
    } finally {
      console.error = original;
    }
    expect(code).to.equal(1);
    expect(errors.join("\n")).to.contain(url);
  });
});
