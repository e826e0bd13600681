import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { KeyPair } from "@ordo/crypto";
import {
  ConfigError,
  generateTestnet,
  genesisBlock,
  genesisToJSON,
  loadHome,
  parseGenesis,
  peerIdOfKeyPair,
  peerIdOfPublicKey,
  validateNodeConfig,
} from "../../src/index.js";

describe("node home: testnet, config, genesis, keys", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ordo-home-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("ordo testnet writes N loadable homes sharing one genesis, bootstrapping from validator 0", () => {
    const layout = generateTestnet({ validators: 4, out: dir, app: "bank", chainId: "t-1", accounts: 3 });
    expect(layout.homes).to.have.length(4);
    const homes = layout.homes.map(loadHome);
    homes.forEach((h, i) => {
      expect(h.validatorIndex).to.equal(i);
      expect(h.genesis.chainId).to.equal("t-1");
      expect(h.genesis.validators.n).to.equal(4);
      expect(statSync(join(h.path, "key.json")).mode & 0o777).to.equal(0o600);
    });
    const ids = homes.map((h) => genesisBlock(h.genesis).id);
    for (const id of ids) expect(id).to.deep.equal(ids[0]);
    expect(homes[0]!.config.p2p.bootstrap).to.deep.equal([]);
    for (const h of homes.slice(1)) {
      expect(h.config.p2p.bootstrap[0]).to.match(new RegExp(`/p2p/${peerIdOfKeyPair(homes[0]!.key)}$`));
    }
    expect(new Set(homes.map((h) => h.config.http.port)).size).to.equal(4);
    expect(layout.accountKeyFiles).to.have.length(3);
    const state = homes[0]!.genesis.app.state as { accounts: { balance: string }[] };
    expect(state.accounts).to.have.length(3);
  });

  it("the libp2p peer id derives from the validator key, the same from either half", () => {
    const key = KeyPair.generate();
    const id = peerIdOfKeyPair(key);
    expect(id).to.equal(peerIdOfPublicKey(key.publicKey));
    expect(id).to.match(/^12D3KooW/); // an Ed25519 identity peer id
    expect(peerIdOfKeyPair(KeyPair.generate())).to.not.equal(id);
  });

  it("a different genesis gives a different genesis block id", () => {
    const a = generateTestnet({ validators: 1, out: join(dir, "a"), app: "bank", chainId: "a" }).genesis;
    const b = parseGenesis({ ...(genesisToJSON(a) as object), chainId: "b" });
    expect(genesisBlock(a).id).to.not.deep.equal(genesisBlock(b).id);
  });

  it("genesis voteDelivery: auto by default and written only when not, so older genesis files keep their block id", () => {
    const a = generateTestnet({ validators: 1, out: join(dir, "v"), app: "kv" }).genesis;
    expect(a.consensus.voteDelivery).to.equal("auto");
    const json = genesisToJSON(a) as { consensus: Record<string, unknown> };
    expect(json.consensus).to.not.have.property("voteDelivery");
    const explicit = parseGenesis({ ...json, consensus: { ...json.consensus, voteDelivery: "auto" } });
    expect(genesisBlock(explicit).id).to.deep.equal(genesisBlock(a).id);
    const leader = parseGenesis({ ...json, consensus: { ...json.consensus, voteDelivery: "nextLeader" } });
    expect(leader.consensus.voteDelivery).to.equal("nextLeader");
    expect((genesisToJSON(leader) as typeof json).consensus.voteDelivery).to.equal("nextLeader");
    expect(genesisBlock(leader).id).to.not.deep.equal(genesisBlock(a).id);
  });

  it("config: defaults fill in, and each bad field is named", () => {
    const c = validateNodeConfig({});
    expect(c.p2p.mdns).to.equal(false);
    expect(c.http.host).to.equal("127.0.0.1");
    expect(c.storage).to.deep.equal({ retainBlocks: 0, txIndex: true });
    expect(validateNodeConfig({ storage: { txIndex: false } }).storage.txIndex).to.equal(false);
    const bad: [unknown, RegExp][] = [
      [{ http: { port: 70000 } }, /http\.port/],
      [{ http: { port: "80" } }, /http\.port/],
      // Node's fetch (and so the sdk Client) refuses these ports: "bad port".
      [{ http: { port: 10080 } }, /http\.port must be a port that fetch clients may connect to/],
      [{ http: { port: 6000 } }, /http\.port/],
      [{ p2p: { listen: [] } }, /p2p\.listen/],
      [{ p2p: { bootstrap: ["/ip4/1.2.3.4/tcp/1"] } }, /p2p\.bootstrap\[0\]/],
      [{ p2p: { mdns: "yes" } }, /p2p\.mdns/],
      [{ storage: { txIndex: "no" } }, /storage\.txIndex/],
      [{ log: { level: "loud" } }, /log\.level/],
      [{ moniker: "has space" }, /moniker/],
      [[], /config/],
    ];
    for (const [json, field] of bad) {
      expect(() => validateNodeConfig(json), JSON.stringify(json)).to.throw(ConfigError, field);
    }
  });

  it("genesis: each bad field is named", () => {
    const good = genesisToJSON(generateTestnet({ validators: 2, out: dir, app: "kv" }).genesis) as Record<
      string,
      unknown
    >;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...good, chainId: "" }, /chainId/],
      [{ ...good, chainId: "a b" }, /chainId/],
      [{ ...good, genesisTime: "yesterday" }, /genesisTime/],
      [{ ...good, validators: [] }, /validators/],
      [{ ...good, validators: [{ publicKey: "xx" }] }, /validators/],
      [{ ...good, txAuth: "rsa" }, /txAuth/],
      [{ ...good, app: { state: {} } }, /app\.name/],
      [{ ...good, consensus: { maxTxsPerBlock: 0 } }, /maxTxsPerBlock/],
      [{ ...good, consensus: { maxTxBytes: 5_000_000, maxBlockBytes: 1_000_000 } }, /maxTxBytes/],
      [{ ...good, consensus: { voteDelivery: "leader" } }, /consensus\.voteDelivery/],
    ];
    for (const [json, field] of bad) expect(() => parseGenesis(json), String(field)).to.throw(ConfigError, field);
  });

  it("a home with a missing file, bad JSON or a bad key says which file", () => {
    const [home] = generateTestnet({ validators: 1, out: dir, app: "bank" }).homes;
    writeFileSync(join(home!, "config.json"), "{ not json");
    expect(() => loadHome(home!)).to.throw(ConfigError, /config\.json/);
    writeFileSync(join(home!, "config.json"), "{}");
    const key = JSON.parse(readFileSync(join(home!, "key.json"), "utf8"));
    writeFileSync(join(home!, "key.json"), JSON.stringify({ ...key, privateKey: "AAAA" }));
    expect(() => loadHome(home!)).to.throw(ConfigError, /key\.json/);
    rmSync(join(home!, "genesis.json"));
    expect(() => loadHome(home!)).to.throw(ConfigError, /genesis/);
    expect(() => loadHome(join(dir, "nope"))).to.throw(ConfigError, /does not exist/);
  });
});

describe("ordo CLI", () => {
  it("testnet: writes the homes, and rejects a non-integer count without writing anything", async () => {
    const { main } = await import("../../src/cli/main.js");
    const dir = mkdtempSync(join(tmpdir(), "ordo-cli-"));
    try {
      const log = console.log;
      console.log = () => {};
      const ok = await main(["node", "ordo", "testnet", "--out", dir, "--validators", "3", "--accounts", "1"]).finally(
        () => {
          console.log = log;
        },
      );
      expect(ok).to.equal(0);
      expect(loadHome(join(dir, "node2")).validatorIndex).to.equal(2);
      const errWrite = process.stderr.write;
      process.stderr.write = () => true;
      const bad = await main(["node", "ordo", "testnet", "--out", join(dir, "x"), "--validators", "many"]).finally(
        () => {
          process.stderr.write = errWrite;
        },
      );
      expect(bad).to.not.equal(0);
      expect(() => statSync(join(dir, "x"))).to.throw();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
