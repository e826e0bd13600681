import { readFileSync } from "node:fs";
import { expect } from "chai";
import { demo } from "./counterApp.js";

describe("README: write your own app", () => {
  it("the READMEs' example (root and packages/sdk) is this file, verbatim, under 50 lines", () => {
    const source = readFileSync(new URL("./counterApp.ts", import.meta.url), "utf8");
    for (const path of ["../../../../../README.md", "../../../README.md"]) {
      const readme = readFileSync(new URL(path, import.meta.url), "utf8");
      expect(readme, path).to.include(source.trim());
    }
    expect(source.trim().split("\n").length).to.be.below(50);
  });

  it("the example runs: one accepted, one rejected, count 10 + 5", async () => {
    expect(await demo()).to.equal("0,1 15");
  });
});
