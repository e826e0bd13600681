import { createHash } from "node:crypto";
import { expect } from "chai";
import {
  MerkleTree,
  merkleProof,
  merkleRoot,
  merkleRootWith,
  resultLeaf,
  resultsRoot,
  sha256,
  verifyMerkleProof,
} from "../../src/index.js";
import { forEachSeed } from "../../src/testing/index.js";

/** RFC 6962's definition, written out with node:crypto alone: the reference the fast paths must match. */
function referenceRoot(leaves: readonly Uint8Array[]): string {
  const h = (...parts: Uint8Array[]) => {
    const x = createHash("sha256");
    for (const p of parts) x.update(p);
    return x.digest();
  };
  const mth = (from: number, to: number): Buffer => {
    if (to - from === 0) return h();
    if (to - from === 1) return h(new Uint8Array([0]), leaves[from]!);
    let k = 1;
    while (k * 2 < to - from) k *= 2;
    return h(new Uint8Array([1]), mth(from, from + k), mth(from + k, to));
  };
  return mth(0, leaves.length).toString("hex");
}

describe("merkle tree", () => {
  it("merkleRoot equals RFC 6962's recursive definition (node:crypto) for sizes 0..70, short and long leaves", () => {
    forEachSeed(3, (rng) => {
      for (let size = 0; size <= 70; size++) {
        // Lengths around the backends' switch (255/256 bytes with the prefix) and past the reused buffer.
        const leaves = Array.from({ length: size }, () =>
          rng.bytes(rng.pick([0, 1, 32, 33, 80, 254, 255, 256, 300, 5000])),
        );
        expect(Buffer.from(merkleRoot(leaves)).toString("hex"), `size ${size}`).to.equal(referenceRoot(leaves));
      }
    });
  });

  it("merkleRootWith and resultsRoot give merkleRoot's root over the same leaves, sizes 0..70", () => {
    forEachSeed(3, (rng) => {
      for (let size = 0; size <= 70; size++) {
        const ids = Array.from({ length: size }, () => rng.bytes(32));
        // Empty data (the shared hash), short and long data, and codes across the u32 range.
        const results = ids.map(() => ({
          code: rng.pick([0, 1, 0xffffffff]),
          data: rng.bytes(rng.pick([0, 0, 5, 300])),
          log: "",
        }));
        const expected = referenceRoot(results.map((r, i) => resultLeaf(ids[i]!, i, r)));
        expect(Buffer.from(resultsRoot(ids, results)).toString("hex"), `size ${size}`).to.equal(expected);
        const leaves = Array.from({ length: size }, () => rng.bytes(48));
        const viaWriter = merkleRootWith(size, 48, (i, out) => out.set(leaves[i]!));
        expect(Buffer.from(viaWriter).toString("hex"), `size ${size}`).to.equal(referenceRoot(leaves));
      }
    });
    expect(() => resultsRoot([new Uint8Array(32)], [])).to.throw(RangeError);
  });

  it("sha256 equals node:crypto's on both sides of the backends' switch", () => {
    forEachSeed(2, (rng) => {
      for (const n of [0, 1, 31, 64, 65, 200, 254, 255, 256, 257, 1000, 5000]) {
        const data = rng.bytes(n);
        const parts = [data.subarray(0, n >> 1), data.subarray(n >> 1)];
        const want = createHash("sha256").update(data).digest("hex");
        expect(Buffer.from(sha256(data)).toString("hex"), `${n} bytes`).to.equal(want);
        expect(Buffer.from(sha256(...parts)).toString("hex"), `${n} bytes in two parts`).to.equal(want);
      }
    });
  });

  it("every leaf's proof verifies against the root, for every size up to 40", () => {
    forEachSeed(3, (rng) => {
      for (let size = 1; size <= 40; size++) {
        const leaves = Array.from({ length: size }, () => rng.bytes(rng.int(0, 40)));
        const root = merkleRoot(leaves);
        for (let i = 0; i < size; i++) {
          const path = merkleProof(leaves, i);
          expect(verifyMerkleProof(root, leaves[i]!, i, size, path), `size ${size} leaf ${i}`).to.equal(true);
        }
      }
    });
  });

  it("MerkleTree gives the same root and the same proofs as the one-shot functions, asked in any order", () => {
    forEachSeed(3, (rng) => {
      for (let size = 0; size <= 70; size++) {
        const leaves = Array.from({ length: size }, () => rng.bytes(rng.int(0, 40)));
        const tree = new MerkleTree(leaves);
        expect(tree.root).to.deep.equal(merkleRoot(leaves));
        const order = rng.shuffle(Array.from({ length: size }, (_, i) => i));
        for (const i of order) expect(tree.proof(i), `size ${size} leaf ${i}`).to.deep.equal(merkleProof(leaves, i));
        expect(() => tree.proof(size)).to.throw(RangeError);
      }
    });
  });

  it("a proof fails for another leaf, another index, another size or a tampered path", () => {
    forEachSeed(20, (rng) => {
      const size = rng.int(2, 30);
      const leaves = Array.from({ length: size }, () => rng.bytes(8));
      const root = merkleRoot(leaves);
      const i = rng.int(0, size - 1);
      const path = merkleProof(leaves, i);
      const j = (i + 1) % size;
      expect(verifyMerkleProof(root, leaves[j]!, i, size, path)).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, j, size, path)).to.equal(false);
      if (path.length > 0) {
        const tampered = path.map((p) => p.slice());
        tampered[0]![0]! ^= 1;
        expect(verifyMerkleProof(root, leaves[i]!, i, size, tampered)).to.equal(false);
      }
      expect(verifyMerkleProof(root, leaves[i]!, i, size, [...path, sha256()])).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, -1, size, path)).to.equal(false);
      if (path.length > 0) {
        // A sibling of the wrong length (untrusted input) is a failed proof, not an exception.
        for (const bad of [path[0]!.subarray(0, 31), new Uint8Array([...path[0]!, 0])]) {
          expect(verifyMerkleProof(root, leaves[i]!, i, size, [bad, ...path.slice(1)])).to.equal(false);
        }
      }
    });
  });

  it("keeps its values when leaves of many lengths are hashed in turn (the reused input buffers)", () => {
    forEachSeed(10, (rng) => {
      const leaves = Array.from({ length: rng.int(1, 40) }, () => rng.bytes(rng.int(0, 5000)));
      const expected = leaves.map((l) => sha256(new Uint8Array([0]), l));
      const tree = new MerkleTree(leaves);
      expect(merkleRoot(leaves)).to.deep.equal(tree.root);
      leaves.forEach((_, i) => {
        expect(verifyMerkleProof(tree.root, leaves[i]!, i, leaves.length, tree.proof(i))).to.equal(true);
      });
      expect(merkleRoot(leaves.slice(0, 1))).to.deep.equal(expected[0]);
      if (leaves.length >= 2) {
        const pair = sha256(new Uint8Array([1]), expected[0]!, expected[1]!);
        expect(merkleRoot(leaves.slice(0, 2))).to.deep.equal(pair);
      }
    });
  });

  it("distinguishes a leaf from an inner node (second-preimage) and order matters", () => {
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    expect(merkleRoot([a, b])).to.not.deep.equal(merkleRoot([b, a]));
    expect(merkleRoot([a])).to.not.deep.equal(a);
    expect(merkleRoot([])).to.deep.equal(sha256());
  });
});
