import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "mocha";
import { OrdoStore } from "../../src/index.js";

/**
 * Fresh temp folders for one describe block, each removed (with every store opened in it
 * closed) after each test.
 */
export function tempStores(): { dir: () => string; open: (dir?: string) => OrdoStore } {
  let dirs: string[] = [];
  let stores: OrdoStore[] = [];
  afterEach(async () => {
    for (const s of stores) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
    stores = [];
  });
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "ordo-store-"));
    dirs.push(d);
    return d;
  };
  return {
    dir,
    open: (path = dir()) => {
      const store = OrdoStore.open({ path });
      stores.push(store);
      return store;
    },
  };
}
