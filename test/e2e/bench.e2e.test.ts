import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const cli = fileURLToPath(new URL("../../packages/node/src/cli/run.ts", import.meta.url));

/** Runs `ordo bench ...` to completion (bounded by `timeoutMs`); its exit code, stdout and stderr. */
function runOrdo(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import=tsx", cli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`ordo ${args.join(" ")} did not finish within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `ordo bench` end to end, short: 4 real validator processes with the noop app for 3 seconds.
 * Asserts that it completes and that its figures are well-formed and consistent, never how fast.
 */
describe("e2e: ordo bench", function () {
  this.timeout(180_000);
  let out: string;

  before(() => {
    out = mkdtempSync(join(tmpdir(), "ordo-bench-e2e-"));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("runs 4 validators with noop (no tx index) for 3 s and prints consistent figures as its last line, also written to --out", async () => {
    const args = [
      "bench",
      "--validators",
      "4",
      "--app",
      "noop",
      "--duration",
      "3",
      "--warmup",
      "1",
      "--tx-index",
      "off",
    ];
    const { code, stdout, stderr } = await runOrdo(
      [...args, "--outstanding", "200", "--batch", "100", "--json", "--out", out],
      150_000,
    );
    expect(code, stderr).to.equal(0);
    const lines = stdout.trim().split("\n");
    const r = JSON.parse(lines[lines.length - 1]!);
    expect(r.kind).to.equal("ordo-bench");
    expect(r.config).to.deep.include({
      validators: 4,
      app: "noop",
      txAuth: "none",
      txIndex: false,
      batch: 100,
      durationS: 3,
    });
    expect(r.config.mode).to.deep.equal({ kind: "closed", outstanding: 200 });
    expect(r.throughput.committed).to.be.greaterThan(0);
    expect(r.throughput.txPerSec).to.be.greaterThan(0);
    expect(r.throughput.seconds).to.be.within(2.9, 30);
    expect(r.throughput.blocks).to.be.greaterThan(0);
    expect(r.throughput.txsPerBlock).to.be.within(1, 100);
    const l = r.latencyMs;
    expect(l.count).to.equal(r.throughput.committed);
    expect(l.p50).to.be.greaterThan(0);
    expect(l.p50).to.be.at.most(l.p90);
    expect(l.p90).to.be.at.most(l.p99);
    expect(l.p99).to.be.at.most(l.max);
    expect(r.submitted).to.be.at.least(r.throughput.committed);
    expect(r.failed).to.equal(0);
    expect(r.postErrors).to.equal(0);
    expect(r.cpu.validators).to.have.length(4);
    for (const c of r.cpu.validators) expect(c).to.be.a("number").and.at.least(0);
    expect(r.cpu.generator).to.be.a("number").and.at.least(0);
    expect(r.peakRssMiB).to.have.length(4);
    for (const m of r.peakRssMiB) expect(m).to.be.a("number").and.greaterThan(10);
    expect(r.rssAtEndMiB).to.have.length(4);
    for (const m of r.rssAtEndMiB) {
      expect(m.anon).to.be.a("number").and.greaterThan(10);
      expect(m.file).to.be.a("number").and.at.least(0);
    }
    expect(r.watcher.blocksConfirmed).to.be.at.least(r.throughput.blocks);
    expect(r.watcher.conflicts).to.equal(0);
    // Every transaction sent was prebuilt or built on demand; those built in the window are among the latter.
    expect(r.generator.prebuilt + r.generator.builtInline).to.be.at.least(r.submitted);
    expect(r.generator.builtInWindow).to.be.a("number").and.within(0, r.generator.builtInline);
    expect(r.verify).to.equal(undefined);
    // The same figures are in the results folder.
    const files = readdirSync(out).filter((f) => f.endsWith(".json"));
    expect(files).to.have.length(1);
    expect(JSON.parse(readFileSync(join(out, files[0]!), "utf8"))).to.deep.equal(r);
  });
});
