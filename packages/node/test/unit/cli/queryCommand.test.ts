import { expect } from "chai";
import { encodeU128 } from "@ordo/app-bank";
import { KeyPair } from "@ordo/crypto";
import { toBase64, toHex } from "@ordo/types";
import { FakeCluster } from "../../../../sdk/test/unit/client/fakeValidators.js";
import { parsePublicKey, resolveChain } from "../../../src/cli/queryCommand.js";
import { runCli, TempHome } from "./cliHarness.js";

describe("ordo query", () => {
  let cluster: FakeCluster;
  let home: TempHome;
  let genesis: string;
  const pk = KeyPair.fromSeed(new Uint8Array(32).fill(5)).publicKey;
  const nodes = () => cluster.urls.flatMap((u) => ["--node", u]);

  beforeEach(async () => {
    cluster = await FakeCluster.start(4);
    home = new TempHome();
    genesis = home.writeGenesis(cluster.chainId, cluster.validatorSet);
  });
  afterEach(async () => {
    await cluster.close();
    home.remove();
  });

  it("--help of each query", async () => {
    for (const cmd of [
      ["bank", "balance"],
      ["kv", "get"],
    ]) {
      const r = await runCli(["query", ...cmd, "--help"]);
      expect(r.code).to.equal(0);
      expect(r.out).to.contain("--quorum");
    }
  });

  it("public keys in base64 or hex", () => {
    expect(parsePublicKey(toBase64(pk))).to.deep.equal(pk);
    expect(parsePublicKey(toHex(pk))).to.deep.equal(pk);
    expect(() => parsePublicKey(toBase64(pk.subarray(1)))).to.throw(/32-byte/);
  });

  it("node URLs default to the testnet layout, one per validator", () => {
    const chain = resolveChain({ node: [], genesis, timeout: 1 });
    expect(chain.urls).to.deep.equal([8080, 8081, 8082, 8083].map((p) => `http://127.0.0.1:${p}`));
    expect(chain.chainId).to.equal(cluster.chainId);
  });

  it("bank balance decodes the u128 answer", async () => {
    cluster.queryAnswer = (_v, path, data) => {
      expect(path).to.equal("balance");
      expect(data).to.deep.equal(pk);
      return encodeU128(2n ** 100n);
    };
    const r = await runCli(["query", "bank", "balance", toHex(pk), "--genesis", genesis, ...nodes()]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out.split("\n")[0]).to.equal((2n ** 100n).toString());
  });

  it("bank balance with --quorum ignores a lying validator", async () => {
    cluster.validators[0]!.behaviour = "differentResult";
    cluster.queryAnswer = (v) => encodeU128(v.behaviour === "differentResult" ? 1n : 500n);
    const r = await runCli(["query", "bank", "balance", toHex(pk), "--quorum", "--genesis", genesis, ...nodes()]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out.split("\n")[0]).to.equal("500");
  });

  it("a balance answer that is not a u128 is an error", async () => {
    const r = await runCli(["query", "bank", "balance", toHex(pk), "--genesis", genesis, ...nodes()]);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/not a u128/);
  });

  it("kv get prints the value", async () => {
    cluster.queryAnswer = (_v, _path, data) => new TextEncoder().encode(`value of ${new TextDecoder().decode(data)}`);
    const r = await runCli(["query", "kv", "get", "greeting", "--genesis", genesis, ...nodes()]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out.split("\n")[0]).to.equal("value of greeting");
  });

  it("an unreachable node exits 1", async () => {
    await cluster.close();
    const r = await runCli(["query", "kv", "get", "k", "--genesis", genesis, ...nodes()]);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/no validator answered/);
  });
});
