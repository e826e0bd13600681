import { digestOf, sha256, sha256Into } from "./hash.js";

/**
 * Merkle tree in the RFC 6962 shape: leaves hashed as H(0x00 || leaf), nodes as
 * H(0x01 || left || right), and a tree of n leaves split at the largest power of two below n.
 * The domain bytes keep a leaf from ever being taken for an inner node.
 *
 * Two trees per block on every validator (payload and results) make these the hottest hashes:
 * inputs are built in buffers reused from call to call, and inner nodes stay Buffers; only what
 * leaves this module is wrapped as a plain Uint8Array. `merkleRoot` builds the tree level by
 * level in one buffer, a lone last node going up unchanged: the same tree as the recursive split
 * (the left subtree is always the largest power of two, so only the rightmost node is ever odd).
 */
const HASH_BYTES = 32;
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 1;
let leafInput = Buffer.alloc(1 + 80);
/** Longer leaves are hashed from a joined copy rather than kept in the reused buffer. */
const MAX_REUSED_LEAF = 4096;
const LEAF_PREFIX = new Uint8Array([0]);

/** 0x00 || leaf in the reused buffer, as a view of exactly that length (kept while lengths repeat). */
let leafView = leafInput.subarray(0, 1);
function leafBytes(leaf: Uint8Array): Uint8Array {
  const view = leafInputOf(leaf.length);
  leafInput.set(leaf, 1);
  return view;
}

/** The reused input for a leaf of `length` bytes: 0x00, then room for the leaf. */
function leafInputOf(length: number): Uint8Array {
  const n = length + 1;
  if (leafInput.length < n) leafInput = Buffer.alloc(Math.max(n, 2 * leafInput.length));
  if (leafView.buffer !== leafInput.buffer || leafView.length !== n) leafView = leafInput.subarray(0, n);
  leafInput[0] = 0;
  return leafView;
}

function leafDigest(leaf: Uint8Array): Uint8Array {
  if (leaf.length + 1 > MAX_REUSED_LEAF) return sha256(LEAF_PREFIX, leaf);
  return digestOf(leafBytes(leaf));
}

/** `left` and `right` are digests (32 bytes). */
function nodeDigest(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return digestOf(nodeInput);
}

/** Receives each digest before it is copied into the level buffer (the addon needs exactly 32 bytes). */
const digestOut = Buffer.alloc(HASH_BYTES);
/** merkleRoot's working level, reused from call to call (it never calls itself). */
let levelBuffer = Buffer.allocUnsafe(1024 * HASH_BYTES);

function plain(digest: Uint8Array): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

export function leafHash(leaf: Uint8Array): Uint8Array {
  return plain(leafDigest(leaf));
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
  return nodeDigest(rootOfHashes(hashes, from, from + k), rootOfHashes(hashes, from + k, to));
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256();
  const level = levelFor(n);
  for (let i = 0; i < n; i++) {
    const leaf = leaves[i]!;
    if (leaf.length + 1 > MAX_REUSED_LEAF) level.set(leafDigest(leaf), i * HASH_BYTES);
    else {
      sha256Into(digestOut, leafBytes(leaf));
      digestOut.copy(level, i * HASH_BYTES);
    }
  }
  return foldLevel(level, n);
}

/**
 * The same root as `merkleRoot` over `n` leaves of `leafLength` bytes each, written one at a time
 * by `writeLeaf(i, out)` into a buffer reused from leaf to leaf: no leaf is allocated (the results
 * tree of every block on every validator, and of every block a client checks). `writeLeaf` must
 * fill all of `out` and must not compute Merkle roots itself (the buffers are shared).
 */
export function merkleRootWith(
  n: number,
  leafLength: number,
  writeLeaf: (i: number, out: Uint8Array) => void,
): Uint8Array {
  if (n === 0) return sha256();
  if (leafLength + 1 > MAX_REUSED_LEAF)
    throw new RangeError(`merkleRootWith: leaves of ${leafLength} bytes are too long`);
  const input = leafInputOf(leafLength);
  const body = input.subarray(1);
  const level = levelFor(n);
  for (let i = 0; i < n; i++) {
    writeLeaf(i, body);
    sha256Into(digestOut, input);
    digestOut.copy(level, i * HASH_BYTES);
  }
  return foldLevel(level, n);
}

/** The working level, grown to hold `n` digests. */
function levelFor(n: number): Buffer {
  if (levelBuffer.length < n * HASH_BYTES)
    levelBuffer = Buffer.allocUnsafe(Math.max(n * HASH_BYTES, 2 * levelBuffer.length));
  return levelBuffer;
}

/** Folds `n` leaf digests in `level` up to the root. */
function foldLevel(level: Buffer, n: number): Uint8Array {
  for (let width = n; width > 1; ) {
    const pairs = width >> 1;
    for (let i = 0; i < pairs; i++) {
      level.copy(nodeInput, 1, 2 * i * HASH_BYTES, (2 * i + 2) * HASH_BYTES);
      sha256Into(digestOut, nodeInput);
      digestOut.copy(level, i * HASH_BYTES);
    }
    if (width & 1) level.copy(level, pairs * HASH_BYTES, (width - 1) * HASH_BYTES, width * HASH_BYTES);
    width = pairs + (width & 1);
  }
  const root = Buffer.allocUnsafe(HASH_BYTES);
  level.copy(root, 0, 0, HASH_BYTES);
  return plain(root);
}

/** Audit path of leaf `index`, from the leaf's sibling up to the root's children. */
export function merkleProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError("leaf index out of range");
  const hashes = leaves.map(leafDigest);
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
  return path.reverse().map(plain);
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
    this.#hashes = leaves.map(leafDigest);
  }

  get root(): Uint8Array {
    return plain(this.#rootOf(0, this.size));
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
    return path.reverse().map(plain);
  }

  #rootOf(from: number, to: number): Uint8Array {
    const n = to - from;
    if (n === 0) return sha256();
    if (n === 1) return this.#hashes[from]!;
    const key = from * 0x4000000 + to;
    let r = this.#roots.get(key);
    if (r === undefined) {
      const k = splitPoint(n);
      r = nodeDigest(this.#rootOf(from, from + k), this.#rootOf(from + k, to));
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
  if (path.some((sibling) => sibling.length !== HASH_BYTES)) return false; // never part of a real tree
  let digest: Uint8Array = leafDigest(leaf);
  for (let i = 0; i < path.length; i++) {
    const sibling = path[i]!;
    digest = goesLeft[goesLeft.length - 1 - i] ? nodeDigest(digest, sibling) : nodeDigest(sibling, digest);
  }
  return root.length === digest.length && digest.every((b, i) => b === root[i]);
}
