import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { main } from "../../../src/cli/main.js";
import { generateTestnet } from "../../../src/testnet.js";

/** `ordo start` refuses a home it cannot run from with exit code 1 and one clear line, before opening the network. */
describe("ordo start: homes it cannot run from", () => {
  let dir: string;
  let errors: string[];
  const realError = console.error;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ordo-start-"));
    errors = [];
    console.error = (...args: unknown[]) => {
      errors.push(args.join(" "));
    };
  });
  afterEach(() => {
    console.error = realError;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (home: string) => main(["node", "ordo", "start", "--home", home]);
  // Ports never bound: every case fails before the network or the API starts.
  const testnet = () =>
    generateTestnet({ validators: 1, out: dir, app: "bank", accounts: 1, p2pBasePort: 2, httpBasePort: 2 }).homes[0]!;

  it("a missing home folder", async () => {
    expect(await start(join(dir, "nope"))).to.equal(1);
    expect(errors.join("\n")).to.match(/home folder .*nope does not exist/);
  });

  it("a config.json that is not JSON names the file", async () => {
    const home = testnet();
    writeFileSync(join(home, "config.json"), "{ not json");
    expect(await start(home)).to.equal(1);
    expect(errors.join("\n")).to.include("config.json");
  });

  it("a data folder that cannot be written (here: a regular file in its place) names the folder", async () => {
    const home = testnet();
    writeFileSync(join(home, "data"), "not a folder");
    expect(await start(home)).to.equal(1);
    const message = errors.join("\n");
    expect(message).to.include(join(home, "data"));
    expect(message).to.match(/not writable|cannot|open/i);
  });

  it("an app that does not exist", async () => {
    const home = testnet();
    const genesisPath = join(home, "genesis.json");
    const g = JSON.parse(readFileSync(genesisPath, "utf8"));
    g.app.name = "./no-such-app.js";
    writeFileSync(genesisPath, JSON.stringify(g));
    expect(await start(home)).to.equal(1);
    expect(errors.join("\n")).to.match(/cannot load app "\.\/no-such-app\.js"/);
  });
});
