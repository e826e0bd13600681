import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { OrdoStore, StorageError } from "../../src/index.js";

const isRoot = process.getuid?.() === 0;

/** Whether this process may mount a tmpfs in a private mount namespace (root with CAP_SYS_ADMIN). */
const canMount = isRoot && spawnSync("unshare", ["-m", "true"]).status === 0;

/**
 * Runs `script` (ES module source; `process.argv[1]` is the folder) in a child that first mounts
 * a tmpfs with `mountOptions` on `dir` inside its own mount namespace, so the mount vanishes
 * with the child and nothing leaks into this machine's mounts. The child prints one JSON line.
 */
function inTinyFilesystem(dir: string, mountOptions: string, script: string): Record<string, unknown> {
  const run = spawnSync(
    "unshare",
    [
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount -t tmpfs -o "$1" tmpfs "$2" && exec "$3" --conditions=source --import=tsx --input-type=module -e "$4" "$2"',
      "sh",
      mountOptions,
      dir,
      process.execPath,
      script,
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`child printed no result (status ${run.status}): ${run.stderr.slice(0, 2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const report = `
  const report = (e) => { process.stdout.write(JSON.stringify({ name: e?.name, code: e?.code, message: e?.message }) + "\\n"); process.exit(0); };
`;

describe("OrdoStore open and write errors", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ordo-store-err-"));
  });
  afterEach(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a read-only folder: StorageError NOT_WRITABLE naming the folder, at open", function () {
    // Root ignores permission bits, so as root this proves it on a read-only tmpfs (EROFS binds
    // root too), mounted in a private mount namespace of a child; as any other user, on a 0500 folder.
    if (!isRoot) {
      chmodSync(dir, 0o500);
      expect(() => OrdoStore.open({ path: dir }))
        .to.throw(StorageError)
        .that.satisfies((e: StorageError) => e.code === "NOT_WRITABLE" && e.message.includes(dir));
      return;
    }
    if (!canMount) this.skip();
    const result = inTinyFilesystem(
      dir,
      "ro,size=64k",
      `import { OrdoStore } from "@ordo/storage";
       ${report}
       try { OrdoStore.open({ path: process.argv[1] }); report({ name: "opened" }); } catch (e) { report(e); }`,
    );
    expect(result).to.include({ name: "StorageError", code: "NOT_WRITABLE" });
    expect(result.message)
      .to.include(dir)
      .and.match(/not writable/);
  });

  it("a folder that cannot be created (its parent is a file, which fails for root too): StorageError naming it", () => {
    const file = join(dir, "file");
    writeFileSync(file, "x");
    expect(() => OrdoStore.open({ path: join(file, "store") }))
      .to.throw(StorageError)
      .that.satisfies((e: StorageError) => e.code === "OPEN_FAILED" && e.message.includes(join(file, "store")));
  });

  // lmdb-js grows its map by itself when a write outgrows mapSize, so a small mapSize never
  // gives MDB_MAP_FULL: a full disk needs a small filesystem, here a 256 KiB tmpfs.
  for (const mode of ["8 KiB values", "2 KB values"] as const) {
    it(`a full disk, ${mode}: StorageError DISK_FULL saying what to do`, function () {
      if (!canMount) this.skip();
      // 8 KiB values span pages: LMDB then meets the full disk as a short write (EIO).
      const write =
        mode === "8 KiB values"
          ? `await store.putRecord("r" + i, new Uint8Array(8192));`
          : `await store.putRecord("r" + i, new Uint8Array(2000));`;
      const result = inTinyFilesystem(
        dir,
        "size=256k",
        `import { OrdoStore } from "@ordo/storage";
         ${report}
         const store = OrdoStore.open({ path: process.argv[1] });
         try { for (let i = 0; i < 1000; i++) { ${write} } report({ name: "never full" }); } catch (e) { report(e); }`,
      );
      expect(result).to.include({ name: "StorageError", code: "DISK_FULL" });
      expect(result.message)
        .to.match(/no space left/)
        .and.match(/free disk space/);
    });
  }
});
