import type { ConnectionEncrypter, SecuredConnection } from "@libp2p/interface";

/** Messages up to this size are joined into one buffer: above it the copy costs more than the write it saves. */
const MAX_JOINED_BYTES = 16 * 1024;

/** The part of uint8arraylist's Uint8ArrayList used here (what noise's `encrypt` returns). */
interface ChunkList {
  readonly bufs: Uint8Array[];
  readonly byteLength: number;
  subarray(): Uint8Array;
  consume(bytes: number): void;
  append(buf: Uint8Array): void;
}

type Encrypt = (chunk: unknown) => ChunkList;

/**
 * Two costs of @chainsafe/libp2p-noise (17) per message, removed on each secured connection it
 * returns (wrapping its encrypter), with the same bytes on the wire:
 *
 * - it hands the transport each message as two chunks, its 2-byte length and its ciphertext, and
 *   @libp2p/tcp writes each chunk with a call of its own: two write syscalls per message, and on
 *   loopback two wake-ups of the reader. `encrypt` now returns the message joined in one buffer.
 * - its length-prefixed reader learns that a read is used up from a RangeError thrown by the
 *   length decoder at the end of every read, with a stack trace captured each time. The decoder
 *   now throws one RangeError made once (the reader only checks `instanceof RangeError`).
 *
 * Both are noise internals: a connection without them fails the handshake loudly (and the network
 * tests with it) if a new version renames them, rather than silently keeping the old cost.
 */
export function withTunedNoiseConnections<C>(
  factory: (components: C) => ConnectionEncrypter,
): (components: C) => ConnectionEncrypter {
  return (components) => {
    const inner = factory(components);
    const joined = async (secured: Promise<SecuredConnection>) => {
      const s = await secured;
      joinEncryptedChunks(s.connection);
      reuseLengthDecoderError(s.connection);
      return s;
    };
    // Inherits the protocol name and libp2p's service markers from the noise instance.
    const outer = Object.create(inner) as ConnectionEncrypter;
    outer.secureOutbound = (connection, options) => joined(inner.secureOutbound(connection, options));
    outer.secureInbound = (connection, options) => joined(inner.secureInbound(connection, options));
    return outer;
  };
}

/** Makes `connection.encrypt` (noise's EncryptedMessageStream) return one chunk per message. */
export function joinEncryptedChunks(connection: object): void {
  const target = connection as { encrypt?: Encrypt };
  const original = target.encrypt;
  if (typeof original !== "function") {
    throw new Error("@chainsafe/libp2p-noise: the secured connection has no encrypt method");
  }
  target.encrypt = function encrypt(this: unknown, chunk) {
    const out = original.call(this, chunk);
    if (out.bufs.length <= 1 || out.byteLength > MAX_JOINED_BYTES) return out;
    const whole = out.subarray(); // a copy of every chunk, in order
    out.consume(out.byteLength);
    out.append(whole);
    return out;
  };
}

/** What the decoder throws when fewer than 2 bytes are buffered: made once, no stack trace per read. */
const NEED_MORE_BYTES = new RangeError("Could not decode int16BE");

/** Makes `connection.decoder` (noise's LengthPrefixedDecoder) decode lengths without a new error per read. */
export function reuseLengthDecoderError(connection: object): void {
  const decoder = (connection as { decoder?: { lengthDecoder?: unknown } }).decoder;
  if (!decoder || typeof decoder.lengthDecoder !== "function") {
    throw new Error("@chainsafe/libp2p-noise: the secured connection has no length decoder");
  }
  decoder.lengthDecoder = (data: Uint8Array | { length: number; getUint16(at: number): number }): number => {
    if (data.length < 2) throw NEED_MORE_BYTES;
    return data instanceof Uint8Array ? (data[0]! << 8) | data[1]! : data.getUint16(0);
  };
}
