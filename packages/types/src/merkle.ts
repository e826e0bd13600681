import { digestOf, sha256Pairs } from "./hash.js";

/**
 * Ordo's Merkle tree, over leaves that are already 32-byte digests (transaction ids; result
 * leaves, see `resultLeaf`):
 *
 * - a level of w nodes becomes floor(w / 2) parents, parent i = SHA-256(node 2i || node 2i+1),
 *   plus the last node carried up unchanged when w is odd (the shape of RFC 6962: the left
 *   subtree always holds the largest power of two below the size);
 * - the **root** is SHA-256(u64 big-endian leaf count || top node), and SHA-256(u64 0) for no
 *   leaves.
 *
 * Binding the count into the root fixes the tree's shape: two leaf lists with the same root have
 * the same length and the same leaves (short of a SHA-256 collision), with no prefix bytes on the
 * nodes, so every inner node is the hash of exactly 64 bytes and a whole level is hashed in one
 * call (`sha256Pairs`: ~47 ns a node with the CPU's SHA extensions, against ~400 ns for a 65-byte
 * RFC 6962 node through libsodium). A proof is checked against the count (`verifyMerkleProof`).
 */
const HASH_BYTES = 32;

/** The working levels, reused from call to call (roots are computed one at a time). */
let levelA: Buffer = Buffer.allocUnsafe(1024 * HASH_BYTES);
let levelB: Buffer = Buffer.allocUnsafe(512 * HASH_BYTES);
/** The root's input: u64 count, then the top node. */
const rootInput = Buffer.alloc(8 + HASH_BYTES);

/** A buffer of at least `n` digests for `merkleRootOfLevel` to fold (reused: valid until the next root). */
export function merkleLevelFor(n: number): Buffer {
  if (levelA.length < n * HASH_BYTES) levelA = Buffer.allocUnsafe(Math.max(n * HASH_BYTES, 2 * levelA.length));
  return levelA;
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  const level = merkleLevelFor(n);
  for (let i = 0; i < n; i++) level.set(leafDigest(leaves[i]!, i), i * HASH_BYTES);
  return merkleRootOfLevel(level, n);
}

/** The root over the `n` digests at the start of `level` (a buffer from `merkleLevelFor`, overwritten). */
export function merkleRootOfLevel(level: Buffer, n: number): Uint8Array {
  if (n > 1) {
    const half = ((n + 1) >> 1) * HASH_BYTES; // the first level up, the largest levelB ever holds
    if (levelB.length < half) levelB = Buffer.allocUnsafe(Math.max(half, 2 * levelB.length));
    let from = level;
    let to = levelB;
    for (let width = n; width > 1; ) {
      width = parentsInto(from, width, to);
      const t = from;
      from = to;
      to = t;
    }
    return sizedRoot(n, from);
  }
  return sizedRoot(n, n === 1 ? level : undefined);
}

/**
 * Hashes the `width` digests at the start of `level` into their parents at the start of `out`
 * (the last one carried up when `width` is odd); returns how many parents there are.
 */
function parentsInto(level: Buffer, width: number, out: Buffer): number {
  const pairs = width >> 1;
  sha256Pairs(level.subarray(0, pairs * 2 * HASH_BYTES), out.subarray(0, pairs * HASH_BYTES));
  if (width & 1) level.copy(out, pairs * HASH_BYTES, (width - 1) * HASH_BYTES, width * HASH_BYTES);
  return pairs + (width & 1);
}

/** SHA-256(u64 n || top), the top node being the first digest of `top` (none for the empty tree). */
function sizedRoot(n: number, top: Uint8Array | undefined): Uint8Array {
  rootInput.writeUInt32BE(Math.floor(n / 0x100000000), 0);
  rootInput.writeUInt32BE(n >>> 0, 4);
  if (top === undefined) return plain(digestOf(rootInput.subarray(0, 8)));
  rootInput.set(top.subarray(0, HASH_BYTES), 8);
  return plain(digestOf(rootInput));
}

function leafDigest(leaf: Uint8Array, i: number): Uint8Array {
  if (leaf.length !== HASH_BYTES)
    throw new RangeError(`Merkle leaf ${i} is ${leaf.length} bytes, not a 32-byte digest`);
  return leaf;
}

function plain(digest: Uint8Array): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** The hash of two nodes (a proof's fold, a tree's levels). */
function nodeDigest(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(2 * HASH_BYTES);
  input.set(left, 0);
  input.set(right, HASH_BYTES);
  return digestOf(input);
}

/** Audit path of leaf `index`: the siblings from the leaf's level up (a carried-up node has none). */
export function merkleProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  return new MerkleTree(leaves).proof(index);
}

/**
 * A tree built once and asked for many proofs (a validator serving every transaction of a block):
 * every level is kept, so a proof is a lookup per level.
 */
export class MerkleTree {
  readonly size: number;
  readonly root: Uint8Array;
  /** levels[0] holds the leaves; each next level the parents, as one buffer of digests. */
  readonly #levels: Buffer[] = [];

  constructor(leaves: readonly Uint8Array[]) {
    const n = leaves.length;
    this.size = n;
    let level = Buffer.allocUnsafe(n * HASH_BYTES);
    for (let i = 0; i < n; i++) level.set(leafDigest(leaves[i]!, i), i * HASH_BYTES);
    this.#levels.push(level);
    for (let width = n; width > 1; ) {
      const next = Buffer.allocUnsafe(((width + 1) >> 1) * HASH_BYTES);
      width = parentsInto(level, width, next);
      this.#levels.push(next);
      level = next;
    }
    this.root = sizedRoot(n, n === 0 ? undefined : level);
  }

  /** The same path as `merkleProof(leaves, index)`. */
  proof(index: number): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError("leaf index out of range");
    const path: Uint8Array[] = [];
    let j = index;
    for (let l = 0, width = this.size; width > 1; l++, width = (width + 1) >> 1, j >>= 1) {
      const sibling = j ^ 1;
      if (sibling < width)
        path.push(plain(Buffer.from(this.#levels[l]!.subarray(sibling * HASH_BYTES, (sibling + 1) * HASH_BYTES))));
    }
    return path;
  }
}

/** True when the digest `leaf` sits at `index` of a tree of `size` leaves whose root is `root`. */
export function verifyMerkleProof(
  root: Uint8Array,
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  if (size > Number.MAX_SAFE_INTEGER || leaf.length !== HASH_BYTES) return false;
  let digest: Uint8Array = leaf;
  let used = 0;
  let j = index;
  for (let width = size; width > 1; width = (width + 1) >> 1, j >>= 1) {
    if ((j ^ 1) >= width) continue; // the last node of an odd level goes up as it is
    const sibling = path[used++];
    if (sibling === undefined || sibling.length !== HASH_BYTES) return false; // never part of a real tree
    digest = j & 1 ? nodeDigest(sibling, digest) : nodeDigest(digest, sibling);
  }
  if (used !== path.length) return false;
  const computed = sizedRoot(size, digest);
  return root.length === computed.length && computed.every((b, i) => b === root[i]);
}
