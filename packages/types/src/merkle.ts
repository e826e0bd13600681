import { sha256 } from "./hash.js";

/**
 * Merkle tree in the RFC 6962 shape: leaves hashed as H(0x00 || leaf), nodes as
 * H(0x01 || left || right), and a tree of n leaves split at the largest power of two below n.
 * The domain bytes keep a leaf from ever being taken for an inner node.
 */
const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(LEAF, leaf);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE, left, right);
}

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Root over already-hashed leaves; the empty tree's root is SHA-256 of nothing. */
function rootOfHashes(hashes: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 0) return sha256();
  if (n === 1) return hashes[from]!;
  const k = splitPoint(n);
  return nodeHash(rootOfHashes(hashes, from, from + k), rootOfHashes(hashes, from + k, to));
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return rootOfHashes(leaves.map(leafHash), 0, leaves.length);
}

/** Audit path of leaf `index`, from the leaf's sibling up to the root's children. */
export function merkleProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError("leaf index out of range");
  const hashes = leaves.map(leafHash);
  const path: Uint8Array[] = [];
  let from = 0;
  let to = hashes.length;
  // Walk down from the root, remembering the sibling subtree at each split; reverse at the end.
  while (to - from > 1) {
    const k = splitPoint(to - from);
    if (index < from + k) {
      path.push(rootOfHashes(hashes, from + k, to));
      to = from + k;
    } else {
      path.push(rootOfHashes(hashes, from, from + k));
      from = from + k;
    }
  }
  return path.reverse();
}

/**
 * A tree built once and asked for many proofs (a validator serving every transaction of a block):
 * leaf hashes and subtree roots are computed once each, so a proof costs O(log n) after the first.
 */
export class MerkleTree {
  readonly size: number;
  readonly #hashes: Uint8Array[];
  readonly #roots = new Map<number, Uint8Array>();

  constructor(leaves: readonly Uint8Array[]) {
    this.size = leaves.length;
    this.#hashes = leaves.map(leafHash);
  }

  get root(): Uint8Array {
    return this.#rootOf(0, this.size);
  }

  /** The same path as `merkleProof(leaves, index)`. */
  proof(index: number): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError("leaf index out of range");
    const path: Uint8Array[] = [];
    let from = 0;
    let to = this.size;
    while (to - from > 1) {
      const k = splitPoint(to - from);
      if (index < from + k) {
        path.push(this.#rootOf(from + k, to));
        to = from + k;
      } else {
        path.push(this.#rootOf(from, from + k));
        from = from + k;
      }
    }
    return path.reverse();
  }

  #rootOf(from: number, to: number): Uint8Array {
    const n = to - from;
    if (n === 0) return sha256();
    if (n === 1) return this.#hashes[from]!;
    const key = from * 0x4000000 + to;
    let r = this.#roots.get(key);
    if (r === undefined) {
      const k = splitPoint(n);
      r = nodeHash(this.#rootOf(from, from + k), this.#rootOf(from + k, to));
      this.#roots.set(key, r);
    }
    return r;
  }
}

/** True when `leaf` sits at `index` of a tree of `size` leaves whose root is `root`. */
export function verifyMerkleProof(
  root: Uint8Array,
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  // Recompute the split decisions top-down, then fold the path bottom-up.
  const goesLeft: boolean[] = [];
  let from = 0;
  let to = size;
  while (to - from > 1) {
    const k = splitPoint(to - from);
    if (index < from + k) {
      goesLeft.push(true);
      to = from + k;
    } else {
      goesLeft.push(false);
      from = from + k;
    }
  }
  if (goesLeft.length !== path.length) return false;
  let hash = leafHash(leaf);
  for (let i = 0; i < path.length; i++) {
    const sibling = path[i]!;
    hash = goesLeft[goesLeft.length - 1 - i] ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
  }
  return root.length === hash.length && hash.every((b, i) => b === root[i]);
}
