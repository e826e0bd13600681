import { expect } from "chai";
import { decodePayload } from "@ordo/app-bank";
import { decodeKvOp } from "@ordo/app-kv";
import { KeyPair } from "@ordo/crypto";
import { toBase64, toHex } from "@ordo/types";
import { FakeCluster } from "../../../../sdk/test/unit/client/fakeValidators.js";
import { parseAmount } from "../../../src/cli/txCommand.js";
import { runCli, TempHome } from "./cliHarness.js";

describe("ordo tx", () => {
  let cluster: FakeCluster;
  let home: TempHome;
  let genesis: string;
  let keyFile: string;
  const account = KeyPair.fromSeed(new Uint8Array(32).fill(3));
  const recipient = KeyPair.fromSeed(new Uint8Array(32).fill(4)).publicKey;
  const nodes = () => cluster.urls.flatMap((u) => ["--node", u]);

  beforeEach(async () => {
    cluster = await FakeCluster.start(4);
    home = new TempHome();
    genesis = home.writeGenesis(cluster.chainId, cluster.validatorSet);
    keyFile = home.writeKey("account0.json", account);
  });
  afterEach(async () => {
    await cluster.close();
    home.remove();
  });

  describe("parsing", () => {
    it("--help of every tx command", async () => {
      for (const cmd of [
        ["bank", "transfer"],
        ["kv", "set"],
        ["kv", "delete"],
      ]) {
        const r = await runCli(["tx", ...cmd, "--help"]);
        expect(r.code).to.equal(0);
        expect(r.out).to.contain("--key <file>");
        expect(r.out).to.contain("--node <url>");
        expect(r.out).to.contain("--home <dir>");
      }
    });

    it("amounts: positive integers below 2^128 only", () => {
      expect(parseAmount("1")).to.equal(1n);
      expect(parseAmount((2n ** 128n - 1n).toString())).to.equal(2n ** 128n - 1n);
      for (const bad of ["0", "-1", "1.5", "abc", "", (2n ** 128n).toString()])
        expect(() => parseAmount(bad)).to.throw();
    });

    it("a bad amount exits 1 with a message, before touching the network", async () => {
      const r = await runCli([
        "tx",
        "bank",
        "transfer",
        "--to",
        toHex(recipient),
        "--amount",
        "-5",
        "--key",
        keyFile,
        "--genesis",
        genesis,
        ...nodes(),
      ]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/--amount.*not a positive integer/);
      expect(cluster.validators[0]!.requests.size).to.equal(0);
    });

    it("a bad recipient key exits 1", async () => {
      const r = await runCli([
        "tx",
        "bank",
        "transfer",
        "--to",
        "abcd",
        "--amount",
        "5",
        "--key",
        keyFile,
        "--genesis",
        genesis,
      ]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/not a 32-byte public key/);
    });

    it("a missing --key is an error", async () => {
      const r = await runCli(["tx", "kv", "set", "a", "b", "--genesis", genesis]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/--key/);
    });
  });

  describe("errors", () => {
    it("a missing or malformed key file names the file", async () => {
      const missing = await runCli([
        "tx",
        "kv",
        "set",
        "a",
        "b",
        "--key",
        `${home.dir}/nope.json`,
        "--genesis",
        genesis,
      ]);
      expect(missing.code).to.equal(1);
      expect(missing.err).to.match(/cannot read the key file .*nope\.json/);
      const bad = home.writeKey("bad.json", JSON.stringify({ type: "ed25519", privateKey: "AAAA" }));
      const r = await runCli(["tx", "kv", "set", "a", "b", "--key", bad, "--genesis", genesis]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/bad key file .*bad\.json: privateKey must be a 32-byte seed/);
      const notJson = home.writeKey("notjson.json", "{");
      expect((await runCli(["tx", "kv", "set", "a", "b", "--key", notJson, "--genesis", genesis])).err).to.match(
        /not valid JSON/,
      );
    });

    it("without --home or --genesis says where the genesis comes from", async () => {
      const r = await runCli(["tx", "kv", "set", "a", "b", "--key", keyFile]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/--home .* or --genesis/);
    });

    it("an unreachable node exits 1 naming the URLs tried", async () => {
      await cluster.close();
      const r = await runCli(["tx", "kv", "set", "a", "b", "--key", keyFile, "--genesis", genesis, ...nodes()]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/no validator answered/);
      expect(r.err).to.contain(cluster.urls[3]!);
    });

    it("a transaction that never reaches f + 1 confirmations exits 1 with NO_QUORUM details", async () => {
      cluster.validators.slice(1).forEach((v) => {
        v.behaviour = "pending";
      });
      cluster.autoCommit = true;
      const r = await runCli([
        "tx",
        "kv",
        "set",
        "a",
        "b",
        "--nonce",
        "0",
        "--timeout",
        "200",
        "--key",
        keyFile,
        "--genesis",
        genesis,
        ...nodes(),
      ]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/1 of 4 validators confirmed/);
    });
  });

  describe("against fake validators", () => {
    it("bank transfer asks the account's nonce, submits, and prints height, code and confirming validators", async () => {
      cluster.autoCommit = true;
      const asked: string[] = [];
      cluster.queryAnswer = (_v, path, data) => {
        asked.push(`${path}:${toBase64(data)}`);
        return new TextEncoder().encode(JSON.stringify({ balance: "100", nonce: "7" }));
      };
      const r = await runCli([
        "tx",
        "bank",
        "transfer",
        "--to",
        toBase64(recipient),
        "--amount",
        "25",
        "--key",
        keyFile,
        "--genesis",
        genesis,
        ...nodes(),
      ]);
      expect(r.err).to.equal("");
      expect(r.code).to.equal(0);
      expect(asked).to.deep.equal([`account:${toBase64(account.publicKey)}`]);
      const sent = cluster.validators[0]!.submitted[0]!;
      expect(sent.nonce).to.equal(7n);
      expect(sent.sender).to.deep.equal(account.publicKey);
      expect(decodePayload(sent.payload)).to.deep.equal({ op: "transfer", to: recipient, amount: 25n });
      expect(r.out).to.match(/committed at height 1, index 0/);
      expect(r.out).to.match(/result code 0 \(ok\)/);
      expect(r.out).to.match(/confirmed by validators \d, \d.* \(f \+ 1 = 2 of 4\)/);
    });

    it("kv set and delete, with hex keys and the genesis from --home", async () => {
      cluster.autoCommit = true;
      const r = await runCli([
        "tx",
        "kv",
        "set",
        "0a0b",
        "ff",
        "--hex",
        "--nonce",
        "3",
        "--key",
        keyFile,
        "--home",
        home.dir,
        ...nodes(),
      ]);
      expect(r.code, r.err).to.equal(0);
      expect(decodeKvOp(cluster.validators[0]!.submitted[0]!.payload)).to.deep.equal({
        op: "set",
        key: new Uint8Array([10, 11]),
        value: new Uint8Array([255]),
      });
      const d = await runCli([
        "tx",
        "kv",
        "delete",
        "k",
        "--nonce",
        "4",
        "--key",
        keyFile,
        "--genesis",
        genesis,
        ...nodes(),
      ]);
      expect(d.code, d.err).to.equal(0);
      expect(decodeKvOp(cluster.validators[0]!.submitted[1]!.payload)).to.deep.equal({
        op: "delete",
        key: new TextEncoder().encode("k"),
      });
    });
  });
});
