/** Big-endian u64 keys sort by number in LMDB's byte order, so heights iterate in order. */
export function heightKey(height: number): Buffer {
  const key = Buffer.allocUnsafe(8);
  key.writeUInt32BE(Math.floor(height / 0x1_0000_0000), 0);
  key.writeUInt32BE(height >>> 0, 4);
  return key;
}

export function heightFromKey(key: Uint8Array): number {
  const b = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return b.readUInt32BE(0) * 0x1_0000_0000 + b.readUInt32BE(4);
}

/** A zero-copy Buffer view, which is what lmdb-js takes for binary keys. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
