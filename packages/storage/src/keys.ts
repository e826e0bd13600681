/** Big-endian u64 keys sort by number in LMDB's byte order, so heights iterate in order. */
export function heightKey(height: number): Buffer {
  return writeHeightKey(Buffer.allocUnsafe(8), 0, height);
}

/** heightKey(height) written into `out` at `at`, for keys and values built in a larger buffer. */
export function writeHeightKey(out: Buffer, at: number, height: number): Buffer {
  out.writeUInt32BE(Math.floor(height / 0x1_0000_0000), at);
  out.writeUInt32BE(height >>> 0, at + 4);
  return out;
}

export function heightFromKey(key: Uint8Array): number {
  const b = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return b.readUInt32BE(0) * 0x1_0000_0000 + b.readUInt32BE(4);
}

/**
 * `bytes` as the Buffer type lmdb-js's binary databases are declared with. lmdb-js copies a binary
 * key or value with `TypedArray.set` and never calls a Buffer method on it, so any Uint8Array will
 * do, and wrapping it in a Buffer view first (a typed-array construction, ~0.3 us) was ~14 % of the
 * bank app's CPU per transfer (`npm run bench:bank`, --cpu-prof).
 */
export function lmdbBytes(bytes: Uint8Array): Buffer {
  return bytes as Buffer;
}
