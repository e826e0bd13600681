import { createHash } from "node:crypto";
import { expect } from "chai";
import { sha256Pairs, sha256PairsPortable } from "../../src/hash.js";
import {
  MerkleTree,
  merkleProof,
  merkleRoot,
  pairHashBackend,
  resultDigest,
  resultLeaf,
  resultsRoot,
  sha256,
  verifyMerkleProof,
} from "../../src/index.js";
import { forEachSeed } from "../../src/testing/index.js";

const h = (...parts: Uint8Array[]): Buffer => {
  const x = createHash("sha256");
  for (const p of parts) x.update(p);
  return x.digest();
};

const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

/**
 * The definition written out with node:crypto alone, recursively in RFC 6962's shape (split at
 * the largest power of two below the size), inner node SHA-256(left || right), root
 * SHA-256(u64 count || top): the reference the level-by-level fast path must match.
 */
function referenceRoot(leaves: readonly Uint8Array[]): string {
  const top = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return leaves[from]!;
    let k = 1;
    while (k * 2 < to - from) k *= 2;
    return h(top(from, from + k), top(from + k, to));
  };
  if (leaves.length === 0) return h(u64(0)).toString("hex");
  return h(u64(leaves.length), top(0, leaves.length)).toString("hex");
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("merkle tree", () => {
  it("hashes pairs with the CPU-specific backend on this machine, and both backends agree with node:crypto", () => {
    // CI runs on Linux x64, where the prebuilt hashtree binary must load (else the fast path is silently lost).
    if (process.platform === "linux" && process.arch === "x64") expect(pairHashBackend).to.equal("hashtree");
    forEachSeed(3, (rng) => {
      for (const pairs of [0, 1, 2, 3, 7, 16, 17, 100, 401]) {
        const input = rng.bytes(pairs * 64);
        const want = Buffer.concat(Array.from({ length: pairs }, (_, i) => h(input.subarray(i * 64, i * 64 + 64))));
        const fast = new Uint8Array(pairs * 32);
        sha256Pairs(input, fast);
        const portable = new Uint8Array(pairs * 32);
        sha256PairsPortable(input, portable);
        expect(hex(fast), `${pairs} pairs`).to.equal(want.toString("hex"));
        expect(hex(portable), `${pairs} pairs (libsodium)`).to.equal(want.toString("hex"));
      }
    });
    expect(() => sha256Pairs(new Uint8Array(65), new Uint8Array(32))).to.throw(RangeError);
    expect(() => sha256Pairs(new Uint8Array(64), new Uint8Array(64))).to.throw(RangeError);
  });

  it("merkleRoot equals the recursive definition (node:crypto) for sizes 0..130", () => {
    forEachSeed(3, (rng) => {
      for (let size = 0; size <= 130; size++) {
        const leaves = Array.from({ length: size }, () => rng.bytes(32));
        expect(hex(merkleRoot(leaves)), `size ${size}`).to.equal(referenceRoot(leaves));
        expect(hex(new MerkleTree(leaves).root), `tree, size ${size}`).to.equal(referenceRoot(leaves));
      }
    });
  });

  it("refuses leaves that are not 32-byte digests", () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0)]) {
      expect(() => merkleRoot([new Uint8Array(32), bad])).to.throw(RangeError, /leaf 1/);
      expect(() => new MerkleTree([bad])).to.throw(RangeError);
    }
  });

  it("binds the count: [a, b, c] and [H(a || b), c] have the same top node and different roots", () => {
    forEachSeed(5, (rng) => {
      const [a, b, c] = [rng.bytes(32), rng.bytes(32), rng.bytes(32)];
      const top = h(h(a, b), c);
      expect(merkleRoot([a, b, c])).to.deep.equal(sha256(u64(3), top));
      expect(merkleRoot([h(a, b), c])).to.deep.equal(sha256(u64(2), top));
      expect(merkleRoot([])).to.deep.equal(sha256(new Uint8Array(8)));
      expect(merkleRoot([a])).to.deep.equal(sha256(u64(1), a));
    });
  });

  it("resultsRoot is merkleRoot over resultLeaf = SHA-256(txId || SHA-256(u32 code || data)), sizes 0..70", () => {
    forEachSeed(3, (rng) => {
      for (let size = 0; size <= 70; size++) {
        const ids = Array.from({ length: size }, () => rng.bytes(32));
        // Empty data (remembered per code, twice for the memory), short and long data, codes across the u32 range.
        const results = ids.map(() => ({
          code: rng.pick([0, 0, 1, 255, 256, 0xffffffff]),
          data: rng.bytes(rng.pick([0, 0, 5, 300])),
          log: rng.pick(["", "ignored"]),
        }));
        const leaves = results.map((r, i) => {
          const code = Buffer.alloc(4);
          code.writeUInt32BE(r.code);
          const leaf = h(ids[i]!, h(code, r.data));
          expect(hex(resultLeaf(ids[i]!, r))).to.equal(leaf.toString("hex"));
          expect(hex(resultDigest(r))).to.equal(h(code, r.data).toString("hex"));
          return leaf;
        });
        expect(hex(resultsRoot(ids, results)), `size ${size}`).to.equal(referenceRoot(leaves));
      }
    });
    expect(() => resultsRoot([new Uint8Array(32)], [])).to.throw(RangeError);
    expect(() => resultsRoot([new Uint8Array(31)], [{ code: 0, data: new Uint8Array(0), log: "" }])).to.throw(
      RangeError,
    );
    expect(() => resultLeaf(new Uint8Array(32), { code: -1, data: new Uint8Array(0), log: "" })).to.throw(RangeError);
  });

  it("every leaf's proof verifies against the root, for every size up to 70", () => {
    forEachSeed(3, (rng) => {
      for (let size = 1; size <= 70; size++) {
        const leaves = Array.from({ length: size }, () => rng.bytes(32));
        const root = merkleRoot(leaves);
        for (let i = 0; i < size; i++) {
          const path = merkleProof(leaves, i);
          expect(verifyMerkleProof(root, leaves[i]!, i, size, path), `size ${size} leaf ${i}`).to.equal(true);
        }
      }
    });
  });

  it("MerkleTree gives the same proofs as merkleProof, asked in any order", () => {
    forEachSeed(3, (rng) => {
      for (let size = 0; size <= 70; size++) {
        const leaves = Array.from({ length: size }, () => rng.bytes(32));
        const tree = new MerkleTree(leaves);
        const order = rng.shuffle(Array.from({ length: size }, (_, i) => i));
        for (const i of order) expect(tree.proof(i), `size ${size} leaf ${i}`).to.deep.equal(merkleProof(leaves, i));
        expect(() => tree.proof(size)).to.throw(RangeError);
      }
    });
  });

  it("a proof fails for another leaf, another index, another size or a tampered path", () => {
    forEachSeed(40, (rng) => {
      const size = rng.int(2, 40);
      const leaves = Array.from({ length: size }, () => rng.bytes(32));
      const root = merkleRoot(leaves);
      const i = rng.int(0, size - 1);
      const path = merkleProof(leaves, i);
      const j = (i + 1) % size;
      expect(verifyMerkleProof(root, leaves[j]!, i, size, path)).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, j, size, path)).to.equal(false);
      // Any other size fails, even one whose paths have the same length (the root binds the count).
      for (let other = 1; other <= 64; other++) {
        if (other !== size && i < other)
          expect(verifyMerkleProof(root, leaves[i]!, i, other, path), `size ${other}`).to.equal(false);
      }
      const tampered = path.map((p) => p.slice());
      tampered[0]![0]! ^= 1;
      expect(verifyMerkleProof(root, leaves[i]!, i, size, tampered)).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, i, size, [...path, sha256()])).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, i, size, path.slice(1))).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, -1, size, path)).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!, size, size, path)).to.equal(false);
      expect(verifyMerkleProof(root, leaves[i]!.subarray(1), i, size, path)).to.equal(false);
      // A sibling of the wrong length (untrusted input) is a failed proof, not an exception.
      for (const bad of [path[0]!.subarray(0, 31), new Uint8Array([...path[0]!, 0])]) {
        expect(verifyMerkleProof(root, leaves[i]!, i, size, [bad, ...path.slice(1)])).to.equal(false);
      }
    });
  });

  it("keeps its values across roots of many sizes in turn (the reused level buffers)", () => {
    forEachSeed(10, (rng) => {
      const lists = Array.from({ length: 6 }, () => Array.from({ length: rng.int(0, 3000) }, () => rng.bytes(32)));
      const roots = lists.map((l) => hex(merkleRoot(l)));
      lists.forEach((l, k) => {
        expect(roots[k]).to.equal(referenceRoot(l));
      });
      expect(hex(merkleRoot(lists[0]!))).to.equal(roots[0]);
    });
  });

  it("order matters", () => {
    const a = sha256(new Uint8Array([1]));
    const b = sha256(new Uint8Array([2]));
    expect(merkleRoot([a, b])).to.not.deep.equal(merkleRoot([b, a]));
    expect(merkleRoot([a])).to.not.deep.equal(a);
  });
});
